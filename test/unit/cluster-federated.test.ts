// The cluster check's federated-credential part end to end: the real @kubernetes/client-node reads
// the local Kubernetes API test server (test/kube), and the real Azure SDK clients read the local
// ARM test server (test/arm), where the cluster is found by its API server's host. Every state.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clusterStates, federatedRequest, formatClusterText, readCluster, withFederated } from '../../src/cluster';
import { FEDERATED, type FederatedReport, type FederatedRequest } from '../../src/cluster/federated';
import type { ClusterReport } from '../../src/cluster/report';
import { checkFederatedCredentials } from '../../src/vscode/azure/federatedCheck';
import { clusterForServer, serverHost } from '../../src/vscode/azure/federatedCheck/match';
import { azureSettings } from '../../src/vscode/azure/settings';
import { CHECKED_IDENTITIES, CHECKED_ISSUER, worldWithCheckedCluster } from '../arm/clusterWorld';
import { StaticTokenCredential } from '../arm/credentials';
import { startArmServer, type ArmServer } from '../arm/server';
import type { ArmSeed } from '../arm/state';
import { KUBE_TOKEN, writeKubeconfig } from '../kube/kubeconfig';
import { CLIENT_IDS, sampleCluster } from '../kube/sampleCluster';
import { startKubeServer, type KubeServer } from '../kube/server';

const TOKEN = 'federated-check-token';
let kube: KubeServer;
let dir: string;
let report: ClusterReport;
let request: FederatedRequest;

before(async () => {
  kube = await startKubeServer({ seed: sampleCluster(), tokens: [KUBE_TOKEN] });
  dir = mkdtempSync(join(tmpdir(), 'wi-kube-federated-'));
  report = await readCluster({ kubeconfig: writeKubeconfig(kube, dir) });
  request = federatedRequest(report);
});

after(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The sample world with the checked cluster at the kube server's host; `change` edits the addition. */
function seedWith(change?: Parameters<typeof worldWithCheckedCluster>[1]): ArmSeed {
  return worldWithCheckedCluster(new URL(kube.url).hostname, change);
}

async function armWith(t: { after(fn: () => Promise<void>): void }, seed: ArmSeed): Promise<ArmServer> {
  const server = await startArmServer({ seed, acceptedTokens: [TOKEN] });
  t.after(() => server.close());
  return server;
}

async function check(server: ArmServer, credential: ConstructorParameters<typeof StaticTokenCredential>[0] | { getToken(): Promise<never> } = TOKEN, settings: Parameters<typeof azureSettings>[0] = {}) {
  const log: string[] = [];
  const federated = await checkFederatedCredentials(request, {
    credential: typeof credential === 'string' ? new StaticTokenCredential(credential) : credential,
    settings: azureSettings({ resourceManagerEndpoint: server.url, ...settings }),
    log: { info: (m) => log.push(m), warn: (m) => log.push(`warn: ${m}`), error: (m) => log.push(`error: ${m}`) },
    transport: { tlsOptions: { ca: server.cert }, retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 } },
  });
  return { federated, log };
}

const byKey = (federated: FederatedReport) => Object.fromEntries(federated.workloads.map((w) => [w.key, w]));

describe('the request', () => {
  test('asks about the workload-identity workloads whose service account carries a client id, with their token audience', () => {
    assert.deepEqual(request, {
      server: kube.url,
      workloads: [
        // orders-api's pods have a token with the expected audience; payments' pods were never mutated.
        { key: 'orders/Deployment/orders-api', namespace: 'orders', serviceAccount: 'orders-api', clientId: CLIENT_IDS.orders, audience: 'api://AzureADTokenExchange' },
        { key: 'payments/Deployment/payments', namespace: 'payments', serviceAccount: 'payments', clientId: CLIENT_IDS.payments, audience: 'api://AzureADTokenExchange' },
        { key: 'reports/CronJob/nightly-report', namespace: 'reports', serviceAccount: 'reports', clientId: CLIENT_IDS.reports, audience: 'api://AzureADTokenExchange' },
      ],
    });
    // ledger's account has no client id; billing and legacy are still on pod identity.
    assert.ok(!request.workloads.some((w) => /ledger|billing|legacy/.test(w.key)));
  });
});

