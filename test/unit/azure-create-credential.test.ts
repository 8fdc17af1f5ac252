// "Create federated credential" against the test ARM server through the real SDK clients:
// the happy path and its edit, idempotency, the name clash, the limit, KEDA, every fault and
// cancellation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateCredentialResult } from '../../src/vscode/azure/createFederatedCredential';
import type { ScriptedAnswer } from '../../src/vscode/azure/scriptedUi';
import { APP_CLIENT_ID, ISSUER, SUBSCRIPTION_ID, TENANT_ID } from '../arm/sampleWorld';
import { identityId } from '../arm/state';
import { azureHarness, requestsOf, TOKEN, type AzureRun } from './azure-harness';
import { APP_IDENTITY_ID, KEDA, KEDA_CLIENT_ID, SHOP, SHOP_YAML, SIGN_IN, WORKSPACE, seed } from './azure-fixtures';

const COMMAND = 'wiMigrate.createFederatedCredential';
const AT_ACCOUNT = { file: SHOP, at: 'kind: ServiceAccount' };
const SUBJECT = 'system:serviceaccount:shop:web';
const KEDA_IDENTITY_ID = identityId({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-apps', name: 'keda-identity' });
const PUT_WEB = /^PUT .*\/federatedIdentityCredentials\/shop-web /;

/** Sign in, app-identity, aks-modern, the offered name: the answers up to the write. */
const TO_WRITE: ScriptedAnswer[] = [...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-modern', expect: 'cluster' }, { input: null, expect: 'Name' }];

function created(run: AzureRun): CreateCredentialResult {
  assert.ok(run.result.succeeded, `the command failed: ${run.result.succeeded ? '' : run.result.error}\n${run.log.join('\n')}`);
  return run.result.result as CreateCredentialResult;
}

function failure(run: AzureRun): string {
  assert.equal(run.result.succeeded, false, 'the command should fail');
  return run.result.succeeded ? '' : run.result.error;
}

function credentialsOf(h: Awaited<ReturnType<typeof azureHarness>>, id = APP_IDENTITY_ID) {
  return [...h.server.state.credentialsOf(id).values()];
}

test('creates the credential for the ServiceAccount under the cursor and applies the annotation edit', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [...TO_WRITE, { choose: 'Apply', expect: 'ServiceAccount shop/web' }], { cursor: AT_ACCOUNT });

  const result = created(run);
  assert.deepEqual(result, {
    status: 'created',
    name: 'shop-web',
    identityId: APP_IDENTITY_ID,
    clientId: APP_CLIENT_ID,
    issuer: ISSUER,
    subject: SUBJECT,
    audience: 'api://AzureADTokenExchange',
    annotations: 'applied',
  });
  assert.ok(ISSUER.endsWith('/'), 'the issuer keeps its trailing slash');
  assert.deepEqual(credentialsOf(h), [{ name: 'shop-web', issuer: ISSUER, subject: SUBJECT, audiences: ['api://AzureADTokenExchange'] }]);

  // The workload's AzureIdentity names app-identity: it is offered first, and says why.
  const identityPick = run.ui.transcript.find((e) => e.kind === 'pick' && e.text === 'User-assigned managed identity');
  assert.deepEqual(identityPick?.offered, ['app-identity', 'keda-identity', 'shared-identity']);
  const name = run.ui.transcript.find((e) => e.kind === 'input');
  assert.equal(name?.value, 'shop-web', 'the name offered comes from the namespace and the account');

  // The edit: annotations inserted under metadata, the rest of the file byte-identical.
  const [documentOne, ...rest] = h.files.get(SHOP)!.split('---\n');
  assert.equal(
    documentOne,
    'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n' +
      `  annotations:\n    azure.workload.identity/client-id: "${APP_CLIENT_ID}"\n    azure.workload.identity/tenant-id: "${TENANT_ID}"\n`,
  );
  assert.equal(rest.join('---\n'), SHOP_YAML.split('---\n').slice(1).join('---\n'));
  assert.deepEqual(run.ui.unused, []);
  assert.ok(run.ui.notices.some((n) => n.startsWith('info: Created federated credential shop-web on identity app-identity')));
});

test('the Azure calls are logged by operation and resource, never with the token', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(run).annotations, 'declined');
  assert.ok(run.log.some((line) => line.includes(`PUT ${APP_IDENTITY_ID}/federatedIdentityCredentials/shop-web`)));
  assert.ok(run.log.some((line) => line === 'info: GET /tenants'));
  for (const line of run.log) {
    assert.ok(!line.includes(TOKEN) && !/bearer|authorization/i.test(line), `a log line shows credentials: ${line}`);
  }
  assert.equal(h.files.get(SHOP), SHOP_YAML, 'declined: the file is unchanged');
});

