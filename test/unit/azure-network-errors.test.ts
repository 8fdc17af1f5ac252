// Network failures (DNS, TLS, proxy, refused connections) are told as such, naming VS Code's
// proxy settings and the cloud settings, never the sign-in method; and every error message ends
// with a full stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ArmClients, collect } from '../../src/vscode/azure/clients';
import { CLOUDS } from '../../src/vscode/azure/clouds';
import { describeError, networkFailureOf, type CallContext } from '../../src/vscode/azure/errors';
import { CancelledError, FlowError } from '../../src/vscode/azure/result';
import { StaticTokenCredential } from '../arm/credentials';
import { startArmServer } from '../arm/server';
import { sampleWorld } from '../arm/sampleWorld';
import { TOKEN, requestsOf } from './azure-harness';

const rest = (statusCode: number | undefined, code: string | undefined, message: string) => Object.assign(new Error(message), { name: 'RestError', statusCode, code });
const named = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name }, extra);

// What the Azure CLI prints when it cannot reach Microsoft Entra ID (Python requests/urllib3).
const AZ_DNS = `ERROR: HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded with url: /organizations/oauth2/v2.0/token (Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at 0x7f3a>: Failed to resolve 'login.microsoftonline.com' ([Errno -3] Temporary failure in name resolution)"))`;
const AZ_TLS = `ERROR: HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded with url: /organizations/oauth2/v2.0/token (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)')))`;
const AZ_PROXY = `ERROR: HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded with url: /organizations/oauth2/v2.0/token (Caused by ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 407 Proxy Authentication Required')))`;

