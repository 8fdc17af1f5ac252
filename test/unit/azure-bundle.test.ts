// The main bundle loads fast and without the Azure SDKs: they live in dist/azure.js, loaded on
// the first Azure command. Builds the bundles first when they are missing or older than the sources.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const dist = (name: string) => join(root, 'dist', name);

function newestSource(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .reduce((newest, f) => Math.max(newest, statSync(join(dir, f)).mtimeMs), 0);
}

function ensureBuilt(): void {
  const built = ['extension.js', 'azure.js'].map(dist);
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
  // The main bundle reaches the Azure bundle by a plain require of the sibling file.
  assert.match(main, /require\("\.\/azure"\)/);
  assert.ok(statSync(dist('extension.js')).size < statSync(dist('azure.js')).size / 2);
});
