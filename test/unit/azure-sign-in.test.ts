// Sign-in that gives a sign of life: the first token of each credential runs under a progress
// with Cancel and a time-out (signingIn.ts), through the flows and the real SDK clients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { signInFor } from '../../src/vscode/azure/auth';
import { CancelledError, FlowError } from '../../src/vscode/azure/result';
import { ScriptedUi } from '../../src/vscode/azure/scriptedUi';
import { SIGN_IN_TITLE, watchedSignIn } from '../../src/vscode/azure/signingIn';
import { azureSettings } from '../../src/vscode/azure/settings';
import { StaticTokenCredential } from '../arm/credentials';
import { startStandaloneArmServer } from '../arm/standalone';
import { SIGN_IN, WORKSPACE, seed } from './azure-fixtures';
import { TOKEN, azureHarness, requestsOf } from './azure-harness';

const COMMAND = 'wiMigrate.copyAzScript';

/** A credential whose first token never comes (a browser sign-in nobody completes). */
function neverSignsIn(): TokenCredential & { asked: number } {
  return {
    asked: 0,
    getToken() {
      this.asked++;
      return new Promise<AccessToken>(() => undefined);
    },
  };
}

test('a sign-in that never completes shows a progress and stops at the time-out with a message', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const credential = neverSignsIn();
  const run = await h.run(COMMAND, [], { credential: () => credential, settings: { resourceManagerEndpoint: h.server.url, signInTimeoutSeconds: 1 } });
  assert.equal(run.result.succeeded, false);
  const error = run.result.succeeded ? '' : run.result.error;
  assert.equal(error, 'Sign-in to Microsoft did not complete within 1 s (wiMigrate.azure.signInTimeoutSeconds). Try again, or set wiMigrate.azure.authentication to azureCli or deviceCode.');
  assert.ok(!('cancelled' in run.result));
  assert.deepEqual(
    run.ui.transcript.map((e) => [e.kind, e.text]),
    [
      ['progress', SIGN_IN_TITLE],
      ['notify', error],
    ],
  );
  assert.equal(credential.asked, 1);
  assert.deepEqual(requestsOf(h.server), [], 'no request went out without a token');
});

test('the Azure CLI time-out says to check az, not to switch the sign-in method', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [], { credential: neverSignsIn, settings: { resourceManagerEndpoint: h.server.url, authentication: 'azureCli', signInTimeoutSeconds: 1 } });
  assert.match(run.result.succeeded ? '' : run.result.error, /^The Azure CLI did not return a token within 1 s \(wiMigrate\.azure\.signInTimeoutSeconds\)\. Check that az account get-access-token works in a terminal/);
});

test('Cancel on the sign-in progress ends the command as cancelled, without an error', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run(COMMAND, [], { credential: neverSignsIn, cancel: { progress: SIGN_IN_TITLE } });
  assert.deepEqual(run.result, { succeeded: false, error: 'Sign-in cancelled.', cancelled: true });
  assert.ok(!run.ui.transcript.some((e) => e.kind === 'notify'), 'no error notification');
  assert.ok(run.log.includes('info: Sign-in cancelled.'), run.log.join('\n'));
});

test('a sign-in that fails on the network is reported as a network failure', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const offline: TokenCredential = {
    getToken: () => Promise.reject(new Error('network_error: Network request failed')),
  };
  const run = await h.run(COMMAND, [], { credential: () => offline });
  const error = run.result.succeeded ? '' : run.result.error;
  assert.match(error, /^Could not list your tenants: the Microsoft sign-in could not be reached \(network_error\)\. Check the network connection and, behind a proxy, the setting http\.proxy\./);
  assert.doesNotMatch(error, /wiMigrate\.azure\.authentication/);
});

test('the real AzureCliCredential: an az that cannot resolve the sign-in host is a network failure, not a sign-in method problem', async (t) => {
  const standalone = await startStandaloneArmServer();
  t.after(() => standalone.close());
  const saved = process.env.PATH;
  process.env.PATH = standalone.env.PATH;
  process.env.WI_FAKE_AZ_MODE = 'offline';
  t.after(() => {
    process.env.PATH = saved;
    delete process.env.WI_FAKE_AZ_MODE;
  });
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const settings = { resourceManagerEndpoint: h.server.url, authentication: 'azureCli' };
  const cli = signInFor(azureSettings(settings), {});
  const run = await h.run(COMMAND, [], { credential: (tenantId) => cli.credential(tenantId), settings });
  const error = run.result.succeeded ? '' : run.result.error;
  assert.match(error, /^Could not list your tenants: the Microsoft sign-in could not be reached \(NameResolutionError\)\. The host name could not be resolved/);
  assert.match(error, /HTTPS_PROXY environment variable, not from http\.proxy\./);
  assert.match(error, /wiMigrate\.azure\.cloud/);
  assert.doesNotMatch(error, /wiMigrate\.azure\.authentication/);
  assert.deepEqual(run.ui.transcript.map((e) => [e.kind, e.text]), [['progress', SIGN_IN_TITLE], ['notify', error]]);
});

