// `wi-migrate cluster --azure`: the cluster read from the local Kubernetes API test server
// (test/kube), the federated credentials from the local ARM test server (test/arm) through the real
// SDK clients, signed in by the real @azure/identity AzureCliCredential running a fake `az` on PATH
// (test/arm/standalone.ts). Text and JSON of each state, not logged in, and the bundled CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runClusterCli } from '../../src/cli/cluster';
import { FEDERATED } from '../../src/cluster/federated';
import { CHECKED_ISSUER, worldWithCheckedCluster } from '../arm/clusterWorld';
import { TENANT_ID } from '../arm/sampleWorld';
import { startArmServer, type ArmServer } from '../arm/server';
import { FAKE_AZ_TOKEN, writeFakeAz } from '../arm/standalone';
import type { ArmSeed } from '../arm/state';
import { KUBE_TOKEN, writeKubeconfig } from '../kube/kubeconfig';
import { sampleCluster } from '../kube/sampleCluster';
import { startKubeServer, type KubeServer } from '../kube/server';
import { runAsync } from '../support/spawn';

const ROOT = join(__dirname, '..', '..', '..');
let kube: KubeServer;
let dir: string;
let kubeconfig: string;
let binDir: string;
const saved = { PATH: process.env.PATH, WI_FAKE_AZ_MODE: process.env.WI_FAKE_AZ_MODE };

before(async () => {
  kube = await startKubeServer({ seed: sampleCluster(), tokens: [KUBE_TOKEN] });
  dir = mkdtempSync(join(tmpdir(), 'wi-cli-azure-'));
  kubeconfig = writeKubeconfig(kube, dir);
  binDir = writeFakeAz(dir);
  // AzureCliCredential runs `az` from PATH: the fake first.
  process.env.PATH = `${binDir}${delimiter}${saved.PATH ?? ''}`;
});

