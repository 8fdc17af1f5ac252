// The main bundle loads fast: it holds the editor layer and the pre-scan only. The analysis (core,
// rules, yaml) lives in dist/core.js, loaded the first time the pre-scan finds something of
// identity; the Azure SDKs in dist/azure.js, loaded on the first Azure command (esbuild's metafile
// says which modules each bundle holds). None holds the host tests' hooks: they live in dist/test-hooks.js.
// Builds the bundles first when they are missing or older than the sources.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const root = join(__dirname, '..', '..', '..');
const dist = (name: string) => join(root, 'dist', name);

function newestSource(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .reduce((newest, f) => Math.max(newest, statSync(join(dir, f)).mtimeMs), 0);
}

function ensureBuilt(): void {
  const built = ['extension.js', 'core.js', 'azure.js', 'test-hooks.js', 'cli.js', 'cli-azure.js'].map(dist);
  const stale = built.some((f) => !existsSync(f) || statSync(f).mtimeMs < newestSource(join(root, 'src')));
  if (!stale) return;
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, `the build failed:\n${build.stderr}`);
}

const SDK_MARKERS = ['@azure/arm-msi', 'ManagedServiceIdentityClient', 'ContainerServiceClient', 'SubscriptionClient', '@azure/core-rest-pipeline', '@azure/identity', 'AzureCliCredential', 'msal'];

test('dist/extension.js holds no Azure SDK code; dist/azure.js holds it', () => {
  ensureBuilt();
  const main = readFileSync(dist('extension.js'), 'utf8');
  const azure = readFileSync(dist('azure.js'), 'utf8');
  for (const marker of SDK_MARKERS) {
    assert.ok(!main.includes(marker), `dist/extension.js contains ${marker}`);
  }
  for (const marker of ['ManagedServiceIdentityClient', 'ContainerServiceClient', 'SubscriptionClient', 'AzureCliCredential']) {
    assert.ok(azure.includes(marker), `dist/azure.js lacks ${marker}`);
  }
  // The main bundle reaches the Azure bundle by a plain require of the sibling file; the core reaches jsonc-parser the same way.
  assert.match(main, /require\("\.\/azure"\)/);
  assert.match(readFileSync(dist('core.js'), 'utf8'), /require\("\.\/jsonc"\)/);
  assert.match(readFileSync(dist('fixAllWorker.js'), 'utf8'), /require\("\.\/jsonc"\)/);
  assert.ok(existsSync(dist('jsonc.js')));
  assert.ok(statSync(dist('extension.js')).size < statSync(dist('azure.js')).size / 2);
});

test('dist/cli.js holds no Azure SDK code: `cluster --azure` requires dist/cli-azure.js, which holds it', () => {
  ensureBuilt();
  const cli = readFileSync(dist('cli.js'), 'utf8');
  for (const marker of SDK_MARKERS) assert.ok(!cli.includes(marker), `dist/cli.js contains ${marker}`);
  assert.doesNotMatch(cli, /@azure\//);
  assert.match(cli, /require\("\.\/cli-azure"\)/);
  const cliAzure = readFileSync(dist('cli-azure.js'), 'utf8');
  // Minified: the SDKs' class names are gone, their REST paths are not (the metafile test in cluster-bundle.test.ts names the packages).
  for (const marker of ['AzureCliCredential', '/providers/Microsoft.ManagedIdentity/userAssignedIdentities', '/providers/Microsoft.ContainerService/managedClusters', 'federatedIdentityCredentials']) {
    assert.ok(cliAzure.includes(marker), `dist/cli-azure.js lacks ${marker}`);
  }
});

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own options (CommonJS, shared with scripts/build.mjs)
const { bundleOptions } = require(join(root, 'scripts', 'bundles.cjs')) as { bundleOptions: (name: string, overrides?: BuildOptions) => BuildOptions };

/** The modules a bundle holds (esbuild's metafile), built with the build's options. */
async function inputsOf(name: string): Promise<string[]> {
  const result = await build(bundleOptions(name, { write: false, metafile: true, logLevel: 'silent' }));
  return Object.values((result.metafile as Metafile).outputs).flatMap((o) => Object.keys(o.inputs));
}

/** The packages (node_modules/<name>) of those modules. */
const packagesOf = (inputs: string[]) => [...new Set(inputs.flatMap((p) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1] ?? []))].sort();

/** The modules of src/core the main bundle may hold: the pre-scan and tables that import nothing (no rule, no parse). */
const CORE_IN_MAIN = ['src/core/fileKinds.ts', 'src/core/highlightKinds.ts', 'src/core/ruleFileKinds.ts', 'src/core/scan.ts', 'src/core/suppression.ts', 'src/core/text.ts', 'src/core/workloadState.ts'];

