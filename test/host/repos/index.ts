// The tests module of the fixture-repository run (test/host/runTests.ts starts a third host on a
// workspace holding every test/repos/<name>/before/ tree as <name>/): every
// out/test/host/repos/**/*.test.js, run as the main run's (test/host/mocha.ts).
import { runMocha } from '../mocha';

export function run(): Promise<void> {
  return runMocha(__dirname, 'fixture-repository test(s)');
}
