// "Enable workload identity" and "Remove AKS-managed pod identity" against the test ARM server:
// the long-running cluster update through the real ContainerServiceClient, faults, cancellation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EnableResult } from '../../src/vscode/azure/enableWorkloadIdentity';
import type { RemoveResult } from '../../src/vscode/azure/removeManagedPodIdentity';
import { ISSUER, SUBSCRIPTION_ID } from '../arm/sampleWorld';
import { azureHarness, requestsOf, type AzureRun } from './azure-harness';
import { SIGN_IN, WORKSPACE, seed } from './azure-fixtures';

const ENABLE = 'wiMigrate.enableWorkloadIdentity';
const REMOVE = 'wiMigrate.removeManagedPodIdentity';
const LEGACY_PUT = /^PUT .*\/managedClusters\/aks-legacy /;

function outcome<T>(run: AzureRun): T {
  assert.ok(run.result.succeeded, `the command failed: ${run.result.succeeded ? '' : run.result.error}\n${run.log.join('\n')}`);
  return run.result.result as T;
}

function failure(run: AzureRun): string {
  assert.equal(run.result.succeeded, false, 'the command should fail');
  return run.result.succeeded ? '' : run.result.error;
}

const legacy = (h: Awaited<ReturnType<typeof azureHarness>>) => h.server.state.getCluster(SUBSCRIPTION_ID, 'rg-aks', 'aks-legacy')!;

test('enable: OIDC issuer and workload identity as one long-running update; the issuer URL is reported', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy', expect: 'cluster' }, { choose: 'Enable', expect: 'Enable the OIDC issuer and workload identity on cluster aks-legacy' }]);

  const result = outcome<EnableResult>(run);
  const cluster = legacy(h);
  assert.equal(result.status, 'enabled');
  assert.equal(cluster.properties.oidcIssuerProfile?.enabled, true);
  assert.equal(cluster.properties.securityProfile?.workloadIdentity?.enabled, true);
  assert.equal(result.issuerUrl, cluster.properties.oidcIssuerProfile?.issuerURL);
  assert.match(result.issuerUrl, /^https:\/\/eastus\.oic\.prod-aks\.azure\.com\/[0-9a-f-]+\/[0-9a-f-]+\/$/);
  assert.equal(cluster.properties.podIdentityProfile?.userAssignedIdentities?.length, 1, 'the rest of the cluster is kept');
  // The operation was followed through Azure-AsyncOperation polls, reported as it went.
  assert.ok(requestsOf(h.server, /\/operations\//).length >= 2);
  const reports = run.ui.transcript.filter((e) => e.kind === 'report').map((e) => e.text);
  assert.ok(reports.includes('Azure is updating aks-legacy; this takes a few minutes'), reports.join('\n'));
  assert.equal(reports[reports.length - 1], 'Azure reports the update of aks-legacy succeeded');
  assert.ok(run.ui.notices.some((n) => n === `info: Workload identity is enabled on cluster aks-legacy. OIDC issuer: ${result.issuerUrl}`));
  // Clusters that still need it come first.
  assert.deepEqual(run.ui.transcript.find((e) => e.text === 'AKS cluster to enable workload identity on')?.offered, ['aks-legacy', 'aks-modern']);
});

test('enable: a cluster that has both already is reported, not updated', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const result = outcome<EnableResult>(await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-modern' }]));
  assert.deepEqual(result, { status: 'already-enabled', clusterId: result.clusterId, cluster: 'aks-modern', issuerUrl: ISSUER });
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
});

test('enable: declining the confirmation changes nothing', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: null }]);
  assert.match(failure(run), /Cancelled: the cluster was not changed/);
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
});

test('enable: cancel during the long-running operation stops waiting and says Azure carries on', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed(), settings: { lroInProgressPolls: 50 } });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }], { cancel: { report: 'Azure is updating' } });
  assert.equal(!run.result.succeeded && run.result.cancelled, true);
  assert.match(failure(run), /Stopped waiting for cluster aks-legacy: Azure had accepted the update .* carries on with it/);
  assert.ok(run.ui.notices.some((n) => n.startsWith('info: Stopped waiting')), 'a cancelled operation says what state it left');
  assert.equal(legacy(h).properties.provisioningState, 'Updating');
});

test('enable: cancel before the update is sent leaves the cluster alone', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }], { cancel: { progress: 'Enabling' } });
  assert.equal(!run.result.succeeded && run.result.cancelled, true);
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
});

