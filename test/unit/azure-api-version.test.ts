// A sovereign cloud whose Microsoft.ContainerService provider lacks the AKS api-version the SDK
// sends: the commands read the provider's registered versions and carry on with the newest stable
// one, through the real ContainerServiceClient against the test ARM server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PINNED_AKS_API_VERSION } from '../../src/vscode/azure/apiVersion';
import type { EnableResult } from '../../src/vscode/azure/enableWorkloadIdentity';
import { SUBSCRIPTION_ID } from '../arm/sampleWorld';
import { azureHarness, type AzureRun } from './azure-harness';
import { SIGN_IN, WORKSPACE, seed } from './azure-fixtures';

const ENABLE = 'wiMigrate.enableWorkloadIdentity';
const CLUSTERS = /\/providers\/Microsoft\.ContainerService\/managedClusters/i;
/** What this sovereign cloud's provider has: older stable versions and a preview newer than them. */
const CLOUD_VERSIONS = ['2023-08-01', '2024-02-01', '2025-01-01', '2025-05-02-preview'];

function outcome<T>(run: AzureRun): T {
  assert.ok(run.result.succeeded, `the command failed: ${run.result.succeeded ? '' : run.result.error}\n${run.log.join('\n')}`);
  return run.result.result as T;
}

/** The AKS requests as `METHOD api-version status` (list, cluster, provider), in order. */
function aksRequests(h: Awaited<ReturnType<typeof azureHarness>>): string[] {
  return h.server.requests
    .filter((r) => CLUSTERS.test(r.path) || /\/providers\/Microsoft\.ContainerService$/i.test(r.path))
    .map((r) => `${r.method} ${/\/managedClusters$/i.test(r.path) ? 'list' : CLUSTERS.test(r.path) ? 'cluster' : 'provider'} ${new URLSearchParams(r.query).get('api-version')} ${r.status}`);
}

test('a cloud without the SDK\'s AKS api-version: the newest stable one its provider lists is used, from the first refusal on, and the user is told', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed(), settings: { aksApiVersions: CLOUD_VERSIONS } });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }], { settings: { cloud: 'AzureUSGovernment' } });
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  const cluster = h.server.state.getCluster(SUBSCRIPTION_ID, 'rg-aks', 'aks-legacy')!;
  assert.equal(cluster.properties.securityProfile?.workloadIdentity?.enabled, true);

  const requests = aksRequests(h);
  const sdkVersion = requests[0].split(' ')[2];
  assert.ok(!CLOUD_VERSIONS.includes(sdkVersion), `the SDK sends ${sdkVersion}, which this cloud lacks`);
  // Refused once, the provider read, then everything with 2025-01-01 (not the newer preview).
  assert.deepEqual(requests.slice(0, 3), [`GET list ${sdkVersion} 400`, 'GET provider 2021-04-01 200', 'GET list 2025-01-01 200']);
  assert.deepEqual(new Set(requests.slice(3).map((r) => r.replace(/ \d+$/, ''))), new Set(['GET cluster 2025-01-01', 'PUT cluster 2025-01-01']));
  assert.ok(requests.slice(3).every((r) => r.endsWith(' 200')));

  const told = run.ui.notices.filter((n) => n.includes('api-version'));
  assert.deepEqual(told, [
    `warning: Azure Resource Manager in this cloud (AzureUSGovernment) does not have the AKS api-version ${sdkVersion} (InvalidResourceType), so the AKS requests use 2025-01-01 instead: the newest stable version its Microsoft.ContainerService provider lists.`,
  ]);
});

