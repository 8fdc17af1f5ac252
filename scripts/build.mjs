// Bundles the extension and the CLI with esbuild. The Azure SDKs go into a bundle of their own
// (dist/azure.js) that the extension loads only when an Azure command runs; the host tests' hooks
// into one that only a host test run loads (dist/test-hooks.js).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './azure'] },
  { entryPoints: ['src/vscode/azure/index.ts'], outfile: 'dist/azure.js', external: ['vscode'] },
  // Fix-all of a file runs in a worker thread, off the extension host's thread.
  { entryPoints: ['src/vscode/fixAllWorker.ts'], outfile: 'dist/fixAllWorker.js' },
  // Test-only: the hooks host tests use (scripted Azure UI, event-loop monitor). The extension
  // loads it only when the host test harness names it in WI_TEST_HOOKS; it is not in the VSIX.
  { entryPoints: ['src/vscode/testHooks.ts'], outfile: 'dist/test-hooks.js' },
];

await Promise.all(
  entries
    .filter((e) => existsSync(e.entryPoints[0]))
    .map((e) => build({ ...common, ...e })),
);