describe('the AKS cluster of a kubeconfig server', () => {
  const clusters = [
    { name: 'public', fqdn: 'aks-prod-1a2b3c4d.hcp.eastus.azmk8s.io' },
    { name: 'private', fqdn: 'aks-priv-9f8e.hcp.westeurope.azmk8s.io', privateFqdn: 'aks-priv-9f8e-5d6c.privatelink.westeurope.azmk8s.io' },
    { name: 'portal', fqdn: 'aks-p-7777.hcp.eastus.azmk8s.io', azurePortalFqdn: 'aks-p-7777.portal.hcp.eastus.azmk8s.io' },
  ];
  test('matches the host of the server az aks get-credentials writes: fqdn, privateFQDN or azurePortalFQDN, whatever the port and case', () => {
    assert.equal(clusterForServer('https://aks-prod-1a2b3c4d.hcp.eastus.azmk8s.io:443', clusters)?.name, 'public');
    assert.equal(clusterForServer('https://AKS-PROD-1A2B3C4D.hcp.eastus.azmk8s.io.', clusters)?.name, 'public');
    assert.equal(clusterForServer('https://aks-priv-9f8e-5d6c.privatelink.westeurope.azmk8s.io:443', clusters)?.name, 'private');
    assert.equal(clusterForServer('https://aks-p-7777.portal.hcp.eastus.azmk8s.io:443', clusters)?.name, 'portal');
  });
  test('matches nothing else: another host, a prefix of a host, no URL', () => {
    assert.equal(clusterForServer('https://aks-prod-1a2b3c4d.hcp.eastus.azmk8s.io.evil.example:443', clusters), undefined);
    assert.equal(clusterForServer('https://10.0.0.4:443', clusters), undefined);
    assert.equal(clusterForServer('not a url', clusters), undefined);
    assert.equal(serverHost('https://Example.COM:6443/path'), 'example.com');
  });
});

