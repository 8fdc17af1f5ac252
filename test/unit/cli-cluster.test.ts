// `wi-migrate cluster` against the local Kubernetes API test server: text and JSON, exit codes,
// the repository compared, and the bundled CLI (which reads the cluster through dist/cluster.js).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runClusterCli } from '../../src/cli/cluster';
import { runCli } from '../../src/cli/main';
import { CONTEXTS, KUBE_EXEC_TOKEN, KUBE_TOKEN, writeKubeconfig } from '../kube/kubeconfig';
import { CLIENT_IDS, sampleCluster } from '../kube/sampleCluster';
import { startKubeServer, type KubeServer } from '../kube/server';
import { runAsync } from '../support/spawn';

const ROOT = join(__dirname, '..', '..', '..');
let server: KubeServer;
let dir: string;
let kubeconfig: string;

before(async () => {
  server = await startKubeServer({ seed: sampleCluster(), tokens: [KUBE_TOKEN, KUBE_EXEC_TOKEN], maxPageSize: 4 });
  dir = mkdtempSync(join(tmpdir(), 'wi-cli-kube-'));
  kubeconfig = writeKubeconfig(server, dir);
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('wi-migrate cluster', () => {
  test('text: what is installed, each workload and why, drift from the examples, exit 1', async () => {
    const result = await runClusterCli(['examples/manifests', '--kubeconfig', kubeconfig], ROOT);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 1);
    const text = result.stdout;
    assert.match(text, new RegExp(`^Cluster: context ${CONTEXTS.token} \\(${server.url.replace(/\./g, '\\.')}\\)\\n`));
    assert.match(text, /still installed: 2 AzureIdentity \(billing\/billing-identity, legacy\/legacy-identity\)/);
    assert.match(text, /still installed: 2 NMI pods \(kube-system\/nmi-00xyz, kube-system\/nmi-01xyz\)/);
    assert.match(text, /still installed: 1 MIC pods \(default\/mic-7f6d9c8b-2k4lm\)/);
    assert.match(text, /Workload identity webhook:\n {2}installed \(azure-wi-webhook-mutating-webhook-configuration\)/);
    assert.match(text, /✗ billing\/Deployment\/billing-api: still on pod identity\n {6}Pods labelled aadpodidbinding: billing-identity; gets billing\/billing-identity/);
    assert.match(text, /✓ orders\/Deployment\/orders-api: migrated\n/);
    assert.match(text, /container api: 4 variables injected; token \/var\/run\/secrets\/azure\/tokens\/azure-identity-token \(audience api:\/\/AzureADTokenExchange\)/);
    assert.match(text, /✗ payments\/Deployment\/payments: migrated, not mutated/);
    // examples/ still has orders-api on pod identity; the cluster runs it migrated.
    assert.match(text, /Drift from the repository:\n {2}✗ orders\/Deployment\/orders-api: migrated in the cluster, not in the repository\./);
    assert.match(text, /Workload identity ready: yes\. Pod identity gone: no\.\n$/);
  });

  test('json: the report and the view\'s states, parseable, with the context asked for', async () => {
    const result = await runClusterCli(['examples/manifests', '--kubeconfig', kubeconfig, '--context', CONTEXTS.exec, '--format', 'json'], ROOT);
    assert.equal(result.code, 1, result.stderr);
    const json = JSON.parse(result.stdout) as {
      context: string;
      summary: { workloadIdentityReady: boolean; podIdentityGone: boolean };
      workloads: Array<{ key: string; state: string; workloadIdentity?: { serviceAccountClientId?: string } }>;
      states: Array<{ key: string; state: string; detail: string; problem: boolean }>;
      drift: Array<{ key: string; state: string }>;
    };
    assert.equal(json.context, CONTEXTS.exec);
    assert.deepEqual(json.summary, { workloadIdentityReady: true, podIdentityGone: false });
    assert.equal(json.workloads.find((w) => w.key === 'reports/CronJob/nightly-report')?.workloadIdentity?.serviceAccountClientId, CLIENT_IDS.reports);
    assert.deepEqual(json.drift.map((d) => d.key), ['orders/Deployment/orders-api']);
    for (const s of json.states) assert.deepEqual(Object.keys(s).sort(), ['detail', 'key', 'problem', 'state']);
    assert.ok(json.states.some((s) => s.key === 'legacy/AzureIdentityBinding/legacy-binding' && s.problem));
  });

  test('usage errors and an unreadable cluster exit 2 with a message', async () => {
    const badFormat = await runClusterCli(['--format', 'sarif', '--kubeconfig', kubeconfig], ROOT);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be text or json, not "sarif"/);
    const refused = await runClusterCli(['examples/manifests', '--kubeconfig', kubeconfig, '--context', CONTEXTS.refused], ROOT);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^wi-migrate cluster: The API server of context aks-refused refused the kubeconfig's credentials \(401 Unauthorized\)\./);
    assert.match(runCli(['--help']).stdout, /wi-migrate cluster \[paths\.\.\.\] \[--context NAME\] \[--format text\|json\]/);
    assert.match((await runClusterCli(['--help'])).stdout, /^Usage: wi-migrate cluster /);
  });

  test('the bundled CLI (dist/cli.js) reads the cluster through dist/cluster.js, GET requests only', async () => {
    if (!existsSync(join(ROOT, 'dist', 'cluster.js')) || !existsSync(join(ROOT, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    server.requests.length = 0;
    // Asynchronously: the test server answers from this process's event loop.
    const { status, stdout, stderr } = await runAsync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'cluster', 'examples/manifests', '--format', 'json'], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    assert.equal(status, 1, stderr);
    assert.equal((JSON.parse(stdout) as { context: string }).context, CONTEXTS.token);
    assert.ok(server.requests.length >= 8);
    assert.deepEqual([...new Set(server.requests.map((r) => r.method))], ['GET']);
  });
});