test('a cluster read refused with NoRegisteredProviderFound (ARM\'s words for a cluster in a location without the version) falls back too', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  // The lists pass; the cloud turns out to lack the version when the cluster itself is read.
  const lose = (r: { method: string; path: string }) => {
    if (r.method === 'GET' && /managedClusters\/aks-legacy$/.test(r.path)) h.server.settings.aksApiVersions = ['2024-02-01', '2025-01-01'];
  };
  h.server.events.on('request', lose);
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  const requests = aksRequests(h).filter((r) => !r.startsWith('GET list'));
  const sdkVersion = requests[0].split(' ')[2];
  // The refused read, the provider, the read again; the PUT and the SDK's final read after the operation with the version found.
  assert.deepEqual(requests, [`GET cluster ${sdkVersion} 400`, 'GET provider 2021-04-01 200', 'GET cluster 2025-01-01 200', 'PUT cluster 2025-01-01 200', 'GET cluster 2025-01-01 200']);
  assert.ok(run.ui.notices.some((n) => n.includes(`does not have the AKS api-version ${sdkVersion} (NoRegisteredProviderFound), so the AKS requests use 2025-01-01 instead`)), run.ui.notices.join('\n'));
});

test('when the provider cannot be read, the versions the error lists are used; when it lists none either, the pinned version', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed(), settings: { aksApiVersions: CLOUD_VERSIONS } });
  h.server.faults.add({ method: 'GET', pathPattern: /\/providers\/Microsoft\.ContainerService$/, status: 403, times: 10 });
  const fromError = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(fromError).status, 'enabled');
  assert.ok(fromError.ui.notices.some((n) => n.endsWith('so the AKS requests use 2025-01-01 instead: the newest stable version its error lists.')), fromError.ui.notices.join('\n'));

  // An error that names the version but lists none (and the provider still unreadable).
  const bare = await azureHarness(t, WORKSPACE, { seed: seed() });
  bare.server.faults.add({ method: 'GET', pathPattern: /\/providers\/Microsoft\.ContainerService$/, status: 403, times: 10 });
  let refused = false;
  bare.server.events.on('request', (r: { path: string; query: string }) => {
    if (refused || !/managedClusters$/.test(r.path)) return;
    refused = true;
    const sent = new URLSearchParams(r.query).get('api-version');
    bare.server.faults.add({
      method: 'GET',
      pathPattern: /managedClusters$/,
      status: 400,
      body: { error: { code: 'NoRegisteredProviderFound', message: `No registered resource provider found for location 'usgovvirginia' and API version '${sent}' for type 'managedClusters'.` } },
    });
  });
  const pinned = await bare.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(pinned).status, 'enabled');
  assert.ok(pinned.ui.notices.some((n) => n.endsWith(`so the AKS requests use ${PINNED_AKS_API_VERSION} instead: a version this extension pins, as the provider's list could not be read.`)), pinned.ui.notices.join('\n'));
  assert.ok(aksRequests(bare).filter((r) => r.startsWith('PUT')).every((r) => r === `PUT cluster ${PINNED_AKS_API_VERSION} 200`));
});

test('a 400 about something else than the api-version is not retried with another version', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /managedClusters\/aks-legacy$/, status: 400, body: { error: { code: 'InvalidParameter', message: 'The value of parameter dnsPrefix is invalid.' } } });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(run.result.succeeded, false);
  assert.ok(!aksRequests(h).some((r) => r.includes('provider')));
  assert.ok(!run.ui.notices.some((n) => n.includes('api-version')));
});

test('a cluster read without an eTag (an older api-version\'s answer) is updated without If-Match, in one PUT', async (t) => {
  const world = seed();
  world.clusters = world.clusters!.map((c) => (c.name === 'aks-legacy' ? { ...c, eTag: undefined } : c));
  const h = await azureHarness(t, WORKSPACE, { seed: world });
  assert.equal(h.server.state.getCluster(SUBSCRIPTION_ID, 'rg-aks', 'aks-legacy')!.eTag, undefined, 'the server answers no eTag');
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  // An If-Match naming anything would get 412 from a cluster without an eTag.
  assert.deepEqual(aksRequests(h).filter((r) => r.startsWith('PUT')), [`PUT cluster ${aksRequests(h)[0].split(' ')[2]} 200`]);
  assert.ok(!run.log.some((l) => l.includes('If-Match')), run.log.join('\n'));
});