describe('federated credentials through the Azure SDKs', () => {
  test('found, issuer mismatch (a trailing slash), audience mismatch: each workload its own state, with GET requests only', async (t) => {
    const server = await armWith(t, seedWith());
    const { federated, log } = await check(server);
    assert.deepEqual(federated.cluster, { id: '/subscriptions/6f1a2b3c-0d4e-4f50-8a61-7b2c3d4e5f60/resourcegroups/rg-checked/providers/Microsoft.ContainerService/managedClusters/aks-checked', name: 'aks-checked', issuer: CHECKED_ISSUER });
    const states = byKey(federated);
    assert.equal(states['orders/Deployment/orders-api'].state, FEDERATED.found);
    assert.equal(states['orders/Deployment/orders-api'].problem, false);
    assert.equal(states['orders/Deployment/orders-api'].detail, `Federated credential orders-api on identity orders-identity: issuer ${CHECKED_ISSUER}, subject system:serviceaccount:orders:orders-api, audience api://AzureADTokenExchange.`);
    assert.equal(states['orders/Deployment/orders-api'].identity, CHECKED_IDENTITIES.orders);
    assert.equal(states['reports/CronJob/nightly-report'].state, FEDERATED.issuerMismatch);
    assert.match(states['reports/CronJob/nightly-report'].detail, /only the trailing slash differs, and Entra compares the issuer exactly\.$/);
    assert.equal(states['payments/Deployment/payments'].state, FEDERATED.audienceMismatch);
    assert.match(states['payments/Deployment/payments'].detail, /does not list the token's audience api:\/\/AzureADTokenExchange \(payments: api:\/\/AzureADTokenExchangeUSGov\)\.$/);
    assert.equal(federated.summary, `Checked against cluster aks-checked (issuer ${CHECKED_ISSUER}): 3 service accounts, 2 without a matching federated credential.`);
    assert.deepEqual([...new Set(server.requests.map((r) => r.method))], ['GET'], 'nothing is written to Azure');
    assert.ok(server.requests.every((r) => r.status === 200), JSON.stringify(server.requests.filter((r) => r.status !== 200)));
    assert.ok(log.includes(`GET ${CHECKED_IDENTITIES.orders}/federatedIdentityCredentials`));
    assert.ok(!log.some((line) => line.includes(TOKEN)));
  });

  test('missing (a credential for another subject only), and an identity not found in any subscription', async (t) => {
    const server = await armWith(
      t,
      seedWith((added) => {
        added.federatedCredentials[0].subject = 'system:serviceaccount:orders:orders-worker';
        added.identities.splice(2, 1);
        added.federatedCredentials.splice(2, 1);
      }),
    );
    const states = byKey((await check(server)).federated);
    assert.equal(states['orders/Deployment/orders-api'].state, FEDERATED.missing);
    assert.match(states['orders/Deployment/orders-api'].detail, /^Identity orders-identity has no federated credential for system:serviceaccount:orders:orders-api/);
    assert.equal(states['payments/Deployment/payments'].state, FEDERATED.identityNotFound);
    assert.match(states['payments/Deployment/payments'].detail, new RegExp(`^No user-assigned managed identity with client id ${CLIENT_IDS.payments} in the 2 subscriptions`));
    // Missing in the cluster's subscription: the other subscription was listed too.
    assert.ok(server.requests.some((r) => r.path === '/subscriptions/0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d/providers/Microsoft.ManagedIdentity/userAssignedIdentities'));
  });

  test('not readable (403): an identity\'s credentials, and the identities of a subscription', async (t) => {
    const server = await armWith(t, seedWith((added) => added.identities.splice(2, 1) && added.federatedCredentials.splice(2, 1)));
    server.faults.add({ method: 'GET', pathPattern: /reports-identity\/federatedIdentityCredentials$/, status: 403, times: 5 });
    server.faults.add({ method: 'GET', pathPattern: /^\/subscriptions\/0a9b8c7d[^/]*\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities$/, status: 403, times: 5 });
    const states = byKey((await check(server)).federated);
    assert.equal(states['orders/Deployment/orders-api'].state, FEDERATED.found, 'the rest is still checked');
    assert.equal(states['reports/CronJob/nightly-report'].state, FEDERATED.notReadable);
    assert.match(states['reports/CronJob/nightly-report'].detail, /^The federated credentials of identity reports-identity could not be read \(403\)/);
    assert.equal(states['payments/Deployment/payments'].state, FEDERATED.notReadable);
    assert.match(states['payments/Deployment/payments'].detail, /the identities of subscription 0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d could not be listed \(403\)/);
  });

  test('the cluster not found in the subscriptions; a cluster without OIDC issuer', async (t) => {
    const elsewhere = await armWith(t, seedWith((added) => (added.clusters[0].properties!.fqdn = 'aks-checked-0000.hcp.eastus.azmk8s.io')));
    const notFound = (await check(elsewhere)).federated;
    assert.equal(notFound.cluster, undefined);
    assert.deepEqual([...new Set(notFound.workloads.map((w) => w.state))], [FEDERATED.clusterNotFound]);
    assert.match(notFound.workloads[0].detail, /^No AKS cluster with the API server 127\.0\.0\.1 in the 2 subscriptions the sign-in can read/);
    assert.ok(!elsewhere.requests.some((r) => /userAssignedIdentities/.test(r.path)), 'no identity is read without the cluster');

    const noIssuer = await armWith(t, seedWith((added) => (added.clusters[0].properties!.oidcIssuerProfile = { enabled: false })));
    const states = (await check(noIssuer)).federated.workloads;
    assert.deepEqual([...new Set(states.map((w) => w.state))], [FEDERATED.noIssuer]);
    assert.ok(states.every((w) => w.problem));
    assert.match(states[0].detail, /^Cluster aks-checked has no OIDC issuer: enable it .*--enable-oidc-issuer --enable-workload-identity\)\.$/);
  });

  test('not signed in: skipped, without a request to Azure; a refused sign-in is a failure in words', async (t) => {
    const server = await armWith(t, seedWith());
    const notSignedIn = { getToken: () => Promise.reject(Object.assign(new Error("Please run 'az login' to set up an account."), { name: 'CredentialUnavailableError' })) };
    const skipped = (await check(server, notSignedIn, { authentication: 'azureCli' })).federated;
    assert.deepEqual([...new Set(skipped.workloads.map((w) => [w.state, w.problem].join()))], [`${FEDERATED.notSignedIn},false`]);
    assert.match(skipped.summary, /^Not signed in to Azure: sign in \(az login\)/);
    assert.deepEqual(server.requests, []);

    const refused = (await check(server, 'a-token-the-server-refuses')).federated;
    assert.deepEqual([...new Set(refused.workloads.map((w) => w.state))], [FEDERATED.failed]);
    assert.match(refused.workloads[0].detail, /^Could not list your subscriptions: Azure did not accept the sign-in \(401/);
  });
});

describe('the answers in the report', () => {
  test('a state per workload beside its cluster state, and lines in the text', async (t) => {
    const server = await armWith(t, seedWith());
    const merged = withFederated(report, (await check(server)).federated);
    const states = clusterStates(merged).filter((s) => s.key === 'orders/Deployment/orders-api');
    assert.deepEqual(states.map((s) => s.state), ['migrated', FEDERATED.found]);
    const text = formatClusterText(merged);
    assert.match(text, /✓ orders\/Deployment\/orders-api: migrated\n(.*\n)*? {6}✓ federated credential: found: Federated credential orders-api on identity orders-identity/);
    assert.match(text, / {6}✗ federated credential: issuer mismatch: Identity reports-identity has a federated credential/);
    assert.match(text, /\nFederated credentials \(Azure\):\n {2}Checked against cluster aks-checked/);
    assert.doesNotMatch(formatClusterText(report), /Federated credentials/, 'nothing said when not asked');
  });
});