test('esbuild\'s metafile: the main bundle holds the editor layer and the pre-scan, no dependency, no rule, none of the Azure commands or test hooks; the Azure bundle holds the SDKs', async () => {
  const main = await inputsOf('extension');
  assert.deepEqual(packagesOf(main), []);
  assert.deepEqual(main.filter((p) => p.startsWith('src/core/')).sort(), CORE_IN_MAIN);
  assert.deepEqual(main.filter((p) => !p.startsWith('src/core/') && !p.startsWith('src/vscode/')), []);
  assert.deepEqual(main.filter((p) => p.startsWith('src/vscode/azure/') || p === 'src/vscode/testHooks.ts' || p === 'src/vscode/core.ts'), []);
  // jsonc-parser (ARM templates) is in its own bundle, required as './jsonc' by the core and the fix-all worker.
  assert.deepEqual(packagesOf(await inputsOf('jsonc')), ['jsonc-parser']);
  assert.deepEqual(packagesOf(await inputsOf('fixAllWorker')), ['yaml']);
  assert.deepEqual(packagesOf(await inputsOf('core')), ['yaml']);
  const azure = await inputsOf('azure');
  for (const sdk of ['@azure/arm-msi', '@azure/arm-containerservice', '@azure/identity', '@azure/core-rest-pipeline']) assert.ok(packagesOf(azure).includes(sdk), `dist/azure.js lacks ${sdk}`);
  assert.deepEqual(azure.filter((p) => /^src\/vscode\/(testHooks|azure\/(scriptedUi|testing))\.ts$/.test(p)), []);
  assert.ok(azure.includes('src/vscode/azure/index.ts'));
  assert.ok(!azure.includes('src/vscode/core.ts'), 'the Azure bundle shares dist/core.js, it holds no copy of its entry');
});

test('esbuild\'s metafile: the core bundle holds the analysis (yaml, every rule, the engine and the index), no Azure SDK, none of the editor layer', async () => {
  const core = await inputsOf('core');
  assert.deepEqual(packagesOf(core), ['yaml']);
  const rules = readdirSync(join(root, 'src', 'core', 'rules')).filter((f) => f.endsWith('.ts')).map((f) => `src/core/rules/${f}`);
  for (const module of [...rules, 'src/core/engine.ts', 'src/core/workspace.ts', 'src/core/model.ts', 'src/core/scan.ts']) assert.ok(core.includes(module), `dist/core.js lacks ${module}`);
  assert.deepEqual(core.filter((p) => p.startsWith('src/vscode/')), ['src/vscode/core.ts']);
});

test('the main bundle reaches the core bundle by a plain require of the sibling file, and names no module of the analysis', () => {
  ensureBuilt();
  const main = readFileSync(dist('extension.js'), 'utf8');
  assert.match(main, /require\("\.\/core"\)/);
  // Strings of the analysis that must not be in the main bundle: rules' ids, yaml's error codes.
  const markers = ['pod-identity-label-typo', 'unparsable-document', 'MISSING_CHAR', 'BAD_INDENT'];
  const core = readFileSync(dist('core.js'), 'utf8');
  for (const marker of markers) {
    assert.ok(!main.includes(marker), `dist/extension.js contains ${marker}`);
    assert.ok(core.includes(marker), `dist/core.js lacks ${marker}`);
  }
  // Shipped: the VSIX takes the files .vscodeignore lists.
  assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!dist\/core\.js$/m);
});

test('the shell parser (mvdan-sh) is in dist/shell-parser.js alone: every other bundle requires that sibling file when a script is first read', async () => {
  for (const name of ['extension', 'core', 'fixAllWorker', 'cli']) assert.ok(!packagesOf(await inputsOf(name)).includes('mvdan-sh'), `dist/${name}.js holds mvdan-sh`);
  assert.deepEqual(packagesOf(await inputsOf('shellParser')), ['mvdan-sh']);
  ensureBuilt();
  // The analysis (dist/core.js, itself loaded on first need) is what reads scripts.
  assert.match(readFileSync(dist('core.js'), 'utf8'), /require\("\.\/shell-parser\.js"\)/);
  // Loaded on first use: the CLI bundle checking YAML alone never loads it; checking a script does.
  const dir = mkdtempSync(join(tmpdir(), 'wi-shell-'));
  const hook = join(dir, 'hook.js');
  writeFileSync(hook, `const M = require('module'); const load = M._load; M._load = function (r, ...a) { if (r === './shell-parser.js') process.stderr.write('shell parser loaded\\n'); return load.call(this, r, ...a); };`);
  writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
  const run = () => spawnSync(process.execPath, ['-r', hook, dist('cli.js'), 'check', '.'], { cwd: dir, encoding: 'utf8' }).stderr;
  assert.doesNotMatch(run(), /shell parser loaded/);
  writeFileSync(join(dir, 'deploy.sh'), 'az aks pod-identity delete --name a\n');
  assert.match(run(), /shell parser loaded/);
  rmSync(dir, { recursive: true, force: true });
  assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!dist\/shell-parser\.js$/m);
});

// The scripted UI and the Azure test hooks (class names and messages), the host tests' event-loop monitor.
const TEST_ONLY_MARKERS = ['ScriptedUi = class', 'scripted UI: no answer left', 'AzureTesting = class', 'setUserInput', 'function createTestHooks', 'monitorEventLoopDelay'];

test('the host tests\' hooks are in dist/test-hooks.js only, not in dist/extension.js, dist/core.js or dist/azure.js', () => {
  ensureBuilt();
  const hooks = readFileSync(dist('test-hooks.js'), 'utf8');
  for (const name of ['extension.js', 'core.js', 'azure.js']) {
    const bundle = readFileSync(dist(name), 'utf8');
    for (const marker of TEST_ONLY_MARKERS) assert.ok(!bundle.includes(marker), `dist/${name} contains ${marker}`);
  }
  for (const marker of TEST_ONLY_MARKERS) assert.ok(hooks.includes(marker), `dist/test-hooks.js lacks ${marker}`);
  // Not shipped: the VSIX takes only the files .vscodeignore lists.
  assert.doesNotMatch(readFileSync(join(root, '.vscodeignore'), 'utf8'), /test-hooks/);
});