after(async () => {
  process.env.PATH = saved.PATH;
  if (saved.WI_FAKE_AZ_MODE === undefined) delete process.env.WI_FAKE_AZ_MODE;
  else process.env.WI_FAKE_AZ_MODE = saved.WI_FAKE_AZ_MODE;
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The sample world with the checked cluster at the kube server's host; `change` edits the addition. */
function seedWith(change?: Parameters<typeof worldWithCheckedCluster>[1]): ArmSeed {
  return worldWithCheckedCluster(new URL(kube.url).hostname, change);
}

async function armWith(t: { after(fn: () => Promise<void>): void }, seed: ArmSeed): Promise<ArmServer> {
  const server = await startArmServer({ seed, acceptedTokens: [FAKE_AZ_TOKEN] });
  t.after(() => server.close());
  return server;
}

const cli = (server: ArmServer, ...args: string[]) =>
  runClusterCli(['examples/manifests', '--kubeconfig', kubeconfig, '--azure', '--resource-manager-endpoint', server.url, ...args], ROOT, {
    azureTransport: { tlsOptions: { ca: server.cert }, retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 } },
  });

interface Json {
  federated?: { cluster?: { name: string; issuer: string }; summary: string; workloads: Array<{ key: string; state: string; problem: boolean; detail: string }> };
  states: Array<{ key: string; state: string; detail: string; problem: boolean }>;
}

describe('wi-migrate cluster --azure', () => {
  test('without --azure: no federated credentials, and the Azure part is not loaded', async () => {
    const result = await runClusterCli(['examples/manifests', '--kubeconfig', kubeconfig, '--format', 'json'], ROOT);
    assert.equal(result.code, 1, result.stderr);
    assert.equal((JSON.parse(result.stdout) as Json).federated, undefined);
    assert.doesNotMatch(result.stdout, /federated credential/);
    assert.ok(!Object.keys(require.cache).some((p) => /[\\/]src[\\/]cli[\\/]azure\.js$/.test(p) || /[\\/]node_modules[\\/]@azure[\\/]/.test(p)), 'no Azure module was required');
  });

  test('text: found, issuer mismatch and audience mismatch beside each workload, and the summary, as the editor shows them', async (t) => {
    const server = await armWith(t, seedWith());
    const result = await cli(server);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 1);
    const text = result.stdout;
    assert.match(text, /✓ orders\/Deployment\/orders-api: migrated\n(.*\n)*? {6}✓ federated credential: found: Federated credential orders-api on identity orders-identity/);
    assert.match(text, / {6}✗ federated credential: issuer mismatch: Identity reports-identity has a federated credential/);
    assert.match(text, / {6}✗ federated credential: audience mismatch: /);
    assert.match(text, new RegExp(`\\nFederated credentials \\(Azure\\):\\n {2}Checked against cluster aks-checked \\(issuer ${CHECKED_ISSUER.replace(/[.]/g, '\\.')}\\): 3 service accounts, 2 without a matching federated credential\\.`));
    assert.deepEqual([...new Set(server.requests.map((r) => r.method))], ['GET'], 'nothing is written to Azure');
    assert.ok(server.requests.length > 0);
    assert.ok(!text.includes(FAKE_AZ_TOKEN) && !result.stderr.includes(FAKE_AZ_TOKEN));
  });

  test('json: the federated report and a second state per workload; missing and identity not found', async (t) => {
    const server = await armWith(
      t,
      seedWith((added) => {
        added.federatedCredentials[0].subject = 'system:serviceaccount:orders:orders-worker';
        added.identities.splice(2, 1);
        added.federatedCredentials.splice(2, 1);
      }),
    );
    const result = await cli(server, '--format', 'json');
    assert.equal(result.code, 1, result.stderr);
    const json = JSON.parse(result.stdout) as Json;
    assert.equal(json.federated?.cluster?.name, 'aks-checked');
    assert.equal(json.federated?.cluster?.issuer, CHECKED_ISSUER);
    const federated = Object.fromEntries(json.states.filter((s) => s.state.startsWith('federated credential')).map((s) => [s.key, s]));
    assert.deepEqual(Object.keys(federated).sort(), ['orders/Deployment/orders-api', 'payments/Deployment/payments', 'reports/CronJob/nightly-report']);
    assert.equal(federated['orders/Deployment/orders-api'].state, FEDERATED.missing);
    assert.equal(federated['orders/Deployment/orders-api'].problem, true);
    assert.match(federated['orders/Deployment/orders-api'].detail, /^Identity orders-identity has no federated credential for system:serviceaccount:orders:orders-api/);
    assert.equal(federated['payments/Deployment/payments'].state, FEDERATED.identityNotFound);
    assert.equal(federated['reports/CronJob/nightly-report'].state, FEDERATED.issuerMismatch);
    // The workload's own state (here with the drift from examples/) is still there, first.
    assert.deepEqual(json.states.filter((s) => s.key === 'orders/Deployment/orders-api').map((s) => s.state), ['migrated in the cluster, not in the repository', FEDERATED.missing]);
    assert.ok(!('log' in (json.federated ?? {})), 'the Azure calls made are not part of the report');
  });

  test('az not logged in: one line on stderr, the cluster report printed, the exit status the cluster part\'s, no request to Azure', async (t) => {
    const server = await armWith(t, seedWith());
    process.env.WI_FAKE_AZ_MODE = 'loggedOut';
    t.after(() => delete process.env.WI_FAKE_AZ_MODE);
    const plain = await runClusterCli(['examples/manifests', '--kubeconfig', kubeconfig], ROOT);
    const result = await cli(server);
    assert.equal(result.stderr, 'wi-migrate cluster: not signed in to Azure (run az login): the federated credentials were not checked.\n');
    assert.equal(result.code, plain.code);
    assert.match(result.stdout, /^Cluster: context /);
    assert.match(result.stdout, / {6}✓ federated credential: not signed in, skipped: Not signed in to Azure: sign in \(az login\)/);
    assert.deepEqual(server.requests, []);
    const json = JSON.parse((await cli(server, '--format', 'json')).stdout) as Json;
    assert.ok(json.federated!.workloads.every((w) => w.state === FEDERATED.notSignedIn && !w.problem));
  });

  test('no az on PATH: told apart from a logged-out az, the cluster report still printed, no request to Azure', async (t) => {
    const server = await armWith(t, seedWith());
    const emptyBin = mkdtempSync(join(tmpdir(), 'wi-no-az-'));
    process.env.PATH = emptyBin;
    t.after(() => {
      process.env.PATH = `${binDir}${delimiter}${saved.PATH ?? ''}`;
      rmSync(emptyBin, { recursive: true, force: true });
    });
    const result = await cli(server);
    assert.equal(result.stderr, 'wi-migrate cluster: the Azure CLI (az) was not found (install it, then run az login): the federated credentials were not checked.\n');
    assert.match(result.stdout, / {6}✓ federated credential: not signed in, skipped: The Azure CLI \(az\) was not found: install it and run az login/);
    assert.deepEqual(server.requests, []);
  });

  test('usage: --cloud and --tenant go with --azure; an unknown cloud', async (t) => {
    const alone = await runClusterCli(['--cloud', 'AzureChinaCloud', '--kubeconfig', kubeconfig], ROOT);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--cloud, --tenant and --resource-manager-endpoint go with --azure/);
    const server = await armWith(t, seedWith());
    const unknown = await cli(server, '--cloud', 'AzureGermanCloud');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--cloud must be AzureCloud, AzureUSGovernment, AzureChinaCloud, not "AzureGermanCloud"/);
    assert.deepEqual(server.requests, []);
    assert.match((await runClusterCli(['--help'])).stdout, /--azure \[--cloud AzureCloud\|AzureUSGovernment\|AzureChinaCloud\] \[--tenant TENANT\]/);
  });

  test('the bundled CLI (dist/cli.js) checks through dist/cli-azure.js, the CA trusted through NODE_EXTRA_CA_CERTS', async (t) => {
    if (!existsSync(join(ROOT, 'dist', 'cli-azure.js')) || !existsSync(join(ROOT, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    const server = await armWith(t, seedWith());
    const caPath = join(dir, 'arm-ca.pem');
    writeFileSync(caPath, server.cert);
    // Asynchronously: both test servers answer from this process's event loop.
    const { status, stdout, stderr } = await runAsync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'cluster', 'examples/manifests', '--azure', '--resource-manager-endpoint', server.url, '--tenant', TENANT_ID, '--format', 'json'], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: kubeconfig, NODE_EXTRA_CA_CERTS: caPath, PATH: `${binDir}${delimiter}${saved.PATH ?? ''}` },
    });
    assert.equal(status, 1, stderr);
    assert.equal(stderr, '');
    const json = JSON.parse(stdout) as Json;
    assert.deepEqual(json.federated?.workloads.map((w) => [w.key, w.state]).sort(), [
      ['orders/Deployment/orders-api', FEDERATED.found],
      ['payments/Deployment/payments', FEDERATED.audienceMismatch],
      ['reports/CronJob/nightly-report', FEDERATED.issuerMismatch],
    ]);
    assert.ok(!stdout.includes(FAKE_AZ_TOKEN));
  });
});
