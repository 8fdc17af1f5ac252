// Sign-in, clouds and client factories: the real @azure/identity AzureCliCredential (with a fake
// `az` on PATH) and the real SDK clients against the test ARM server; error wording.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { sessionCredential, signInFor } from '../../src/vscode/azure/auth';
import { ArmClients, collect, parseResourceId } from '../../src/vscode/azure/clients';
import { CLOUDS, cloudNamed, DEFAULT_AUDIENCE } from '../../src/vscode/azure/clouds';
import { describeError } from '../../src/vscode/azure/errors';
import { nameProblem, offeredName } from '../../src/vscode/azure/createFederatedCredential/naming';
import { azureSettings, parseServiceAccount } from '../../src/vscode/azure/settings';
import { StaticTokenCredential } from '../arm/credentials';
import { SUBSCRIPTION_ID, TENANT_ID } from '../arm/sampleWorld';
import { FAKE_AZ_TOKEN, startStandaloneArmServer } from '../arm/standalone';

test('each cloud has its endpoint, authority and scope; the audience is the webhook\'s in every cloud', () => {
  assert.deepEqual(
    Object.values(CLOUDS).map((c) => [c.name, c.resourceManagerEndpoint, c.authorityHost, azureSettings({ cloud: c.name }).audience, c.authProvider]),
    [
      ['AzureCloud', 'https://management.azure.com', 'https://login.microsoftonline.com', 'api://AzureADTokenExchange', 'microsoft'],
      ['AzureUSGovernment', 'https://management.usgovcloudapi.net', 'https://login.microsoftonline.us', 'api://AzureADTokenExchange', 'microsoft-sovereign-cloud'],
      ['AzureChinaCloud', 'https://management.chinacloudapi.cn', 'https://login.chinacloudapi.cn', 'api://AzureADTokenExchange', 'microsoft-sovereign-cloud'],
    ],
  );
  assert.equal(cloudNamed('nonsense').name, 'AzureCloud');
});

test('the audience default is one value in the command, the setting\'s declaration, the docs and the README', () => {
  const root = join(__dirname, '..', '..', '..');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } } };
  assert.equal(manifest.contributes.configuration.properties['wiMigrate.azure.audience'].default, DEFAULT_AUDIENCE);
  assert.equal(azureSettings({}).audience, DEFAULT_AUDIENCE);
  const docs = readFileSync(join(root, 'docs', 'azure-commands.md'), 'utf8');
  assert.ok(docs.includes(`| \`wiMigrate.azure.audience\` | \`${DEFAULT_AUDIENCE}\` |`), 'docs/azure-commands.md gives the same default');
  assert.ok(readFileSync(join(root, 'README.md'), 'utf8').includes(`\`${DEFAULT_AUDIENCE}\``), 'the README names it');
  // The copied script writes the setting's value: the same default (azure-script.test.ts runs the command).
});

test('settings: defaults, trimming, the KEDA operator as namespace/name', () => {
  const defaults = azureSettings({});
  assert.deepEqual([defaults.cloud.name, defaults.authentication, defaults.resourceManagerEndpoint, defaults.tenant, defaults.kedaOperator], ['AzureCloud', 'vscode', undefined, undefined, { namespace: 'kube-system', name: 'keda-operator' }]);
  const set = azureSettings({ cloud: 'AzureChinaCloud', authentication: 'deviceCode', resourceManagerEndpoint: ' https://arm.example/ ', tenant: ' t ', kedaOperatorServiceAccount: 'keda/keda-operator' });
  assert.deepEqual([set.cloud.name, set.authentication, set.resourceManagerEndpoint, set.tenant, set.kedaOperator], ['AzureChinaCloud', 'deviceCode', 'https://arm.example', 't', { namespace: 'keda', name: 'keda-operator' }]);
  assert.equal(parseServiceAccount('no-slash'), undefined);
  // A webhook that runs with --audience: the setting wins, in any cloud.
  assert.equal(azureSettings({ cloud: 'AzureUSGovernment', audience: ' api://custom-audience ' }).audience, 'api://custom-audience');
  assert.equal(azureSettings({ audience: '  ' }).audience, 'api://AzureADTokenExchange');
});

