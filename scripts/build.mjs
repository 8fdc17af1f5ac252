// Bundles the extension and the CLI with esbuild (the bundles and their options: scripts/bundles.cjs).
// The Azure SDKs go into a bundle of their own (dist/azure.js) that the extension loads only when an
// Azure command runs; the host tests' hooks into one that only a host test run loads (dist/test-hooks.js).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import bundles from './bundles.cjs';

await Promise.all(
  Object.entries(bundles.bundles)
    .filter(([, b]) => existsSync(join(bundles.root, b.entryPoints[0])))
    .map(([name]) => build(bundles.bundleOptions(name))),
);
