// The tests module of the plain-workspace run (test/host/runTests.ts starts a fourth host on a copy
// of test/host/plain-workspace, YAML with nothing of pod or workload identity in it): every
// out/test/host/plain/**/*.test.js, run as the main run's (test/host/mocha.ts).
import { runMocha } from '../mocha';

export function run(): Promise<void> {
  return runMocha(__dirname, 'plain-workspace test(s)');
}
