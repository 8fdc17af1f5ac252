// The tests module VS Code loads into the extension host (the `extensionTestsPath` contract):
// `run()` runs every out/test/host/suite/**/*.test.js with mocha (BDD: describe/it) and
// resolves only when all of them passed. It ends with the plain summary line
// "N passed, N failed" that CI reads. WI_HOST_GREP narrows the run to matching test titles;
// WI_HOST_MOCHA_TIMEOUT_MS changes the per-test time limit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

// out/ keeps the output of a test whose source was deleted or renamed: run only those whose
// test/host/suite/<name>.test.ts still exists.
const sourceDir = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'host', 'suite');

function testFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => fs.existsSync(path.join(sourceDir, file.replace(/\.js$/, '.ts'))))
    .sort()
    .map((file) => path.join(dir, file));
}

export function run(): Promise<void> {
  // Real editor operations (opening documents, waiting for diagnostics) take seconds, not ms,
  // and a whole-workspace test on 2 busy cores can take tens of seconds.
  const mocha = new Mocha({ ui: 'bdd', timeout: Number(process.env.WI_HOST_MOCHA_TIMEOUT_MS ?? 60_000) });
  if (process.env.WI_HOST_GREP) mocha.grep(process.env.WI_HOST_GREP);

  const files = testFilesUnder(__dirname);
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files under ${__dirname}`));
  for (const file of files) mocha.addFile(file);

  return new Promise((resolve, reject) => {
    const runner = mocha.run(() => {
      const { passes = 0, failures = 0 } = runner.stats ?? {};
      console.log(`${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    // A failure's error as it happens: a run cut short (the launcher's time limit) never gets to
    // mocha's list of failures at the end.
    runner.on('fail', (test, error: Error) => console.log(`failed: ${test.fullTitle()}\n${error.stack ?? error.message}`));
  });
}
