import assert from 'node:assert/strict';
import { request } from 'node:https';
import { test, type TestContext } from 'node:test';
import { ContainerServiceClient, type ManagedCluster } from '@azure/arm-containerservice';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { RestError } from '@azure/core-rest-pipeline';
import { armClientOptions, StaticTokenCredential, type RetryPacing } from '../arm/credentials';
import {
  APP_CLIENT_ID,
  ISSUER,
  OTHER_SUBSCRIPTION_ID,
  SUBSCRIPTION_ID,
  TENANT_ID,
  sampleWorld,
} from '../arm/sampleWorld';
import { startArmServer, type ArmServer, type ArmServerOptions } from '../arm/server';
import { identityId } from '../arm/state';

const AUDIENCE = 'api://AzureADTokenExchange';
const APP_IDENTITY_ID = identityId({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-apps', name: 'app-identity' });

interface Harness {
  server: ArmServer;
  credential: StaticTokenCredential;
  msi: ManagedServiceIdentityClient;
  aks: ContainerServiceClient;
  subscriptions: SubscriptionClient;
}

/** A server seeded with the sample world, real SDK clients pointed at it, closed after the test. */
async function harness(t: TestContext, options: ArmServerOptions = {}, retry: RetryPacing = {}): Promise<Harness> {
  const server = await startArmServer({ seed: sampleWorld(), ...options });
  t.after(() => server.close());
  const credential = new StaticTokenCredential();
  const clientOptions = armClientOptions(server, retry);
  return {
    server,
    credential,
    msi: new ManagedServiceIdentityClient(credential, SUBSCRIPTION_ID, clientOptions),
    aks: new ContainerServiceClient(credential, SUBSCRIPTION_ID, clientOptions),
    subscriptions: new SubscriptionClient(credential, clientOptions),
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) {
    all.push(item);
  }
  return all;
}

/** The RestError a call rejects with (fails the test if it resolves or throws something else). */
async function restErrorOf(call: Promise<unknown>): Promise<RestError> {
  const error = await call.then(
    () => assert.fail('expected the call to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof RestError, `expected a RestError, got ${String(error)}`);
  return error;
}

function credentialParameters(subject: string, issuer = ISSUER) {
  return { issuer, subject, audiences: [AUDIENCE] };
}

test('subscriptions and tenants are listed by SubscriptionClient, with api-version and bearer token', async (t) => {
  const { server, credential, subscriptions } = await harness(t);

  const listed = await collect(subscriptions.subscriptions.list());
  assert.deepEqual(
    listed.map((s) => [s.subscriptionId, s.tenantId, s.displayName, s.state]),
    [
      [SUBSCRIPTION_ID, TENANT_ID, 'Contoso Production', 'Enabled'],
      [OTHER_SUBSCRIPTION_ID, sampleWorld().tenants?.[1]?.tenantId, 'Fabrikam Dev', 'Enabled'],
    ],
  );
  const tenants = await collect(subscriptions.tenants.list());
  assert.deepEqual(
    tenants.map((tenant) => [tenant.tenantId, tenant.defaultDomain]),
    [
      [TENANT_ID, 'contoso.onmicrosoft.com'],
      ['f8cdef31-a31e-4b4a-93e4-5f571e91255a', 'fabrikam.onmicrosoft.com'],
    ],
  );

  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path} ${r.query} ${r.status}`),
    ['GET /subscriptions api-version=2022-12-01 200', 'GET /tenants api-version=2022-12-01 200'],
  );
  assert.ok(credential.requestedScopes.length > 0, 'the SDK asked the credential for a token');
});

test('user-assigned identities: by subscription, by resource group, get, and 404', async (t) => {
  const { server, msi } = await harness(t);

  const inSubscription = await collect(msi.userAssignedIdentities.listBySubscription());
  assert.deepEqual(inSubscription.map((i) => i.name).sort(), ['app-identity', 'keda-identity', 'shared-identity']);
  const inGroup = await collect(msi.userAssignedIdentities.listByResourceGroup('rg-apps'));
  assert.deepEqual(inGroup.map((i) => i.name), ['app-identity', 'keda-identity']);

  // ARM names are case-insensitive; the stored casing comes back.
  const app = await msi.userAssignedIdentities.get('RG-Apps', 'App-Identity');
  const stored = server.state.getIdentity(SUBSCRIPTION_ID, 'rg-apps', 'app-identity');
  assert.ok(stored);
  assert.equal(app.name, 'app-identity');
  assert.equal(app.id, APP_IDENTITY_ID);
  assert.equal(app.clientId, APP_CLIENT_ID);
  assert.equal(app.principalId, stored.principalId);
  assert.equal(app.tenantId, TENANT_ID);
  assert.equal(app.location, 'eastus');

  const missing = await restErrorOf(msi.userAssignedIdentities.get('rg-apps', 'no-such-identity'));
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.code, 'ResourceNotFound');
  const noGroup = await restErrorOf(msi.userAssignedIdentities.get('rg-nowhere', 'app-identity'));
  assert.equal(noGroup.code, 'ResourceGroupNotFound');
});

test('federated credentials: create, list, get, update, delete', async (t) => {
  const { server, msi } = await harness(t);
  const fic = msi.federatedIdentityCredentials;

  const created = await fic.createOrUpdate('rg-apps', 'app-identity', 'shop-web', credentialParameters('system:serviceaccount:shop:web'));
  assert.equal(created.name, 'shop-web');
  assert.equal(created.id, `${APP_IDENTITY_ID}/federatedIdentityCredentials/shop-web`);
  assert.equal(created.issuer, ISSUER);
  assert.deepEqual(created.audiences, [AUDIENCE]);
  await fic.createOrUpdate('rg-apps', 'app-identity', 'shop-worker', credentialParameters('system:serviceaccount:shop:worker'));

  const listed = await collect(fic.list('rg-apps', 'app-identity'));
  assert.deepEqual(listed.map((c) => [c.name, c.subject]), [
    ['shop-web', 'system:serviceaccount:shop:web'],
    ['shop-worker', 'system:serviceaccount:shop:worker'],
  ]);
  const got = await fic.get('rg-apps', 'app-identity', 'shop-worker');
  assert.equal(got.subject, 'system:serviceaccount:shop:worker');

  const updated = await fic.createOrUpdate('rg-apps', 'app-identity', 'shop-web', credentialParameters('system:serviceaccount:shop:web2'));
  assert.equal(updated.subject, 'system:serviceaccount:shop:web2');
  assert.deepEqual(
    server.requests.filter((r) => r.method === 'PUT').map((r) => r.status),
    [201, 201, 200],
    'create answers 201, update 200',
  );

  await fic.delete('rg-apps', 'app-identity', 'shop-web');
  assert.deepEqual([...server.state.credentialsOf(APP_IDENTITY_ID).values()].map((c) => c.name), ['shop-worker']);
  await fic.delete('rg-apps', 'app-identity', 'shop-web'); // deleting what is gone is not an error in ARM
  assert.equal(server.requests.at(-1)?.status, 204);

  const gone = await restErrorOf(fic.get('rg-apps', 'app-identity', 'shop-web'));
  assert.equal(gone.statusCode, 404);
  const orphan = await restErrorOf(fic.createOrUpdate('rg-apps', 'ghost', 'x-ray', credentialParameters('system:serviceaccount:a:b')));
  assert.equal(orphan.statusCode, 404);
  assert.match(orphan.message, /parent user-assigned identity does not exist/);
});

test('federated credentials: at most 20 per identity', async (t) => {
  const { server, msi } = await harness(t);
  for (let index = 0; index < 20; index += 1) {
    await msi.federatedIdentityCredentials.createOrUpdate(
      'rg-apps',
      'app-identity',
      `fic-${index}`,
      credentialParameters(`system:serviceaccount:ns${index}:sa`),
    );
  }
  const error = await restErrorOf(
    msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', 'fic-20', credentialParameters('system:serviceaccount:ns20:sa')),
  );
  assert.equal(error.statusCode, 400);
  assert.equal(error.code, 'BadRequest');
  assert.match(error.message, /maximum of 20/);
  assert.equal(server.state.credentialsOf(APP_IDENTITY_ID).size, 20);

  // At the limit, an existing credential can still be changed, and another identity is unaffected.
  const changed = await msi.federatedIdentityCredentials.createOrUpdate(
    'rg-apps',
    'app-identity',
    'fic-0',
    credentialParameters('system:serviceaccount:moved:sa'),
  );
  assert.equal(changed.subject, 'system:serviceaccount:moved:sa');
  await msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'keda-identity', 'fic-20', credentialParameters('system:serviceaccount:ns20:sa'));
});

test('federated credentials: issuer and subject pair is unique per identity', async (t) => {
  const { msi } = await harness(t);
  const subject = 'system:serviceaccount:shop:web';
  await msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', 'first', credentialParameters(subject));

  const error = await restErrorOf(
    msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', 'second', credentialParameters(subject)),
  );
  assert.equal(error.statusCode, 400);
  assert.equal(error.message, 'Issuer and subject combination already exists for this Managed Identity.');

  // Same subject with another issuer, or on another identity, is fine; so is re-putting the same credential.
  await msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', 'second', credentialParameters(subject, 'https://other.example/'));
  await msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'keda-identity', 'first', credentialParameters(subject));
  await msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', 'first', credentialParameters(subject));
});

test('federated credentials: name rule and body validation', async (t) => {
  const { server, msi } = await harness(t);
  const put = (name: string, parameters = credentialParameters(`system:serviceaccount:ns:${name.length}${name.slice(0, 3)}`)) =>
    msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', name, parameters);

  for (const name of ['ab', '-abc', '_abc', 'a.bc', 'a bc', 'a'.repeat(121)]) {
    const error = await restErrorOf(put(name));
    assert.equal(error.statusCode, 400, name);
    assert.equal(error.message, `Federated Identity Credential name '${name}' is invalid.`);
  }
  for (const name of ['abc', 'A_b-9', 'a'.repeat(120)]) {
    await put(name);
  }
  assert.equal(server.state.credentialsOf(APP_IDENTITY_ID).size, 3);

  const noAudience = await restErrorOf(put('no-audience', { issuer: ISSUER, subject: 'system:serviceaccount:a:b', audiences: [] }));
  assert.match(noAudience.message, /empty properties/);
  const twoAudiences = await restErrorOf(
    put('two-audiences', { issuer: ISSUER, subject: 'system:serviceaccount:a:b', audiences: [AUDIENCE, 'api://other'] }),
  );
  assert.match(twoAudiences.message, /exactly 1 audience/);
});

test('federated credentials: overlapping writes on one identity get 409, like Azure', async (t) => {
  // Generous latency: the two requests must overlap even on a loaded machine.
  const { server, msi } = await harness(t, { settings: { writeLatencyMs: 250 } });
  const put = (identity: string, name: string) =>
    msi.federatedIdentityCredentials.createOrUpdate('rg-apps', identity, name, credentialParameters(`system:serviceaccount:ns:${name}`));

  const [first, second] = await Promise.allSettled([put('app-identity', 'one'), put('app-identity', 'two')]);
  const outcomes = [first.status, second.status].sort();
  assert.deepEqual(outcomes, ['fulfilled', 'rejected']);
  const rejected = [first, second].find((outcome) => outcome.status === 'rejected');
  assert.ok(rejected && rejected.status === 'rejected');
  assert.ok(rejected.reason instanceof RestError);
  assert.equal(rejected.reason.statusCode, 409);
  assert.equal(rejected.reason.code, 'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity');
  assert.match(rejected.reason.message, new RegExp(APP_IDENTITY_ID.toLowerCase().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  assert.equal(server.state.credentialsOf(APP_IDENTITY_ID).size, 1, 'the refused write changed nothing');

  // Writes on different identities may overlap; writes on one identity in sequence all succeed.
  await Promise.all([put('app-identity', 'three'), put('keda-identity', 'three')]);
  server.settings.writeLatencyMs = 5;
  await put('app-identity', 'four');
  await put('app-identity', 'five');
  assert.equal(server.state.credentialsOf(APP_IDENTITY_ID).size, 4);
});

test('429 with Retry-After: the SDK waits and retries, then succeeds', async (t) => {
  const { server, msi } = await harness(t);
  const fault = server.faults.add({ method: 'GET', pathPattern: /\/userAssignedIdentities\/app-identity$/i, status: 429, retryAfterSeconds: 1 });

  const started = Date.now();
  const identity = await msi.userAssignedIdentities.get('rg-apps', 'app-identity');
  const elapsed = Date.now() - started;

  assert.equal(identity.clientId, APP_CLIENT_ID);
  assert.equal(fault.hits, 1);
  assert.deepEqual(server.requests.map((r) => r.status), [429, 200]);
  assert.ok(elapsed >= 950, `the retry honoured Retry-After: 1 (took ${elapsed} ms)`);
});

test('403 surfaces as a RestError naming the missing action, without retries', async (t) => {
  const { server, msi } = await harness(t);
  server.faults.add({ method: 'PUT', pathPattern: /\/federatedIdentityCredentials\//i, status: 403 });

  const error = await restErrorOf(
    msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', 'shop-web', credentialParameters('system:serviceaccount:shop:web')),
  );
  assert.equal(error.statusCode, 403);
  assert.equal(error.code, 'AuthorizationFailed');
  assert.match(error.message, /'Microsoft\.ManagedIdentity\/userAssignedIdentities\/federatedIdentityCredentials\/write'/);
  assert.equal(server.requests.length, 1);
  assert.equal(server.state.credentialsOf(APP_IDENTITY_ID).size, 0);
});

test('500 is retried by the SDK; a fault body replaces the default one', async (t) => {
  const { server, msi, aks } = await harness(t);
  server.faults.add({ pathPattern: /\/managedClusters\/aks-modern$/i, status: 500, times: 2 });
  const cluster = await aks.managedClusters.get('rg-platform', 'aks-modern');
  assert.equal(cluster.name, 'aks-modern');
  assert.deepEqual(server.requests.map((r) => r.status), [500, 500, 200]);

  server.faults.add({ pathPattern: /\/userAssignedIdentities$/i, status: 409, body: { error: { code: 'Custom', message: 'custom text' } } });
  const error = await restErrorOf(collect(msi.userAssignedIdentities.listBySubscription()));
  assert.equal(error.statusCode, 409);
  assert.equal(error.code, 'Custom');
  assert.equal(error.message, 'custom text');
});

test('a dropped connection is retried; when it keeps dropping, the SDK gives up with ECONNRESET', async (t) => {
  const { server, msi } = await harness(t, {}, { maxRetries: 2 });
  server.faults.add({ pathPattern: /\/userAssignedIdentities\/app-identity$/i, drop: true });
  const identity = await msi.userAssignedIdentities.get('rg-apps', 'app-identity');
  assert.equal(identity.clientId, APP_CLIENT_ID);
  assert.deepEqual(server.requests.map((r) => r.status), ['dropped', 200]);

  const fault = server.faults.add({ pathPattern: /\/userAssignedIdentities\/keda-identity$/i, drop: true, times: 10 });
  const error = await restErrorOf(msi.userAssignedIdentities.get('rg-apps', 'keda-identity'));
  assert.equal(error.code, 'ECONNRESET');
  assert.equal(error.statusCode, undefined);
  assert.equal(fault.hits, 3, 'one try and maxRetries (2) retries');
});

test('managed clusters: subscription-wide list, by resource group, get', async (t) => {
  const { aks } = await harness(t);

  const all = await collect(aks.managedClusters.list());
  assert.deepEqual(all.map((c) => c.name), ['aks-legacy', 'aks-modern']);
  const inGroup = await collect(aks.managedClusters.listByResourceGroup('rg-platform'));
  assert.deepEqual(inGroup.map((c) => c.name), ['aks-modern']);

  const legacy = await aks.managedClusters.get('rg-aks', 'aks-legacy');
  assert.equal(legacy.provisioningState, 'Succeeded');
  assert.equal(legacy.oidcIssuerProfile?.enabled, false);
  assert.equal(legacy.securityProfile?.workloadIdentity?.enabled, undefined);
  assert.equal(legacy.podIdentityProfile?.enabled, true);
  assert.equal(legacy.podIdentityProfile?.userAssignedIdentities?.[0]?.identity.clientId, APP_CLIENT_ID);
  assert.equal(legacy.podIdentityProfile?.userAssignedIdentities?.[0]?.bindingSelector, 'app-identity');
  assert.deepEqual(legacy.podIdentityProfile?.userAssignedIdentityExceptions?.[0]?.podLabels, { app: 'probe' });

  const modern = await aks.managedClusters.get('rg-platform', 'aks-modern');
  assert.equal(modern.oidcIssuerProfile?.issuerURL, ISSUER);
  assert.equal(modern.securityProfile?.workloadIdentity?.enabled, true);

  const missing = await restErrorOf(aks.managedClusters.get('rg-aks', 'nope'));
  assert.equal(missing.statusCode, 404);
});

test('managed cluster update is a long-running operation: OIDC issuer and workload identity get enabled', async (t) => {
  const { server, aks } = await harness(t, { settings: { lroInProgressPolls: 3 } });
  const before = await aks.managedClusters.get('rg-aks', 'aks-legacy');
  const wanted: ManagedCluster = {
    ...before,
    oidcIssuerProfile: { enabled: true },
    securityProfile: { ...before.securityProfile, workloadIdentity: { enabled: true } },
  };

  const after = await aks.managedClusters.beginCreateOrUpdateAndWait('rg-aks', 'aks-legacy', wanted, { updateIntervalInMs: 5 });

  assert.equal(after.provisioningState, 'Succeeded');
  assert.equal(after.oidcIssuerProfile?.enabled, true);
  assert.match(after.oidcIssuerProfile?.issuerURL ?? '', new RegExp(`^https://eastus\\.oic\\.prod-aks\\.azure\\.com/${TENANT_ID}/[0-9a-f-]{36}/$`));
  assert.equal(after.securityProfile?.workloadIdentity?.enabled, true);
  assert.equal(after.podIdentityProfile?.userAssignedIdentities?.[0]?.identity.clientId, APP_CLIENT_ID, 'other settings are kept');
  assert.equal(after.fqdn, before.fqdn, 'read-only properties are kept');

  const calls = server.requests.slice(1).map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}$/, '<op>')} ${r.status}`);
  assert.deepEqual(calls, [
    `PUT /subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-legacy 200`,
    ...Array<string>(4).fill(`GET /subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.ContainerService/locations/eastus/operations/<op> 200`),
    `GET /subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-legacy 200`,
  ]);
  const stored = server.state.getCluster(SUBSCRIPTION_ID, 'rg-aks', 'aks-legacy');
  assert.equal(stored?.properties.oidcIssuerProfile?.issuerURL, after.oidcIssuerProfile?.issuerURL);
});

test('managed cluster operation: state while running, 409 for a second update, Failed outcome', async (t) => {
  const { server, aks } = await harness(t, { settings: { lroInProgressPolls: 1 } });
  const cluster = await aks.managedClusters.get('rg-platform', 'aks-modern');

  const poller = aks.managedClusters.createOrUpdate('rg-platform', 'aks-modern', { ...cluster, tags: { team: 'a' } }, { updateIntervalInMs: 5 });
  await poller.submitted();
  assert.equal(server.state.getCluster(SUBSCRIPTION_ID, 'rg-platform', 'aks-modern')?.properties.provisioningState, 'Updating');
  const busy = await restErrorOf(
    Promise.resolve(aks.managedClusters.createOrUpdate('rg-platform', 'aks-modern', cluster, { updateIntervalInMs: 5 })),
  );
  assert.equal(busy.statusCode, 409);
  assert.equal(busy.code, 'OperationNotAllowed');
  const done = await poller;
  assert.deepEqual(done.tags, { team: 'a' });
  assert.equal(done.oidcIssuerProfile?.issuerURL, ISSUER, 'an enabled issuer keeps its URL');

  server.clusterOperationFailure = { code: 'InternalOperationError', message: 'The node pool could not be reconciled.' };
  const failure = await Promise.resolve(
    aks.managedClusters.createOrUpdate('rg-platform', 'aks-modern', { ...done, tags: { team: 'b' } }, { updateIntervalInMs: 5 }),
  ).then(
    () => assert.fail('expected the operation to fail'),
    (error: unknown) => error,
  );
  assert.match(String(failure), /node pool could not be reconciled/);
  const stored = server.state.getCluster(SUBSCRIPTION_ID, 'rg-platform', 'aks-modern');
  assert.equal(stored?.properties.provisioningState, 'Failed');
  assert.deepEqual(stored?.tags, { team: 'a' }, 'a failed operation leaves the cluster as it was');
});

test('paging: lists follow nextLink across pages with every SDK', async (t) => {
  const { server, msi, aks, subscriptions } = await harness(t, { settings: { pageSize: 2 } });
  for (let index = 0; index < 3; index += 1) {
    server.state.addIdentity({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-more', name: `more-${index}` });
    server.state.addCluster({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-more', name: `cluster-${index}` });
  }

  const pages: number[] = [];
  for await (const onePage of msi.userAssignedIdentities.listBySubscription().byPage()) {
    pages.push(onePage.length);
  }
  assert.deepEqual(pages, [2, 2, 2]);
  const identityCalls = server.requests.map((r) => r.query);
  assert.deepEqual(identityCalls, ['api-version=2024-11-30', 'api-version=2024-11-30&$skiptoken=2', 'api-version=2024-11-30&$skiptoken=4']);

  const clusters = await collect(aks.managedClusters.list());
  assert.deepEqual(clusters.map((c) => c.name), ['aks-legacy', 'aks-modern', 'cluster-0', 'cluster-1', 'cluster-2']);
  assert.equal(server.requests.filter((r) => r.path.endsWith('/managedClusters')).length, 3);

  assert.equal((await collect(subscriptions.subscriptions.list())).length, 2);

  for (let index = 0; index < 5; index += 1) {
    await msi.federatedIdentityCredentials.createOrUpdate('rg-apps', 'app-identity', `fic-${index}`, credentialParameters(`system:serviceaccount:ns:${index}`));
  }
  server.settings.pageSize = 100;
  const before = server.requests.length;
  const credentials = await collect(msi.federatedIdentityCredentials.list('rg-apps', 'app-identity', { top: 3 }));
  assert.equal(credentials.length, 5);
  assert.equal(server.requests.length - before, 2, '$top=3 gives two pages of five');
});

test('the server itself: bearer token and api-version are required, and its certificate is not trusted by default', async (t) => {
  const { server, subscriptions } = await harness(t);
  const raw = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; retryAfter?: string; body: { error?: { code?: string } } }>((resolve, reject) => {
      const outgoing = request(`${server.url}${path}`, { ca: server.cert, headers }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            body: JSON.parse(text) as { error?: { code?: string } },
          }),
        );
      });
      outgoing.on('error', reject);
      outgoing.end();
    });

  const anonymous = await raw('/subscriptions?api-version=2022-12-01', {});
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error?.code, 'AuthenticationFailed');
  const noVersion = await raw('/subscriptions', { Authorization: 'Bearer x' });
  assert.equal(noVersion.status, 400);
  assert.equal(noVersion.body.error?.code, 'MissingApiVersionParameter');
  const unknown = await raw('/subscriptions/x/providers/Microsoft.Nope/things?api-version=1', { Authorization: 'Bearer x' });
  assert.equal(unknown.status, 404);
  server.faults.add({ pathPattern: /^\/tenants$/, status: 429 });
  const throttled = await raw('/tenants?api-version=2022-12-01', { Authorization: 'Bearer x' });
  assert.equal(throttled.status, 429);
  assert.equal(throttled.retryAfter, '1', 'a 429 always carries Retry-After');
  assert.equal(throttled.body.error?.code, 'TooManyRequests');
  assert.equal((await collect(subscriptions.subscriptions.list())).length, 2);

  // Without tlsOptions.ca, a real client refuses the self-signed certificate.
  const untrusting = new SubscriptionClient(new StaticTokenCredential(), { endpoint: server.url, retryOptions: { maxRetries: 0 } });
  const refused = await restErrorOf(collect(untrusting.subscriptions.list()));
  assert.equal(refused.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('acceptedTokens: another token is refused with 401 InvalidAuthenticationToken', async (t) => {
  const server = await startArmServer({ seed: sampleWorld(), acceptedTokens: ['the-good-token'] });
  t.after(() => server.close());
  const good = new SubscriptionClient(new StaticTokenCredential('the-good-token'), armClientOptions(server));
  const bad = new SubscriptionClient(new StaticTokenCredential('a-stale-token'), armClientOptions(server));
  assert.equal((await collect(good.tenants.list())).length, 2);
  const refused = await restErrorOf(collect(bad.tenants.list()));
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.code, 'InvalidAuthenticationToken');
});