test('every client asks for the configured cloud\'s scope, whatever the endpoint', async (t) => {
  const standalone = await startStandaloneArmServer();
  t.after(() => standalone.close());
  const credential = new StaticTokenCredential(FAKE_AZ_TOKEN);
  const clients = new ArmClients(credential, CLOUDS.AzureUSGovernment, standalone.url, { tlsOptions: { ca: standalone.server.cert } });
  await collect(clients.subscriptions().subscriptions.list());
  await collect(clients.msi(SUBSCRIPTION_ID).userAssignedIdentities.listBySubscription());
  await collect(clients.aks(SUBSCRIPTION_ID).managedClusters.list());
  assert.deepEqual([...new Set(credential.requestedScopes.flat())], ['https://management.core.usgovcloudapi.net/.default']);
  assert.ok(clients.aks(SUBSCRIPTION_ID) instanceof ContainerServiceClient);
});

test('azureCli sign-in: the real AzureCliCredential runs `az` (a fake on PATH) and its token reaches ARM', async (t) => {
  const standalone = await startStandaloneArmServer();
  t.after(() => standalone.close());
  const printed = spawnSync('az', ['account', 'get-access-token', '--output', 'json'], { env: { ...process.env, PATH: standalone.env.PATH }, encoding: 'utf8' });
  const json = JSON.parse(printed.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ['accessToken', 'expiresOn', 'expires_on', 'subscription', 'tenant', 'tokenType']);

  const path = process.env.PATH;
  process.env.PATH = standalone.env.PATH;
  t.after(() => {
    process.env.PATH = path;
  });
  const signIn = signInFor(azureSettings({ authentication: 'azureCli', resourceManagerEndpoint: standalone.url }), {});
  assert.equal(signIn.method, 'the Azure CLI (az login)');
  const token = await signIn.credential(TENANT_ID).getToken('https://management.core.windows.net/.default');
  assert.ok(token);
  assert.equal(token.token, FAKE_AZ_TOKEN);
  assert.ok(token.expiresOnTimestamp > Date.now());
  // The server accepts only the fake az's token: a listing proves it went through the SDK.
  const clients = new ArmClients(signIn.credential(TENANT_ID), CLOUDS.AzureCloud, standalone.url, { tlsOptions: { ca: standalone.server.cert } });
  const subscriptions = await collect(clients.subscriptions().subscriptions.list());
  assert.equal(subscriptions.length, 2);
  assert.equal(signIn.credential(TENANT_ID), signIn.credential(TENANT_ID), 'one credential per tenant');
});

test('vscode sign-in: the session source gets the scope and the tenant; a missing source is explained', async () => {
  const calls: Array<[string[], string | undefined]> = [];
  const credential = sessionCredential((scopes, tenantId) => {
    calls.push([scopes, tenantId]);
    return Promise.resolve('session-token');
  }, TENANT_ID);
  const token = await credential.getToken('https://management.core.windows.net/.default');
  assert.equal(token?.token, 'session-token');
  assert.deepEqual(calls, [[['https://management.core.windows.net/.default'], TENANT_ID]]);
  assert.throws(() => signInFor(azureSettings({}), {}).credential(), /set wiMigrate\.azure\.authentication to azureCli or deviceCode/);
});

