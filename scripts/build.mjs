// Bundles the extension and the CLI with esbuild (the bundles and their options: scripts/bundles.cjs).
// The analysis (core, rules, yaml) goes into a bundle of its own (dist/core.js) that the extension
// loads the first time its pre-scan finds something of identity; the Azure SDKs into one
// (dist/azure.js) that it loads only when an Azure command runs; the host tests' hooks into one that
// only a host test run loads (dist/test-hooks.js).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import bundles from './bundles.cjs';

await Promise.all(
  Object.entries(bundles.bundles)
    .filter(([, b]) => existsSync(join(bundles.root, b.entryPoints[0])))
    .map(([name]) => build(bundles.bundleOptions(name))),
);