test('an existing credential with the same issuer and subject is reported, not duplicated', async (t) => {
  const world = seed();
  world.federatedCredentials = [{ identityId: APP_IDENTITY_ID, name: 'web-from-modern', issuer: ISSUER, subject: SUBJECT, audiences: ['api://AzureADTokenExchange'] }];
  const h = await azureHarness(t, WORKSPACE, { seed: world });
  const run = await h.run(COMMAND, [...TO_WRITE.slice(0, -1), { choose: 'Not now' }], { cursor: AT_ACCOUNT });

  const result = created(run);
  assert.equal(result.status, 'exists');
  assert.equal(result.name, 'web-from-modern');
  assert.deepEqual(requestsOf(h.server, /^(PUT|DELETE)/), [], 'nothing written');
  assert.equal(credentialsOf(h).length, 1);
  assert.ok(run.ui.notices.some((n) => /already has federated credential web-from-modern .* nothing was written/.test(n)));
});

test('a name taken by another credential is asked about: another name, or overwrite', async (t) => {
  const world = seed();
  world.federatedCredentials = [
    { identityId: APP_IDENTITY_ID, name: 'shop-web', issuer: 'https://other.example/issuer/', subject: 'system:serviceaccount:old:web', audiences: ['api://AzureADTokenExchange'] },
  ];
  const h = await azureHarness(t, WORKSPACE, { seed: world });

  const renamed = await h.run(COMMAND, [...TO_WRITE, { choose: 'Use another name', expect: 'already has a federated credential named shop-web' }, { input: null }, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(renamed).name, 'shop-web-2');
  const ask = renamed.ui.transcript.find((e) => e.kind === 'ask');
  assert.deepEqual(ask?.offered, ['Use another name', 'Overwrite']);
  assert.deepEqual(credentialsOf(h).map((c) => [c.name, c.subject]), [['shop-web', 'system:serviceaccount:old:web'], ['shop-web-2', SUBJECT]]);

  h.server.state.credentialsOf(APP_IDENTITY_ID).delete('shop-web-2');
  const overwritten = await h.run(COMMAND, [...TO_WRITE, { choose: 'Overwrite' }, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(overwritten).status, 'updated');
  assert.deepEqual(credentialsOf(h).map((c) => [c.name, c.issuer, c.subject]), [['shop-web', ISSUER, SUBJECT]]);

  // Dismissing the question writes nothing.
  const record = h.server.state.credentialsOf(APP_IDENTITY_ID).get('shop-web')!;
  Object.assign(record, { issuer: 'https://other.example/issuer/', subject: 'system:serviceaccount:old:web' });
  const dismissed = await h.run(COMMAND, [...TO_WRITE, { choose: null }], { cursor: AT_ACCOUNT });
  assert.match(failure(dismissed), /^Cancelled: nothing was written\.$/);
  assert.equal(record.subject, 'system:serviceaccount:old:web');
});

test('the 20-credential limit is checked before writing', async (t) => {
  const world = seed();
  world.federatedCredentials = Array.from({ length: 20 }, (_, i) => ({
    identityId: APP_IDENTITY_ID,
    name: `other-${i}`,
    issuer: ISSUER,
    subject: `system:serviceaccount:other:sa-${i}`,
    audiences: ['api://AzureADTokenExchange'],
  }));
  const h = await azureHarness(t, WORKSPACE, { seed: world });
  const run = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT });
  assert.match(failure(run), /already has 20 federated credentials, the most Azure allows \(20\): nothing was written/);
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
});