test('errors are worded by status: 401, 403 with the action, 404, 409, 429, network, cancel', () => {
  const rest = (statusCode: number | undefined, code: string, message: string) => Object.assign(new Error(message), { name: 'RestError', statusCode, code });
  const context = { operation: 'do the thing', permission: 'Microsoft.Foo/bars/write', endpoint: 'https://arm.example' };
  assert.match(describeError(rest(401, 'InvalidAuthenticationToken', 'The access token is invalid.'), context), /^Could not do the thing: Azure did not accept the sign-in \(401 InvalidAuthenticationToken\)/);
  assert.match(
    describeError(rest(403, 'AuthorizationFailed', "The client 'x' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/write' over scope '/subscriptions/s' or the scope is invalid."), context),
    /lacks the permission Microsoft\.ContainerService\/managedClusters\/write on \/subscriptions\/s \(403 AuthorizationFailed\)/,
  );
  // A full cluster PUT is also authorised against linked resources: the linked action and scope are named, not the cluster write.
  const linked = describeError(
    rest(
      403,
      'LinkedAuthorizationFailed',
      "The client 'x' with object id 'y' has permission to perform action 'Microsoft.ContainerService/managedClusters/write' on scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks'; " +
        "however, it does not have permission to perform action 'Microsoft.OperationalInsights/workspaces/sharedKeys/action' on the linked scope(s) '/subscriptions/s/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/ws' or the linked scope(s) are invalid.",
    ),
    { ...context, permission: 'Microsoft.ContainerService/managedClusters/write' },
  );
  assert.match(linked, /lacks Microsoft\.OperationalInsights\/workspaces\/sharedKeys\/action on \/subscriptions\/s\/resourceGroups\/logs\/providers\/Microsoft\.OperationalInsights\/workspaces\/ws \(403 LinkedAuthorizationFailed\)/);
  assert.match(linked, /may write there \(Microsoft\.ContainerService\/managedClusters\/write\)/);
  assert.doesNotMatch(linked, /lacks the permission Microsoft\.ContainerService/);
  assert.match(
    describeError(rest(403, 'LinkedAuthorizationFailed', "…; however, it does not have permission to perform action(s) 'A/b/action,C/d/read' on the linked scope(s) '/l1,/l2' (respectively) or the linked scope(s) are invalid."), context),
    /lacks A\/b\/action, C\/d\/read on \/l1, \/l2 \(403 LinkedAuthorizationFailed\)\. .*owner of those resources/,
  );
  assert.match(describeError(rest(403, 'Forbidden', 'No.'), context), /lacks the permission Microsoft\.Foo\/bars\/write \(403 Forbidden\)/, 'the known permission when Azure names none');
  assert.match(
    describeError(rest(401, 'InvalidAuthenticationTokenTenant', "The access token is from the wrong issuer 'https://sts.windows.net/t1/'."), context),
    /another tenant than the subscription's \(401 InvalidAuthenticationTokenTenant\)\. .*pick the subscription's tenant .*wiMigrate\.azure\.tenant/,
  );
  assert.match(
    describeError(rest(405, 'MethodNotAllowed', 'The requested resource does not support http method PUT.'), { ...context, permission: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write' }),
    /does not allow federated identity credentials on this identity \(405 MethodNotAllowed\)\. A few regions do not support them/,
  );
  assert.match(describeError(rest(405, 'MethodNotAllowed', 'No PUT here. More.'), context), /Azure answered 405 MethodNotAllowed\. No PUT here\.$/);
  assert.match(describeError(rest(404, 'ResourceNotFound', 'Gone. More text.'), context), /not found \(404 ResourceNotFound\)\. Gone\. It may have been deleted/);
  assert.match(describeError(rest(409, 'Conflict', 'Busy.'), { ...context, retries: 4 }), /conflict \(409 Conflict\) after 4 sequential retries\. Busy\. Try again/);
  assert.match(describeError(rest(429, 'TooManyRequests', 'Slow down.'), context), /throttling requests \(429 TooManyRequests\)/);
  assert.match(describeError(rest(undefined, 'ECONNREFUSED', 'connect ECONNREFUSED'), context), /Azure Resource Manager \(https:\/\/arm\.example\) could not be reached \(ECONNREFUSED\)/);
  assert.equal(describeError(Object.assign(new Error('aborted'), { name: 'AbortError' }), context), 'Cancelled: do the thing.');
  assert.match(describeError(Object.assign(new Error('Azure CLI could not be found.'), { name: 'CredentialUnavailableError' }), context), /could not sign in to Azure\. Azure CLI could not be found\./);
});

test('names: offered from namespace and account, always valid; problems explained', () => {
  assert.equal(offeredName('shop', 'web'), 'shop-web');
  assert.equal(offeredName('shop', 'web', ['shop-web', 'SHOP-WEB-2']), 'shop-web-3');
  assert.equal(offeredName('a', 'b'), 'a-b');
  assert.equal(offeredName('-x', 'y.z'), 'x-y-z');
  assert.equal(offeredName('n'.repeat(100), 's'.repeat(100)).length, 120);
  for (const name of [offeredName('a', 'b'), offeredName('-x', 'y.z'), offeredName('n'.repeat(100), 's'.repeat(100))]) assert.equal(nameProblem(name), undefined, name);
  assert.match(nameProblem('ab') ?? '', /3 to 120/);
  assert.match(nameProblem('_abc') ?? '', /start with a letter or a digit/);
  assert.match(nameProblem('a.bc') ?? '', /Only letters, digits/);
});

test('resource ids parse in either casing of resourceGroups', () => {
  assert.deepEqual(parseResourceId('/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id'), { subscriptionId: 's', resourceGroup: 'rg', name: 'id' });
  assert.deepEqual(parseResourceId('/subscriptions/s/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/c'), { subscriptionId: 's', resourceGroup: 'RG', name: 'c' });
  assert.equal(parseResourceId('nonsense'), undefined);
});
