// The cluster check through the real @kubernetes/client-node, against the local HTTPS Kubernetes
// API test server (test/kube), reached through a generated kubeconfig.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clusterStates, compareWithRepository, formatClusterText, kubeContexts, readCluster, ClusterReadError } from '../../src/cluster';
import { DRIFT } from '../../src/cluster/compare';
import { STATES, type ClusterReport } from '../../src/cluster/report';
import { Project } from '../../src/core/engine';
import { CONTEXTS, KUBE_EXEC_TOKEN, KUBE_TOKEN, writeKubeconfig } from '../kube/kubeconfig';
import { CLIENT_IDS, sampleCluster } from '../kube/sampleCluster';
import { startKubeServer, type KubeServer } from '../kube/server';

let server: KubeServer;
let dir: string;
let kubeconfig: string;

before(async () => {
  // Pages of at most 3 items: every list the check makes spans several pages.
  server = await startKubeServer({ seed: sampleCluster(), tokens: [KUBE_TOKEN, KUBE_EXEC_TOKEN], maxPageSize: 3 });
  dir = mkdtempSync(join(tmpdir(), 'wi-kube-'));
  kubeconfig = writeKubeconfig(server, dir);
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const workload = (report: ClusterReport, key: string) => {
  const w = report.workloads.find((x) => x.key === key);
  assert.ok(w, `${key} in ${report.workloads.map((x) => x.key).join(', ')}`);
  return w;
};

describe('readCluster', () => {
  test('reads every list page by page, with GET requests only', async () => {
    server.requests.length = 0;
    const report = await readCluster({ kubeconfig });
    assert.equal(report.context, CONTEXTS.token);
    assert.equal(report.server, server.url);
    assert.deepEqual(report.unreadable, []);
    // 12 pods in pages of 3: four requests, each after the first carrying the previous page's `continue`.
    assert.equal(sampleCluster().pods?.length, 12);
    const podRequests = server.requests.filter((r) => r.path === '/api/v1/pods');
    assert.equal(podRequests.length, 4);
    assert.ok(podRequests.slice(1).every((r) => /(^|&)continue=/.test(r.query)), podRequests.map((r) => r.query).join(' | '));
    assert.equal(report.workloads.length + report.otherWorkloads.length, 10, 'every pod read, grouped by workload');
    assert.deepEqual([...new Set(server.requests.map((r) => r.method))], ['GET']);
    assert.ok(server.requests.every((r) => r.status === 200), JSON.stringify(server.requests.filter((r) => r.status !== 200)));
    assert.ok(server.requests.every((r) => !/watch=/.test(r.query)));
  });

  test('pod identity still installed: identities (both spellings), bindings, the exception, NMI and MIC pods', async () => {
    const { podIdentity, summary } = await readCluster({ kubeconfig });
    assert.deepEqual(podIdentity.identities.map((i) => [`${i.namespace}/${i.name}`, i.clientID, i.type]), [
      ['billing/billing-identity', CLIENT_IDS.billing, 0],
      ['legacy/legacy-identity', CLIENT_IDS.legacy, 0],
    ]);
    assert.deepEqual(podIdentity.bindings.map((b) => [b.name, b.identity, b.selector]), [
      ['billing-identity-binding', 'billing-identity', 'billing-identity'],
      ['legacy-binding', 'legacy-identity', 'legacy'],
    ]);
    assert.deepEqual(podIdentity.exceptions, [{ namespace: 'default', name: 'imds-exception' }]);
    assert.deepEqual(podIdentity.nmiPods.map((p) => p.name).sort(), ['nmi-00xyz', 'nmi-01xyz']);
    assert.deepEqual(podIdentity.micPods, [{ namespace: 'default', name: 'mic-7f6d9c8b-2k4lm' }]);
    assert.equal(podIdentity.managedAddOn, false, 'a MIC pod runs: the open-source install, not the AKS add-on');
    assert.equal(summary.podIdentityGone, false);
  });

  test('pods still labelled aadpodidbinding, and the identity each gets', async () => {
    const report = await readCluster({ kubeconfig });
    const billing = workload(report, 'billing/Deployment/billing-api');
    assert.equal(billing.state, STATES.podIdentity);
    assert.equal(billing.problem, true);
    assert.deepEqual(billing.podIdentity?.identities, [{ binding: 'billing/billing-identity-binding', identity: 'billing-identity', namespace: 'billing', clientID: CLIENT_IDS.billing }]);
    assert.match(billing.detail, new RegExp(`aadpodidbinding: billing-identity; gets billing/billing-identity \\(client id ${CLIENT_IDS.billing}\\)`));
    const legacy = workload(report, 'legacy/Pod/legacy-tool');
    assert.equal(legacy.state, STATES.podIdentity);
    assert.equal(legacy.podIdentity?.identities[0].clientID, CLIENT_IDS.legacy);
  });

  test('workload identity pods: mutated, the token found by its mount path, audience and service account checked', async () => {
    const report = await readCluster({ kubeconfig });
    assert.deepEqual(report.webhook, { installed: true, configurations: ['azure-wi-webhook-mutating-webhook-configuration'] });
    assert.equal(report.summary.workloadIdentityReady, true);

    const orders = workload(report, 'orders/Deployment/orders-api');
    assert.equal(orders.state, STATES.migrated, orders.detail);
    assert.equal(orders.problem, false);
    assert.deepEqual(orders.pods.length, 2);
    assert.equal(orders.workloadIdentity?.serviceAccountClientId, CLIENT_IDS.orders);
    assert.deepEqual(orders.workloadIdentity?.containers, [
      { name: 'api', missingEnv: [], tokenFile: '/var/run/secrets/azure/tokens/azure-identity-token', tokenMounted: true, audience: 'api://AzureADTokenExchange', clientId: CLIENT_IDS.orders },
    ]);

    // A CronJob's pod, through its Job; the pre-1.6 token path; the skipped sidecar is not checked.
    const reports = workload(report, 'reports/CronJob/nightly-report');
    assert.equal(reports.state, STATES.migrated, reports.detail);
    assert.deepEqual(reports.workloadIdentity?.containers.map((c) => [c.name, c.tokenFile]), [['report', '/var/run/secrets/tokens/azure-identity-token']]);

    const payments = workload(report, 'payments/Deployment/payments');
    assert.equal(payments.state, STATES.notMutated);
    assert.equal(payments.problem, true);
    assert.match(payments.detail, /^Container payments lacks AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST\.$/);

    // The token volume has another name than the webhook's today: still found, by its mount path.
    const ledger = workload(report, 'ledger/StatefulSet/ledger');
    assert.equal(ledger.state, STATES.problems);
    assert.equal(ledger.workloadIdentity?.containers[0].tokenMounted, true);
    assert.equal(ledger.workloadIdentity?.containers[0].audience, 'api://AzureADTokenExchangeUSGov');
    assert.match(ledger.detail, /^Service account ledger has no azure\.workload\.identity\/client-id annotation/);
    assert.match(ledger.detail, /container ledger's token audience is api:\/\/AzureADTokenExchangeUSGov, not api:\/\/AzureADTokenExchange/);

    assert.ok(report.otherWorkloads.includes('shipping/Deployment/shipping'));
    assert.ok(!report.workloads.some((w) => w.key.startsWith('kube-system/')), 'NMI and the webhook are not workloads to migrate');
  });

  test('the audience compared is the one asked for', async () => {
    const report = await readCluster({ kubeconfig, audience: 'api://AzureADTokenExchangeUSGov' });
    assert.equal(workload(report, 'orders/Deployment/orders-api').state, STATES.problems);
    assert.match(workload(report, 'ledger/StatefulSet/ledger').detail, /^Service account ledger has no/);
    assert.doesNotMatch(workload(report, 'ledger/StatefulSet/ledger').detail, /audience/);
  });

  test('an exec credential plugin (kubelogin) signs the requests of its context', async () => {
    const report = await readCluster({ kubeconfig, context: CONTEXTS.exec });
    assert.equal(report.context, CONTEXTS.exec);
    assert.equal(report.workloads.length, 6);
  });

  test('a 403 on one resource is reported, and the rest is still read', async () => {
    server.forbidden.add('serviceaccounts');
    server.forbidden.add('azureidentities');
    try {
      const report = await readCluster({ kubeconfig });
      assert.deepEqual(report.unreadable.map((u) => [u.resource, u.status]), [['serviceaccounts', 403], ['azureidentities', 403]]);
      assert.match(report.unreadable[0].message, /^The account may not list serviceaccounts \(403 Forbidden\): serviceaccounts is forbidden: User "test-user" cannot list resource "serviceaccounts"/);
      assert.equal(report.podIdentity.bindings.length, 2, 'bindings still read');
      assert.equal(workload(report, 'orders/Deployment/orders-api').workloadIdentity?.serviceAccountFound, undefined, 'unknown, not missing');
      assert.equal(workload(report, 'orders/Deployment/orders-api').state, STATES.migrated);
      assert.equal(report.summary.podIdentityGone, false, 'identities unreadable: pod identity cannot be said gone');
      assert.match(formatClusterText(report), /Not read: The account may not list azureidentities \(403 Forbidden\)/);
    } finally {
      server.forbidden.clear();
    }
  });

  test('refused credentials (401 everywhere) and an unknown context are errors that say so', async () => {
    await assert.rejects(readCluster({ kubeconfig, context: CONTEXTS.refused }), (e: Error) => e instanceof ClusterReadError && /refused the kubeconfig's credentials \(401 Unauthorized\)/.test(e.message));
    await assert.rejects(readCluster({ kubeconfig, context: 'nope' }), /The kubeconfig has no context named nope\./);
    assert.deepEqual(kubeContexts({ kubeconfig }), { contexts: [CONTEXTS.token, CONTEXTS.exec, CONTEXTS.refused], current: CONTEXTS.token });
  });

  test('KUBECONFIG as kubectl reads it: files merged, the first one\'s current context; none at all is an error that says what to do', async () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    const second = join(dir, 'second-kubeconfig');
    writeFileSync(second, JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'other', clusters: [{ name: 'c2', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u2', user: {} }], contexts: [{ name: 'other', context: { cluster: 'c2', user: 'u2' } }] }));
    try {
      process.env.KUBECONFIG = [kubeconfig, second].join(delimiter);
      assert.deepEqual(kubeContexts({}), { contexts: [CONTEXTS.token, CONTEXTS.exec, CONTEXTS.refused, 'other'], current: CONTEXTS.token });
      assert.equal((await readCluster({})).context, CONTEXTS.token);
      delete process.env.KUBECONFIG;
      process.env.HOME = dir; // no .kube/config there
      await assert.rejects(readCluster({}), (e: Error) => e instanceof ClusterReadError && /^No kubeconfig: KUBECONFIG is not set and .*\.kube\/config does not exist\. Get one \(for AKS: az aks get-credentials\)/.test(e.message));
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('a cluster that does not answer is an error naming the context and server', async () => {
    const gone = await startKubeServer({ seed: {}, tokens: [KUBE_TOKEN] });
    const goneDir = mkdtempSync(join(tmpdir(), 'wi-kube-gone-'));
    const path = writeKubeconfig(gone, goneDir);
    await gone.close();
    try {
      await assert.rejects(readCluster({ kubeconfig: path }), (e: Error) => e instanceof ClusterReadError && e.message.startsWith(`The cluster of context ${CONTEXTS.token} (${gone.url}) did not answer: `));
    } finally {
      rmSync(goneDir, { recursive: true, force: true });
    }
  });

  test('a cluster without pod identity: CRDs absent (404) is not an error, and pod identity is gone', async () => {
    const seed = sampleCluster();
    const clean = await startKubeServer({ seed: { ...seed, pods: seed.pods?.filter((p) => !/nmi|mic|billing|legacy/.test(JSON.stringify((p as { metadata: unknown }).metadata))) }, tokens: [KUBE_TOKEN], podIdentityCrds: false });
    const cleanDir = mkdtempSync(join(tmpdir(), 'wi-kube-clean-'));
    try {
      const report = await readCluster({ kubeconfig: writeKubeconfig(clean, cleanDir) });
      assert.deepEqual(report.unreadable, []);
      assert.deepEqual(report.summary, { workloadIdentityReady: true, podIdentityGone: true });
      assert.ok(clean.requests.some((r) => r.path === '/apis/aadpodidentity.k8s.io/v1/azureidentities' && r.status === 404));
      assert.match(formatClusterText(report), /Pod identity:\n {2}gone: no pod identity objects, NMI or MIC pods\./);
    } finally {
      await clean.close();
      rmSync(cleanDir, { recursive: true, force: true });
    }
  });

  test('the AKS-managed add-on: its exception, NMI in kube-system and no MIC pod', async () => {
    const seed = sampleCluster();
    const addon = await startKubeServer({
      seed: { ...seed, pods: seed.pods?.filter((p) => !JSON.stringify(p).includes('aad-pod-identity/mic')), azurepodidentityexceptions: [{ metadata: { namespace: 'kube-system', name: 'aks-addon-exception' }, spec: { podLabels: { 'kubernetes.azure.com/managedby': 'aks' } } }] },
      tokens: [KUBE_TOKEN],
    });
    const addonDir = mkdtempSync(join(tmpdir(), 'wi-kube-addon-'));
    try {
      const report = await readCluster({ kubeconfig: writeKubeconfig(addon, addonDir) });
      assert.equal(report.podIdentity.managedAddOn, true);
      assert.match(formatClusterText(report), /the AKS-managed pod identity add-on is installed/);
    } finally {
      await addon.close();
      rmSync(addonDir, { recursive: true, force: true });
    }
  });

  test('without the webhook, labelled pods are reported and workload identity is not ready', async () => {
    const noWebhook = await startKubeServer({ seed: { ...sampleCluster(), mutatingwebhookconfigurations: [] }, tokens: [KUBE_TOKEN] });
    const noWebhookDir = mkdtempSync(join(tmpdir(), 'wi-kube-nowh-'));
    try {
      const report = await readCluster({ kubeconfig: writeKubeconfig(noWebhook, noWebhookDir) });
      assert.equal(report.webhook.installed, false);
      assert.equal(report.summary.workloadIdentityReady, false);
      assert.match(workload(report, 'payments/Deployment/payments').detail, /^The workload identity webhook is not installed; /);
    } finally {
      await noWebhook.close();
      rmSync(noWebhookDir, { recursive: true, force: true });
    }
  });
});

describe('compareWithRepository', () => {
  test('drift both ways, from the core\'s workspace index', async () => {
    const project = new Project();
    // The repository: orders-api still on pod identity (the cluster runs it migrated), shipping and
    // billing-api migrated (the cluster runs them without the label / on pod identity), and a
    // migrated workload the cluster does not run.
    const deployment = (ns: string, name: string, labels: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n${labels}    spec:\n      serviceAccountName: ${name}\n      containers:\n        - name: app\n          image: app\n`;
    project.set('orders.yaml', deployment('orders', 'orders-api', '        aadpodidbinding: orders-identity\n'));
    project.set('shipping.yaml', deployment('shipping', 'shipping', '        azure.workload.identity/use: "true"\n'));
    project.set('billing.yaml', deployment('billing', 'billing-api', '        azure.workload.identity/use: "true"\n'));
    project.set('invoices.yaml', deployment('billing', 'invoices', '        azure.workload.identity/use: "true"\n'));
    project.set('reports.yaml', deployment('reports', 'untouched', ''));
    const report = compareWithRepository(await readCluster({ kubeconfig }), project.index.pods);
    assert.deepEqual(report.drift.map((d) => [d.key, d.state, d.problem]), [
      ['billing/Deployment/billing-api', DRIFT.notDeployed, true],
      ['billing/Deployment/invoices', DRIFT.absent, false],
      ['orders/Deployment/orders-api', DRIFT.notInRepository, true],
      ['shipping/Deployment/shipping', DRIFT.notDeployed, true],
    ]);
    const states = clusterStates(report);
    const orders = states.find((s) => s.key === 'orders/Deployment/orders-api');
    assert.equal(orders?.state, DRIFT.notInRepository);
    assert.match(orders?.detail ?? '', /undoes the migration\. Mutated by the webhook/);
    assert.deepEqual(states.find((s) => s.key === 'billing/AzureIdentity/billing-identity'), {
      key: 'billing/AzureIdentity/billing-identity',
      state: 'installed in the cluster',
      detail: `AzureIdentity billing-identity (client id ${CLIENT_IDS.billing}) is still in the cluster.`,
      problem: true,
    });
    assert.equal(new Set(states.map((s) => s.key)).size, states.length, 'one state per key');
    assert.match(formatClusterText(report), /Drift from the repository:\n {2}✗ billing\/Deployment\/billing-api: migrated in the repository, not in the cluster\./);
  });
});