test('a cluster without an OIDC issuer is refused with what to run first', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-legacy' }], { cursor: AT_ACCOUNT });
  assert.match(failure(run), /Cluster aks-legacy has no OIDC issuer yet: run "Enable OIDC issuer and workload identity on an AKS cluster" first/);
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
});

test('an issuer from the cluster that is not an https URL is refused with what it is, and nothing is written', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const modern = h.server.state.getCluster(SUBSCRIPTION_ID, 'rg-platform', 'aks-modern')!;
  for (const [issuer, why] of [
    [ISSUER.replace(/^https:/, 'http:'), 'is an http URL, not https'],
    ['eastus.oic.prod-aks.azure.com/tenant/cluster/', 'is not a URL'],
    [`${ISSUER}?token=1`, 'has a query or fragment'],
  ]) {
    modern.properties.oidcIssuerProfile = { enabled: true, issuerURL: issuer };
    const run = await h.run(COMMAND, [...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-modern' }], { cursor: AT_ACCOUNT });
    assert.equal(
      failure(run),
      `The OIDC issuer cluster aks-modern reports, "${issuer}", ${why}: Microsoft Entra trusts only an https URL as a federated credential's issuer ` +
        '(AKS gives https://<region>.oic.prod-aks.azure.com/<tenant>/<id>/ in the public cloud). Nothing was written. ' +
        "Check the cluster's oidcIssuerProfile.issuerURL (az aks show --resource-group rg-platform --name aks-modern --query oidcIssuerProfile.issuerUrl).",
    );
  }
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
  assert.deepEqual(credentialsOf(h), []);
});

test('from a KEDA TriggerAuthentication: the subject is the KEDA operator, its identity offered first', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(
    COMMAND,
    [{ input: null, expect: 'KEDA operator' }, ...SIGN_IN, { pick: 'keda-identity' }, { pick: 'aks-modern' }, { input: null }],
    { cursor: { file: KEDA, at: 'podIdentity' } },
  );
  const result = created(run);
  assert.equal(result.subject, 'system:serviceaccount:kube-system:keda-operator');
  assert.equal(result.name, 'kube-system-keda-operator');
  assert.equal(result.annotations, 'not-in-workspace');
  assert.equal(run.ui.transcript.find((e) => e.kind === 'input')?.value, 'kube-system/keda-operator', 'the AKS add-on default is offered');
  const identityPick = run.ui.transcript.find((e) => e.text === 'User-assigned managed identity');
  assert.equal(identityPick?.offered?.[0], 'keda-identity', 'identityId of the TriggerAuthentication names it');
  assert.deepEqual(credentialsOf(h, KEDA_IDENTITY_ID).map((c) => c.subject), ['system:serviceaccount:kube-system:keda-operator']);
  assert.ok(run.ui.notices.some((n) => n.includes(`azure.workload.identity/client-id: ${KEDA_CLIENT_ID}`) && n.includes('podIdentity.azureWorkload.clientId')));
});

test('without a cursor, the service accounts and TriggerAuthentications of the workspace are offered', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [{ pick: 'shop/web', expect: 'Create federated credential for' }, ...TO_WRITE, { choose: 'Not now' }]);
  assert.equal(created(run).subject, SUBJECT);
  assert.deepEqual(run.ui.transcript[0].offered, ['shop/web', 'shop/queue-auth']);

  const empty = await azureHarness(t, {}, { seed: seed() });
  const none = await empty.run(COMMAND, []);
  assert.match(failure(none), /No ServiceAccount or KEDA TriggerAuthentication in the workspace/);
});

test('several tenants: a tenant is picked; the tenant setting skips the question', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [{ pick: 'Contoso Production', expect: 'subscription' }, ...TO_WRITE.slice(2), { choose: 'Not now' }], {
    cursor: AT_ACCOUNT,
    settings: { tenant: TENANT_ID },
  });
  assert.equal(created(run).status, 'created');
  assert.ok(!run.ui.transcript.some((e) => e.text === 'Microsoft Entra tenant'));
  assert.deepEqual(requestsOf(h.server, /tenants/), [], 'tenants are not listed when the setting names one');
});

