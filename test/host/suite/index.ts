// The tests module VS Code loads into the extension host (the `extensionTestsPath` contract) for
// the main run: every out/test/host/suite/**/*.test.js, on a copy of test/host/workspace (see
// test/host/mocha.ts for the summary line, WI_HOST_GREP and WI_HOST_MOCHA_TIMEOUT_MS).
import { runMocha } from '../mocha';

export function run(): Promise<void> {
  return runMocha(__dirname, 'integration test(s)');
}