test('enable: 409 (another operation in progress) is retried after a wait', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /managedClusters\/aks-legacy$/, status: 409, times: 1 });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  assert.deepEqual(requestsOf(h.server, LEGACY_PUT).map((r) => r.split(' ').pop()), ['409', '200']);
});

test('enable: 409 OperationNotAllowed while the cluster shows another operation (an upgrade): the update waits for it, with progress, then goes through', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  // Someone's upgrade: it shows for 6 reads of the cluster, far more than the short retries' budget would poll.
  h.server.state.startClusterOperation(legacy(h), { provisioningState: 'Upgrading', reads: 6 });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  assert.equal(legacy(h).properties.securityProfile?.workloadIdentity?.enabled, true);
  // One refused PUT (after the first read), five more reads that show the upgrade, one that shows
  // it ended, then the update from a fresh read.
  assert.deepEqual(requestsOf(h.server, LEGACY_PUT).map((r) => r.split(' ').pop()), ['409', '200']);
  const afterRefusal = requestsOf(h.server).slice(requestsOf(h.server).findIndex((r) => LEGACY_PUT.test(r)) + 1);
  assert.deepEqual(afterRefusal.slice(0, 8).map((r) => r.replace(/ \/subscriptions.*aks-legacy /, ' ')), [...Array<string>(7).fill('GET 200'), 'PUT 200']);
  const waiting = run.ui.transcript.filter((e) => e.kind === 'report' && e.text.startsWith('Another operation is running on aks-legacy (Upgrading)'));
  assert.equal(waiting.length, 5, 'one report per read after the 409 that still showed the upgrade');
  assert.match(waiting[0].text, /waiting for it to finish before sending the update \(read 1\); Cancel stops waiting, with nothing changed$/);
  assert.ok(!run.log.some((l) => /retrying in/.test(l)), 'no short retries: it waited on the operation');
});

test('enable: 409 while an agent pool operation runs (the cluster itself shows Succeeded) waits on the agent pool', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.state.startClusterOperation(legacy(h), { provisioningState: 'Scaling', agentPool: 'nodepool1', reads: 3 });
  assert.equal(legacy(h).properties.provisioningState, 'Succeeded');
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  assert.ok(run.ui.transcript.some((e) => e.kind === 'report' && e.text.startsWith('Another operation is running on aks-legacy (agent pool nodepool1 Scaling)')));
  assert.deepEqual(requestsOf(h.server, LEGACY_PUT).map((r) => r.split(' ').pop()), ['409', '200']);
});

test('enable: cancel while waiting for another operation stops with nothing changed and says what it waited for', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.state.startClusterOperation(legacy(h), { provisioningState: 'Upgrading', reads: 1000 });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }], { cancel: { report: '(read 3)' } });
  assert.equal(!run.result.succeeded && run.result.cancelled, true);
  assert.match(failure(run), /^Stopped waiting for the operation running on cluster aks-legacy \(Upgrading\): this command changed nothing\. Run it again when that operation has finished/);
  assert.deepEqual(requestsOf(h.server, LEGACY_PUT).map((r) => r.split(' ').pop()), ['409']);
  assert.equal(legacy(h).properties.oidcIssuerProfile?.enabled, false);
});

test('remove: an operation that outlasts the wait for five others in a row stops with nothing changed', async (t) => {
  const h = await azureHarness(t, {}, { seed: seed() });
  // Each time an operation ends, another starts just before the PUT.
  h.server.events.on('request', (r: { method: string; path: string }) => {
    if (r.method === 'PUT' && /managedClusters\/aks-legacy$/.test(r.path) && !legacy(h).runningOperation) h.server.state.startClusterOperation(legacy(h), { provisioningState: 'Updating', reads: 2 });
  });
  const run = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Pod identity shop/app-pod-identity'] }, { choose: 'Remove' }]);
  assert.match(failure(run), /^Cluster aks-legacy is busy with one operation after the other \(now: Updating\); this command waited for 5 of them\. Nothing was changed by this command/);
  assert.equal(requestsOf(h.server, LEGACY_PUT).length, 6);
  assert.equal(legacy(h).properties.podIdentityProfile?.userAssignedIdentities?.length, 1);
});

