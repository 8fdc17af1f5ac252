// Entry of the test-only bundle dist/test-hooks.js (scripts/build.mjs; not in the VSIX). The host
// tests' harness names it in WI_TEST_HOOKS; only then does the extension load it and add these
// hooks to its API. Normal use never loads it: no scripted UI, no event-loop monitor.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AzureTesting } from './azure/testing';

/** What host tests get beside the extension's own API. */
export interface TestApi {
  /** Test hooks of the Azure commands: scripted answers instead of pickers, the last run's transcript. */
  azureTesting: AzureTesting;
  /** Longest the extension host's event loop was blocked since the last reset (the first call starts measuring), in ms. */
  hostStall: { maxMs(): number; reset(): void };
}

export interface TestHooks {
  api: TestApi;
  dispose(): void;
}

export function createTestHooks(): TestHooks {
  // Measured only once a test asks (hostStall.reset).
  let stall: ReturnType<typeof monitorEventLoopDelay> | undefined;
  const monitor = () => {
    if (!stall) (stall = monitorEventLoopDelay({ resolution: 10 })).enable();
    return stall;
  };
  return {
    api: { azureTesting: new AzureTesting(), hostStall: { maxMs: () => monitor().max / 1e6, reset: () => monitor().reset() } },
    dispose: () => stall?.disable(),
  };
}