test('network failures are classified by code, cause, status 407 and the words of text-only errors', () => {
  const cases: Array<[unknown, string | undefined]> = [
    [rest(undefined, 'ENOTFOUND', 'getaddrinfo ENOTFOUND management.azure.com'), 'dns ENOTFOUND'],
    [rest(undefined, 'EAI_AGAIN', 'getaddrinfo EAI_AGAIN management.azure.com'), 'dns EAI_AGAIN'],
    [rest(undefined, 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'), 'connection ECONNREFUSED'],
    [rest(undefined, 'ETIMEDOUT', 'connect ETIMEDOUT'), 'connection ETIMEDOUT'],
    [rest(undefined, 'ECONNRESET', 'socket hang up'), 'connection ECONNRESET'],
    [rest(undefined, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'tls UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    [rest(undefined, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'tls SELF_SIGNED_CERT_IN_CHAIN'],
    [rest(undefined, 'CERT_HAS_EXPIRED', 'certificate has expired'), 'tls CERT_HAS_EXPIRED'],
    [rest(407, undefined, 'Proxy Authentication Required'), 'proxy 407 Proxy Authentication Required'],
    // REQUEST_SEND_ERROR only says the request failed; the message says why.
    [rest(undefined, 'REQUEST_SEND_ERROR', 'getaddrinfo ENOTFOUND management.azure.com'), 'dns ENOTFOUND'],
    [rest(undefined, 'REQUEST_SEND_ERROR', 'something broke'), 'connection REQUEST_SEND_ERROR'],
    // MSAL's errorCode, and a cause chain (fetch, undici).
    [named('AuthenticationError', 'Network request failed', { errorCode: 'network_error' }), 'connection network_error'],
    [named('TypeError', 'fetch failed', { cause: Object.assign(new Error('getaddrinfo EAI_AGAIN login.microsoftonline.com'), { code: 'EAI_AGAIN' }) }), 'dns EAI_AGAIN'],
    // Text only: VS Code's getSession failure, the Azure CLI's stderr.
    [new Error('network_error: Network request failed'), 'connection network_error'],
    [named('CredentialUnavailableError', AZ_DNS), 'dns NameResolutionError'],
    [named('CredentialUnavailableError', AZ_TLS), 'tls SSLError'],
    [named('CredentialUnavailableError', AZ_PROXY), 'proxy ProxyError'],
    // Not the network: Azure answered, or the sign-in itself was refused.
    [rest(404, 'ResourceNotFound', 'Failed to resolve the resource group.'), undefined],
    [rest(403, 'AuthorizationFailed', 'No.'), undefined],
    [named('CredentialUnavailableError', "Please run 'az login' from a command prompt to authenticate before using this credential."), undefined],
    [new Error('User did not consent to login.'), undefined],
    ['a string', undefined],
    [undefined, undefined],
  ];
  for (const [error, expected] of cases) {
    const failure = networkFailureOf(error);
    assert.equal(failure && `${failure.kind} ${failure.detail}`, expected, String((error as Error | undefined)?.message ?? error));
  }
});

test('a network failure names http.proxy and the cloud settings, never wiMigrate.azure.authentication', () => {
  const context: CallContext = { operation: 'list your tenants', endpoint: 'https://management.azure.com' };
  const arm = describeError(rest(undefined, 'ENOTFOUND', 'getaddrinfo ENOTFOUND management.azure.com'), context);
  assert.match(arm, /^Could not list your tenants: Azure Resource Manager \(https:\/\/management\.azure\.com\) could not be reached \(ENOTFOUND\)\. The host name could not be resolved/);
  const signIn = describeError(new Error('network_error: Network request failed'), context);
  assert.match(signIn, /^Could not list your tenants: the Microsoft sign-in could not be reached \(network_error\)\./);
  const tls = describeError(rest(undefined, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), context);
  assert.match(tls, /http\.proxyStrictSSL/);
  const proxy = describeError(rest(407, undefined, 'Proxy Authentication Required'), context);
  assert.match(proxy, /proxy refused the connection: check the settings http\.proxy and http\.proxyAuthorization/);
  const cli = describeError(named('CredentialUnavailableError', AZ_DNS), { ...context, authentication: 'azureCli' });
  assert.match(cli, /the Microsoft sign-in could not be reached \(NameResolutionError\)/);
  assert.match(cli, /HTTPS_PROXY environment variable/, 'az does not read VS Code settings');
  for (const message of [arm, signIn, tls, proxy, cli]) {
    assert.match(message, /http\.proxy\b/);
    assert.match(message, /wiMigrate\.azure\.cloud/);
    assert.match(message, /wiMigrate\.azure\.resourceManagerEndpoint/);
    assert.doesNotMatch(message, /wiMigrate\.azure\.authentication/);
    assert.ok(message.endsWith('.'), message);
  }
  // A refused sign-in still points at the sign-in method.
  assert.match(describeError(named('CredentialUnavailableError', "Please run 'az login' from a command prompt."), context), /wiMigrate\.azure\.authentication\.$/);
});

test('every message describeError produces ends with a full stop', () => {
  const contexts: CallContext[] = [{ operation: 'do the thing' }, { operation: 'do the thing', permission: 'Microsoft.Foo/bars/write', endpoint: 'https://arm.example', retries: 2, authentication: 'azureCli' }];
  const errors: unknown[] = [
    rest(401, 'InvalidAuthenticationToken', 'The access token is invalid'),
    rest(403, 'Forbidden', 'Forbidden'),
    rest(403, undefined, ''),
    rest(404, 'NotFound', 'Gone'),
    rest(404, undefined, ''),
    rest(409, 'Conflict', 'Busy'),
    rest(429, 'TooManyRequests', 'Slow down'),
    rest(500, 'InternalServerError', 'Internal error: try later'),
    rest(502, undefined, ''),
    rest(undefined, 'ECONNREFUSED', 'connect ECONNREFUSED'),
    rest(undefined, 'CERT_HAS_EXPIRED', 'certificate has expired'),
    rest(407, undefined, 'Proxy Authentication Required'),
    named('CredentialUnavailableError', 'Azure CLI could not be found'),
    named('AuthenticationError', 'AADSTS50076: multi-factor authentication required\nTrace ID: x'),
    named('AbortError', 'aborted'),
    new FlowError('No AKS cluster in subscription Contoso Production'),
    new CancelledError(),
    new Error('boom'),
    new Error(''),
    new Error('ends with a colon:'),
    'a thrown string',
    undefined,
  ];
  for (const context of contexts) {
    for (const error of errors) {
      const message = describeError(error, context);
      assert.ok(message.endsWith('.'), `no full stop: ${JSON.stringify(message)}`);
      assert.doesNotMatch(message, / {2}/, `double space: ${JSON.stringify(message)}`);
    }
  }
  fc.assert(
    fc.property(fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), fc.string(), (status, code, message) => {
      assert.ok(describeError(rest(status, code, message), contexts[1]).endsWith('.'));
      assert.ok(describeError(new Error(message), contexts[0]).endsWith('.'));
    }),
  );
});

test('the real SDK: a refused connection and an untrusted certificate are told as network failures', async (t) => {
  const server = await startArmServer({ seed: sampleWorld(), acceptedTokens: [TOKEN] });
  t.after(() => server.close());
  const credential = new StaticTokenCredential(TOKEN);
  const noRetry = { maxRetries: 0 };
  const failure = async (clients: ArmClients) => {
    try {
      await collect(clients.subscriptions().subscriptions.list());
    } catch (error) {
      return { error, message: describeError(error, { operation: 'list your subscriptions', endpoint: clients.endpoint }) };
    }
    assert.fail('the listing should fail');
  };
  // The server's port once it is closed: nothing listens there.
  const closed = await startArmServer({ seed: sampleWorld() });
  const closedUrl = closed.url;
  await closed.close();
  const refused = await failure(new ArmClients(credential, CLOUDS.AzureCloud, closedUrl, { tlsOptions: { ca: server.cert }, retryOptions: noRetry }));
  assert.equal(networkFailureOf(refused.error)?.kind, 'connection');
  assert.match(refused.message, /could not be reached \(ECONNREFUSED\)\. Check the network connection and, behind a proxy, the setting http\.proxy\./);
  // Without the test CA, the server's certificate is untrusted: what a TLS-inspecting proxy looks like.
  const untrusted = await failure(new ArmClients(credential, CLOUDS.AzureCloud, server.url, { retryOptions: noRetry }));
  assert.equal(networkFailureOf(untrusted.error)?.kind, 'tls', String(untrusted.error));
  assert.match(untrusted.message, /certificate was not trusted.*http\.proxyStrictSSL/);
  assert.deepEqual(requestsOf(server), [], 'no request reached the server');
});