test('enable: 403 names the cluster write permission', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /managedClusters\/aks-legacy$/, status: 403 });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.match(failure(run), /your account lacks the permission Microsoft\.ContainerService\/managedClusters\/write .*Azure Kubernetes Service Contributor Role/);
  assert.equal(legacy(h).properties.oidcIssuerProfile?.enabled, false);
});

test('enable: an operation that ends Failed is reported with Azure\'s reason', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.clusterOperationFailure = { code: 'InternalOperationError', message: 'The node pool could not be reconciled.' };
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.match(failure(run), /Could not update cluster aks-legacy .*reconciled.*not succeeded/s);
});

test('enable: an operation aborted in Azure (it ends Canceled) says so, and that the update was not applied', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.clusterOperationFailure = { status: 'Canceled', code: 'OperationCancelled', message: 'The operation was aborted by the user.' };
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.match(failure(run), /^The update of cluster aks-legacy \(.*\) was cancelled in Azure before it finished \(an operation abort: az aks operation-abort, or the portal\)\. .*provisioning state Canceled, with the update not applied: run the command again/);
  assert.equal(legacy(h).properties.provisioningState, 'Canceled');
  assert.equal(legacy(h).properties.oidcIssuerProfile?.enabled, false);
});

test('enable: throttled and dropped reads are retried by the SDK', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'GET', pathPattern: /managedClusters\/aks-legacy$/, status: 429, times: 1, retryAfterSeconds: 0 });
  h.server.faults.add({ method: 'GET', pathPattern: /\/operations\//, drop: true, times: 1 });
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  assert.ok(requestsOf(h.server).some((r) => r.endsWith(' 429')));
  assert.ok(requestsOf(h.server).some((r) => r.endsWith(' dropped')));
});

test('enable: a network that stays down while listing clusters is reported', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'GET', pathPattern: /providers\/Microsoft\.ContainerService\/managedClusters$/, drop: true, times: 50 });
  const run = await h.run(ENABLE, [...SIGN_IN]);
  assert.match(failure(run), /Could not list the AKS clusters: Azure Resource Manager .* could not be reached/);
});

test('remove: identities the workspace uses are flagged and not preselected; only what is confirmed goes', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(REMOVE, [
    ...SIGN_IN,
    { pick: 'aks-legacy' },
    { pickMany: ['Exception shop/probe-exception'] },
    { choose: 'Remove anyway', expect: 'still uses' },
  ]);
  const result = outcome<RemoveResult>(run);
  assert.deepEqual([result.removedIdentities, result.removedExceptions, result.disabled], [[], ['shop/probe-exception'], false]);
  const profile = legacy(h).properties.podIdentityProfile!;
  assert.equal(profile.enabled, true);
  assert.deepEqual(profile.userAssignedIdentities?.map((i) => i.name), ['app-pod-identity']);
  assert.deepEqual(profile.userAssignedIdentityExceptions, []);

  const pick = run.ui.transcript.find((e) => e.kind === 'pickMany')!;
  assert.deepEqual(pick.offered, ['Pod identity shop/app-pod-identity', 'Exception shop/probe-exception', 'Disable AKS-managed pod identity on the cluster']);
  assert.equal(pick.value, '', 'both are used by the workspace: none preselected');
  const ask = run.ui.transcript.find((e) => e.kind === 'ask')!;
  assert.match(ask.text, /Deployment shop\/probe/, 'the exception matches the probe pods by their labels');
});

test('remove: an identity the workspace uses needs "Remove anyway"; unused ones a plain confirmation', async (t) => {
  const h = await azureHarness(t, {}, { seed: seed() });
  const run = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Pod identity shop/app-pod-identity'] }, { choose: 'Remove', expect: 'Remove pod identity shop/app-pod-identity on cluster aks-legacy' }]);
  assert.deepEqual(outcome<RemoveResult>(run).removedIdentities, ['shop/app-pod-identity']);
  assert.deepEqual(legacy(h).properties.podIdentityProfile?.userAssignedIdentities, []);
  const pick = run.ui.transcript.find((e) => e.kind === 'pickMany')!;
  assert.equal(pick.value, 'Pod identity shop/app-pod-identity, Exception shop/probe-exception', 'unused by this (empty) workspace: preselected');
});

test('remove: disabling the add-on removes everything', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Disable AKS-managed pod identity on the cluster'] }, { choose: 'Remove anyway' }]);
  const result = outcome<RemoveResult>(run);
  assert.equal(result.disabled, true);
  assert.deepEqual(legacy(h).properties.podIdentityProfile, { enabled: false });
});

