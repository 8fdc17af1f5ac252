// The tests module of the restricted-mode run (test/host/runTests.ts starts a second host with
// workspace trust enabled and test/host/untrusted-workspace, never trusted, as the folder): every
// out/test/host/untrusted/**/*.test.js, run as the main run's (test/host/mocha.ts).
import { runMocha } from '../mocha';

export function run(): Promise<void> {
  return runMocha(__dirname, 'restricted-mode test(s)');
}