test('401 InvalidAuthenticationTokenTenant: a token of another tenant gets the hint to pick the subscription\'s tenant', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({
    method: 'GET',
    pathPattern: /userAssignedIdentities$/,
    status: 401,
    body: { error: { code: 'InvalidAuthenticationTokenTenant', message: `The access token is from the wrong issuer 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/'. It must match the tenant 'https://sts.windows.net/${TENANT_ID}/' associated with this subscription.` } },
  });
  const run = await h.run(COMMAND, [...SIGN_IN], { cursor: AT_ACCOUNT });
  assert.match(failure(run), /Could not list the managed identities: the sign-in is for another tenant than the subscription's \(401 InvalidAuthenticationTokenTenant\)\. Run the command again and pick the subscription's tenant/);
});

test('401: the sign-in was refused, nothing written', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'GET', pathPattern: /userAssignedIdentities$/, status: 401 });
  const run = await h.run(COMMAND, [...SIGN_IN], { cursor: AT_ACCOUNT });
  assert.match(failure(run), /Could not list the managed identities: Azure did not accept the sign-in \(401 InvalidAuthenticationToken\)\. Sign in again/);
  assert.ok(run.ui.notices.some((n) => n.startsWith('error: Could not list the managed identities')));
});

test('403 on the write names the missing permission, and nothing is written', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, status: 403 });
  const run = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT });
  const error = failure(run);
  assert.match(error, /your account lacks the permission Microsoft\.ManagedIdentity\/userAssignedIdentities\/federatedIdentityCredentials\/write on \/subscriptions\//);
  assert.match(error, /403 AuthorizationFailed/);
  assert.match(error, /Owner or Contributor on the managed identity/);
  assert.match(error, /Checked afterwards: there is no federated credential shop-web\./);
  assert.deepEqual(credentialsOf(h), []);
});

test('405: an identity in a region without federated credentials (Malaysia South) is reported as such, and nothing is written', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.state.getIdentity(SUBSCRIPTION_ID, 'rg-apps', 'app-identity')!.location = 'malaysiasouth';
  const run = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT });
  assert.match(failure(run), /does not allow federated identity credentials on this identity \(405 MethodNotAllowed\)\. A few regions do not support them on user-assigned managed identities/);
  assert.deepEqual(credentialsOf(h), []);
});

test('404: an identity deleted after the pick is reported as not found', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'GET', pathPattern: /app-identity\/federatedIdentityCredentials$/, status: 404 });
  const run = await h.run(COMMAND, TO_WRITE.slice(0, -1), { cursor: AT_ACCOUNT });
  assert.match(failure(run), /Could not read the federated credentials of identity app-identity: not found \(404 ResourceNotFound\)\..* another subscription or tenant/);
});

test('409 from a concurrent write is retried sequentially until it goes through', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, status: 409, times: 2 });
  const run = await h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(run).status, 'created');
  assert.deepEqual(requestsOf(h.server, PUT_WEB).map((r) => r.split(' ').pop()), ['409', '409', '201']);
  assert.equal(run.log.filter((l) => l.startsWith('warn: 409 conflict')).length, 2);
});

test('409 that does not clear fails after the retries, saying so', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, status: 409, times: 50 });
  const run = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT });
  assert.match(failure(run), /Azure reported a conflict \(409 Conflict\) after 4 sequential retries/);
  assert.equal(requestsOf(h.server, PUT_WEB).length, 5);
  assert.deepEqual(credentialsOf(h), []);
});

test('writes to one identity run one at a time: two runs at once never overlap', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed(), settings: { writeLatencyMs: 60 } });
  const [a, b] = await Promise.all([
    h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT }),
    h.run(COMMAND, [{ input: null }, ...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-modern' }, { input: null }], { cursor: { file: KEDA, at: 'podIdentity' } }),
  ]);
  assert.equal(created(a).status, 'created');
  assert.equal(created(b).status, 'created');
  assert.deepEqual(requestsOf(h.server, /^PUT/).map((r) => r.split(' ').pop()), ['201', '201'], 'no 409: the second write waited');
  assert.equal(credentialsOf(h).length, 2);
});

