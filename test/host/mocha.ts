// The runner shared by the host runs' tests modules (test/host/<run>/index.ts, the
// `extensionTestsPath` contract): mocha (BDD: describe/it) over every out/test/host/<run>/**/*.test.js,
// resolving only when all of them passed, and ending with the plain summary line "N passed, N failed"
// that CI reads (scripts/test.mjs adds up every run's). WI_HOST_GREP narrows a run to matching test
// titles; WI_HOST_MOCHA_TIMEOUT_MS changes the per-test time limit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Runs the tests compiled into `dir` (out/test/host/<run>); `what` names the run in its failure. */
export function runMocha(dir: string, what: string): Promise<void> {
  // out/ keeps the output of a test whose source was deleted or renamed: run only those whose
  // test/host/<run>/<name>.test.ts still exists.
  const sourceDir = path.resolve(__dirname, '..', '..', '..', 'test', 'host', path.basename(dir));
  // Real editor operations (opening documents, waiting for diagnostics) take seconds, not ms,
  // and a whole-workspace test on 2 busy cores can take tens of seconds.
  const mocha = new Mocha({ ui: 'bdd', timeout: Number(process.env.WI_HOST_MOCHA_TIMEOUT_MS ?? 60_000) });
  if (process.env.WI_HOST_GREP) mocha.grep(process.env.WI_HOST_GREP);
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => fs.existsSync(path.join(sourceDir, file.replace(/\.js$/, '.ts'))))
    .sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files under ${dir}`));
  for (const file of files) mocha.addFile(path.join(dir, file));

  return new Promise((resolve, reject) => {
    const runner = mocha.run(() => {
      const { passes = 0, failures = 0 } = runner.stats ?? {};
      console.log(`${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} ${what} failed`));
      else resolve();
    });
    // A failure's error as it happens: a run cut short (the launcher's time limit) never gets to
    // mocha's list of failures at the end.
    runner.on('fail', (test, error: Error) => console.log(`failed: ${test.fullTitle()}\n${error.stack ?? error.message}`));
  });
}
