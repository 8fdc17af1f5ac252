// The cluster check's code (@kubernetes/client-node) lives in dist/cluster.js only: the main bundle
// requires it on the first `Check cluster`, the CLI on its first `cluster` command, and the VSIX ships it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const root = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own options (CommonJS, shared with scripts/build.mjs)
const { bundleOptions } = require(join(root, 'scripts', 'bundles.cjs')) as { bundleOptions: (name: string, overrides?: BuildOptions) => BuildOptions };

/** The modules a bundle holds and the paths it leaves external (esbuild's metafile). */
async function metaOf(name: string): Promise<{ inputs: string[]; external: string[] }> {
  const result = await build(bundleOptions(name, { write: false, metafile: true, logLevel: 'silent' }));
  const outputs = Object.values((result.metafile as Metafile).outputs);
  return {
    inputs: outputs.flatMap((o) => Object.keys(o.inputs)),
    external: outputs.flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)),
  };
}

test('@kubernetes/client-node and src/cluster are in dist/cluster.js, not in dist/extension.js or dist/cli.js, which require it', async () => {
  const cluster = await metaOf('cluster');
  assert.ok(cluster.inputs.some((p) => p.includes('node_modules/@kubernetes/client-node/')));
  assert.ok(cluster.inputs.includes('src/cluster/read.ts'));
  for (const name of ['extension', 'cli']) {
    const other = await metaOf(name);
    assert.deepEqual(other.inputs.filter((p) => p.includes('@kubernetes/') || p.startsWith('src/cluster/')), [], `dist/${name}.js holds cluster code`);
    assert.ok(other.external.includes('./cluster'), `dist/${name}.js requires ./cluster: ${other.external.join(', ')}`);
  }
  assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!dist\/cluster\.js$/m);
});

test('the Azure SDKs of `cluster --azure` are in dist/cli-azure.js, which dist/cli.js requires; dist/cli.js holds no @azure code', async () => {
  const cli = await metaOf('cli');
  assert.deepEqual(cli.inputs.filter((p) => p.includes('node_modules/@azure/') || p.startsWith('src/vscode/')), [], 'dist/cli.js holds Azure code');
  assert.ok(cli.external.includes('./cli-azure'), `dist/cli.js requires ./cli-azure: ${cli.external.join(', ')}`);
  const azure = await metaOf('cliAzure');
  for (const sdk of ['@azure/identity', '@azure/arm-msi', '@azure/arm-containerservice', '@azure/arm-resources-subscriptions']) {
    assert.ok(azure.inputs.some((p) => p.includes(`node_modules/${sdk}/`)), `dist/cli-azure.js lacks ${sdk}`);
  }
  assert.ok(azure.inputs.includes('src/vscode/azure/federatedCheck/index.ts'));
  // No editor code: the CLI runs without vscode.
  assert.deepEqual(azure.inputs.filter((p) => /^src\/vscode\/(?!azure\/)|federatedCheck\/editor\.ts$|^src\/core\//.test(p)), []);
  assert.ok(!azure.external.includes('vscode'));
  assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!dist\/cli-azure\.js$/m);
});