test('remove: declining or picking nothing leaves the cluster alone; a cluster without pod identity has nothing to remove', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const declined = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Exception shop/probe-exception'] }, { choose: null }]);
  assert.equal(!declined.result.succeeded && declined.result.cancelled, true);
  const nothing = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: [] }]);
  assert.equal(!nothing.result.succeeded && nothing.result.cancelled, true);
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
  const modern = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-modern' }]);
  assert.equal(outcome<RemoveResult>(modern).status, 'nothing-to-remove');
});

test('remove: 403 on the update names the permission; 404 when the cluster vanished', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /managedClusters\/aks-legacy$/, status: 403 });
  const denied = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Exception shop/probe-exception'] }, { choose: 'Remove anyway' }]);
  assert.match(failure(denied), /lacks the permission Microsoft\.ContainerService\/managedClusters\/write/);
  assert.equal(legacy(h).properties.podIdentityProfile?.userAssignedIdentityExceptions?.length, 1);

  h.server.faults.add({ method: 'GET', pathPattern: /managedClusters\/aks-legacy$/, status: 404 });
  const gone = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }]);
  assert.match(failure(gone), /Could not read cluster aks-legacy: not found \(404 ResourceNotFound\)/);
});

test('a pod identity exception whose podLabels AKS returns as null: clusters are still listed and read, and an update keeps the exception (podLabels {})', async (t) => {
  const h = await azureHarness(t, {}, { seed: seed() });
  // What AKS can return; @azure/arm-containerservice's deserialiser throws on it unless the body is normalised.
  const nulled = () => ((legacy(h).properties.podIdentityProfile!.userAssignedIdentityExceptions![0] as { podLabels: unknown }).podLabels = null);
  nulled();
  const enable = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  assert.equal(outcome<EnableResult>(enable).status, 'enabled');
  assert.deepEqual(legacy(h).properties.podIdentityProfile?.userAssignedIdentityExceptions, [{ name: 'probe-exception', namespace: 'shop', podLabels: {} }]);
  nulled();
  const remove = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Pod identity shop/app-pod-identity'] }, { choose: 'Remove' }]);
  assert.deepEqual(outcome<RemoveResult>(remove).removedIdentities, ['shop/app-pod-identity']);
  assert.ok(remove.ui.transcript.find((e) => e.kind === 'pickMany')?.offered?.includes('Exception shop/probe-exception'));
});

test('enable: a change someone makes between the read and the PUT is not overwritten: If-Match gets 412, the cluster is read and changed again, once', async (t) => {
  const h = await azureHarness(t, {}, { seed: seed() });
  let changes = 0;
  // Someone else's update lands just before each of ours (first only, or every time).
  const someoneElse = (every: boolean) => (r: { method: string; path: string }) => {
    if (r.method !== 'PUT' || !/managedClusters\/aks-legacy$/.test(r.path) || (!every && changes > 0)) return;
    changes++;
    const cluster = legacy(h);
    cluster.tags = { ...cluster.tags, owner: `someone-${changes}` };
    cluster.eTag = `someone-${changes}`;
  };
  const once = someoneElse(false);
  h.server.events.on('request', once);
  const run = await h.run(ENABLE, [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
  h.server.events.off('request', once);
  assert.equal(outcome<EnableResult>(run).status, 'enabled');
  assert.deepEqual(requestsOf(h.server, LEGACY_PUT).map((l) => l.split(' ').pop()), ['412', '200'], 'the first PUT is refused, the second made from a fresh read');
  assert.equal(legacy(h).tags?.owner, 'someone-1', 'the other change is kept');
  assert.equal(legacy(h).properties.securityProfile?.workloadIdentity?.enabled, true);
  assert.ok(run.log.some((l) => /412 on aks-legacy: it changed since it was read/.test(l)), run.log.join('\n'));

  // Someone changes it before every PUT: after one fresh try the command stops, having changed nothing.
  const every = someoneElse(true);
  h.server.events.on('request', every);
  const twice = await h.run(REMOVE, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['Pod identity shop/app-pod-identity'] }, { choose: 'Remove' }]);
  h.server.events.off('request', every);
  assert.match(failure(twice), /Cluster aks-legacy changed again while this command was updating it \(412 PreconditionFailed, twice\)/);
  assert.equal(legacy(h).properties.podIdentityProfile?.userAssignedIdentities?.length, 1, 'nothing removed');
});