test('each tenant signs in once under a progress; later tokens are asked for directly', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const byTenant = new Map<string, StaticTokenCredential>();
  const run = await h.run(COMMAND, [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['shop/web'] }], {
    credential: (tenantId) => {
      const key = tenantId ?? 'home';
      if (!byTenant.has(key)) byTenant.set(key, new StaticTokenCredential(TOKEN));
      return byTenant.get(key)!;
    },
  });
  assert.ok(run.result.succeeded, run.result.succeeded ? '' : run.result.error);
  const signIns = run.ui.transcript.filter((e) => e.kind === 'progress' && e.text === SIGN_IN_TITLE);
  assert.equal(signIns.length, byTenant.size, 'one sign-in progress per tenant');
  assert.equal(byTenant.size, 2, 'the home tenant lists tenants, the picked one the rest');
  const picked = [...byTenant.values()][1];
  assert.ok(picked.requestedScopes.length > 1, 'the picked tenant was asked for more tokens after its sign-in');
});

/** Lets pending promise callbacks run (setImmediate is not among the mocked timers). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the time-out counts from the sign-in\'s start (mocked clock); a device code sign-in has none, and Cancel still ends it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const outcome = (promise: Promise<unknown>) => {
    const seen: { error?: unknown; done: boolean } = { done: false };
    promise.then(
      () => (seen.done = true),
      (error: unknown) => Object.assign(seen, { done: true, error }),
    );
    return seen;
  };

  const browser = outcome(watchedSignIn(neverSignsIn(), new ScriptedUi([]), { authentication: 'vscode', signInTimeoutSeconds: 30 }).getToken('scope'));
  t.mock.timers.tick(29_999);
  await settle();
  assert.equal(browser.done, false);
  t.mock.timers.tick(1);
  await settle();
  assert.ok(browser.error instanceof FlowError && !browser.error.isCancel);
  assert.match((browser.error as Error).message, /^Sign-in to Microsoft did not complete within 30 s/);

  const ui = new ScriptedUi([]);
  const deviceCode = outcome(watchedSignIn(neverSignsIn(), ui, { authentication: 'deviceCode', signInTimeoutSeconds: 30 }).getToken('scope'));
  t.mock.timers.tick(15 * 60_000);
  await settle();
  assert.equal(deviceCode.done, false, 'still waiting for the code to be entered');
  ui.cancelProgress();
  await settle();
  assert.ok(deviceCode.error instanceof CancelledError);
});

test('a second token request during the sign-in waits for it under the same progress', async () => {
  let release: (token: AccessToken) => void = () => undefined;
  const asked: string[] = [];
  const slow: TokenCredential = {
    getToken: (scopes) => {
      asked.push(String(scopes));
      return asked.length === 1 ? new Promise<AccessToken>((resolve) => (release = resolve)) : Promise.resolve({ token: 'later', expiresOnTimestamp: Date.now() + 60_000 });
    },
  };
  const ui = new ScriptedUi([]);
  const credential = watchedSignIn(slow, ui, { authentication: 'vscode', signInTimeoutSeconds: 60 });
  const first = credential.getToken('a');
  const second = credential.getToken('b');
  await settle();
  assert.deepEqual(asked, ['a'], 'the second waits for the sign-in');
  release({ token: 'first', expiresOnTimestamp: Date.now() + 60_000 });
  assert.equal((await first)?.token, 'first');
  assert.equal((await second)?.token, 'later');
  assert.equal((await credential.getToken('c'))?.token, 'later');
  assert.deepEqual(asked, ['a', 'b', 'c']);
  assert.deepEqual(ui.transcript.map((e) => [e.kind, e.text]), [['progress', SIGN_IN_TITLE]], 'one progress for the sign-in, none after');
});

test('the time-out setting defaults to 60 s; nonsense falls back to it', () => {
  assert.equal(azureSettings({}).signInTimeoutSeconds, 60);
  assert.equal(azureSettings({ signInTimeoutSeconds: 5 }).signInTimeoutSeconds, 5);
  assert.equal(azureSettings({ signInTimeoutSeconds: 0 }).signInTimeoutSeconds, 60);
  assert.equal(azureSettings({ signInTimeoutSeconds: Number.NaN }).signInTimeoutSeconds, 60);
});