test('429 is retried after Retry-After; throttling that lasts is reported', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, status: 429, times: 1, retryAfterSeconds: 0 });
  const once = await h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(once).status, 'created');
  assert.deepEqual(requestsOf(h.server, PUT_WEB).map((r) => r.split(' ').pop()), ['429', '201']);

  h.server.state.credentialsOf(APP_IDENTITY_ID).clear();
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, status: 429, times: 50, retryAfterSeconds: 0 });
  const lasting = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT });
  assert.match(failure(lasting), /Azure is throttling requests \(429 TooManyRequests\) and the retries ran out/);
  assert.deepEqual(credentialsOf(h), []);
});

test('a dropped connection is retried by the SDK; a network that stays down is reported and checked', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, drop: true, times: 1 });
  const once = await h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(once).status, 'created');
  assert.deepEqual(requestsOf(h.server, PUT_WEB).map((r) => r.split(' ').pop()), ['dropped', '201']);

  h.server.state.credentialsOf(APP_IDENTITY_ID).clear();
  h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, drop: true, times: 50 });
  const down = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT });
  const error = failure(down);
  assert.match(error, new RegExp(`Azure Resource Manager \\(${h.server.url.replace(/[.]/g, '\\.')}\\) could not be reached`));
  assert.match(error, /Checked afterwards: there is no federated credential shop-web\./);
});

test('a failed PUT that Azure applied anyway is found and reported as created', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  // The write lands, then every answer to it is lost: the read-back finds the credential.
  h.server.events.on('request', (r: { method: string; path: string }) => {
    if (r.method === 'PUT' && /federatedIdentityCredentials/.test(r.path) && credentialsOf(h).length === 0) {
      h.server.state.addFederatedCredential(APP_IDENTITY_ID, { name: 'shop-web', issuer: ISSUER, subject: SUBJECT, audiences: ['api://AzureADTokenExchange'] });
      h.server.faults.add({ method: 'PUT', pathPattern: /federatedIdentityCredentials/, drop: true, times: 50 });
    }
  });
  const run = await h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT });
  assert.equal(created(run).status, 'created');
  assert.ok(run.log.some((l) => l.includes('exists with the wanted issuer and subject despite the failure')));
});

test('cancel before the write: nothing is written', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, TO_WRITE, { cursor: AT_ACCOUNT, cancel: { progress: 'Creating federated credential' } });
  assert.equal(run.result.succeeded, false);
  assert.equal(!run.result.succeeded && run.result.cancelled, true);
  assert.match(failure(run), /^Cancelled: nothing was written\.$/);
  assert.deepEqual(requestsOf(h.server, /^PUT/), []);
});

test('cancel while the PUT is on its way: the write completes and is reported, not left unknown', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed(), settings: { writeLatencyMs: 100 } });
  let ui: { cancelProgress(): void } | undefined;
  h.server.events.on('request', (r: { method: string }) => {
    if (r.method === 'PUT') ui?.cancelProgress();
  });
  const run = await h.run(COMMAND, [...TO_WRITE, { choose: 'Not now' }], { cursor: AT_ACCOUNT, onUi: (scripted) => (ui = scripted) });
  assert.equal(created(run).status, 'created');
  assert.ok(run.ui.transcript.some((e) => e.kind === 'cancel'));
  assert.ok(run.ui.notices.some((n) => n.includes('The cancel came after the request was sent: federated credential shop-web was created')));
  assert.equal(credentialsOf(h).length, 1);
});

test('Escape on a picker ends the command quietly', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [...SIGN_IN, { escape: true }], { cursor: AT_ACCOUNT });
  assert.equal(!run.result.succeeded && run.result.cancelled, true);
  assert.deepEqual(run.ui.notices, []);
});
