// The tests module of the restricted-mode run (test/host/runTests.ts starts a second host with
// workspace trust enabled and test/host/untrusted-workspace, never trusted, as the folder):
// `run()` runs every out/test/host/untrusted/**/*.test.js with mocha and ends with the same
// plain summary line "N passed, N failed" as the main run (scripts/test.mjs adds up both).
// WI_HOST_GREP and WI_HOST_MOCHA_TIMEOUT_MS work as in the main run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

// out/ keeps the output of deleted tests: run only those whose .ts source still exists.
const sourceDir = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'host', 'untrusted');

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: Number(process.env.WI_HOST_MOCHA_TIMEOUT_MS ?? 60_000) });
  if (process.env.WI_HOST_GREP) mocha.grep(process.env.WI_HOST_GREP);
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => fs.existsSync(path.join(sourceDir, file.replace(/\.js$/, '.ts'))))
    .sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files under ${__dirname}`));
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  return new Promise((resolve, reject) => {
    const runner = mocha.run(() => {
      const { passes = 0, failures = 0 } = runner.stats ?? {};
      console.log(`${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} restricted-mode test(s) failed`));
      else resolve();
    });
    // A failure's error as it happens: a run cut short (the launcher's time limit) never gets to
    // mocha's list of failures at the end.
    runner.on('fail', (test, error: Error) => console.log(`failed: ${test.fullTitle()}\n${error.stack ?? error.message}`));
  });
}
