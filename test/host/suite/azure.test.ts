// The Azure commands in the real extension host: each run through executeCommand with its pickers
// answered by the test (the extension's scripted-input hook), the real @azure/identity
// AzureCliCredential (a fake `az` on PATH) and the real SDK clients, against the test ARM server
// that the runner started (test/arm/standalone.ts), checked through the server's admin routes.
//
// Needs WI_ARM_URL, WI_ARM_CA and WI_FAKE_AZ_DIR in the extension host (the launcher passes WI_*),
// and NODE_EXTRA_CA_CERTS=<WI_ARM_CA> in the environment of the process that starts it (Node
// reads it at start-up only); test/host/runTests.ts provides them.
import * as assert from 'node:assert/strict';
import { delimiter } from 'node:path';
import * as vscode from 'vscode';
import type { CreateCredentialResult } from '../../../src/vscode/azure/createFederatedCredential';
import type { EnableResult } from '../../../src/vscode/azure/enableWorkloadIdentity';
import type { RemoveResult } from '../../../src/vscode/azure/removeManagedPodIdentity';
import type { ScriptResult } from '../../../src/vscode/azure/copyAzScript';
import type { FillResult } from '../../../src/vscode/azure/fillClientIds';
import type { Result } from '../../../src/vscode/azure/result';
import type { ScriptedAnswer } from '../../../src/vscode/azure/scriptedUi';
import { armAdmin, extensionApi, quickFixes, waitForText, workspaceUri, type HostApi } from './helpers';

const ARM_URL = process.env.WI_ARM_URL;
const ARM_CA = process.env.WI_ARM_CA;
const SUBSCRIPTION_ID = '6f1a2b3c-0d4e-4f50-8a61-7b2c3d4e5f60';
const APP_CLIENT_ID = '3b4f5e6d-7c8b-4a9f-8e1d-2c3b4a5f6e7d';
const APP_IDENTITY_ID = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity`;
const SIGN_IN: ScriptedAnswer[] = [{ pick: 'Contoso', expect: 'tenant' }, { pick: 'Contoso Production', expect: 'subscription' }];
const FOLDER = 'azure';

/** The parts of a managed cluster's properties these tests read from the server's state. */
interface ClusterProperties {
  oidcIssuerProfile: { enabled: boolean; issuerURL: string };
  securityProfile: { workloadIdentity: { enabled: boolean } };
  podIdentityProfile: { userAssignedIdentityExceptions: unknown[]; userAssignedIdentities: Array<{ name: string }> };
}

interface ServerState {
  federatedCredentials: Record<string, Array<{ name: string; issuer: string; subject: string; audiences: string[] }>>;
  clusters: Array<{ name: string; properties: ClusterProperties }>;
}

async function run<T>(api: HostApi, command: string, answers: ScriptedAnswer[]): Promise<T> {
  api.azureTesting.setUserInput({ answers });
  const result = await vscode.commands.executeCommand<Result<T>>(command);
  const last = api.azureTesting.lastRun;
  assert.ok(last, 'the command ran with the scripted answers');
  assert.ok(result.succeeded, `${command} failed: ${result.succeeded ? '' : result.error}\n${last.log.join('\n')}`);
  assert.deepEqual(last.unused, [], 'every scripted answer was used');
  for (const line of last.log) assert.ok(!/fake-az-cli-token|bearer/i.test(line), `a log line shows the token: ${line}`);
  return result.result;
}

async function openAndIndex(api: HostApi, name: string): Promise<vscode.TextDocument> {
  const uri = workspaceUri(FOLDER, name);
  const checked = new Promise<void>((resolve) => {
    const sub = api.onDidCheck((u) => {
      if (u.toString() === uri.toString()) {
        sub.dispose();
        resolve();
      }
    });
  });
  const document = await vscode.workspace.openTextDocument(uri);
  await checked;
  return document;
}

describe('Azure commands against the test ARM server', function () {
  let api: HostApi;
  const config = () => vscode.workspace.getConfiguration('wiMigrate.azure');

  before(async function () {
    // The runner (test/host/runTests.ts) always starts the server: its absence is a failure, not a skip.
    assert.ok(ARM_URL && ARM_CA, 'WI_ARM_URL and WI_ARM_CA are set by the runner (test/arm/standalone.ts)');
    api = await extensionApi();
    // The extension host gets the login shell's PATH, not the runner's: put the fake az first here.
    const fakeAz = process.env.WI_FAKE_AZ_DIR;
    if (fakeAz && !(process.env.PATH ?? '').split(delimiter).includes(fakeAz)) process.env.PATH = `${fakeAz}${delimiter}${process.env.PATH ?? ''}`;
    await armAdmin('POST', '/__admin/reset');
    // Application-scoped settings (a workspace must not redirect the user's token): user settings.
    await config().update('authentication', 'azureCli', vscode.ConfigurationTarget.Global);
    await config().update('resourceManagerEndpoint', ARM_URL, vscode.ConfigurationTarget.Global);
    await openAndIndex(api, 'identity.yaml');
  });

  after(async () => {
    if (!ARM_URL) return;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('authentication', undefined, vscode.ConfigurationTarget.Global);
    await config().update('resourceManagerEndpoint', undefined, vscode.ConfigurationTarget.Global);
  });

  it('creates the federated credential for the ServiceAccount under the cursor, then applies the annotation edit', async () => {
    const document = await openAndIndex(api, 'shop.yaml');
    const editor = await vscode.window.showTextDocument(document);
    const at = document.positionAt(document.getText().indexOf('kind: ServiceAccount'));
    editor.selection = new vscode.Selection(at, at);

    const result = await run<CreateCredentialResult>(api, 'wiMigrate.createFederatedCredential', [
      ...SIGN_IN,
      { pick: 'app-identity', expect: 'identity' },
      { pick: 'aks-modern', expect: 'cluster' },
      { input: null, expect: 'Name' },
      { choose: 'Apply', expect: 'ServiceAccount shop/web' },
    ]);
    assert.equal(result.status, 'created');
    assert.equal(result.name, 'shop-web');

    const state = await armAdmin<ServerState>('GET', '/__admin/state');
    assert.deepEqual(state.federatedCredentials[APP_IDENTITY_ID.toLowerCase()], [
      { name: 'shop-web', issuer: result.issuer, subject: 'system:serviceaccount:shop:web', audiences: ['api://AzureADTokenExchange'] },
    ]);
    assert.ok(result.issuer.endsWith('/'));
    const text = await waitForText(document, (t) => t.includes('azure.workload.identity/client-id'));
    // The runner's workspace is a scratch copy: the edit is saved so that disk and index agree for the later suites.
    assert.ok(await document.save());
    assert.ok(text.startsWith(`# The Azure host tests (azure.test.ts) federate this ServiceAccount and annotate it.\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: "${APP_CLIENT_ID}"\n    azure.workload.identity/tenant-id: "`), text);
    assert.ok(api.azureTesting.lastRun!.log.some((l) => l.includes(`PUT ${APP_IDENTITY_ID}/federatedIdentityCredentials/shop-web`)));
  });

  it('running it again reports the existing credential and writes nothing', async () => {
    const document = await openAndIndex(api, 'shop.yaml');
    const editor = await vscode.window.showTextDocument(document);
    const at = document.positionAt(document.getText().indexOf('name: web'));
    editor.selection = new vscode.Selection(at, at);
    const before = (await armAdmin<Array<{ method: string }>>('GET', '/__admin/requests')).filter((r) => r.method === 'PUT').length;
    const result = await run<CreateCredentialResult>(api, 'wiMigrate.createFederatedCredential', [...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-modern' }]);
    assert.equal(result.status, 'exists');
    assert.equal(result.annotations, 'current', 'the edit of the first run is in place');
    const after = (await armAdmin<Array<{ method: string }>>('GET', '/__admin/requests')).filter((r) => r.method === 'PUT').length;
    assert.equal(after, before);
  });

  it('a 403 on the write is reported with the missing permission, and nothing is written', async () => {
    await armAdmin('POST', '/__admin/faults', { method: 'PUT', pathPattern: 'federatedIdentityCredentials/shop-worker$', status: 403 });
    api.azureTesting.setUserInput({ answers: [...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-modern' }, { input: 'shop-worker' }] });
    const result = await vscode.commands.executeCommand<Result<unknown>>('wiMigrate.createFederatedCredential', { namespace: 'shop', name: 'worker' });
    assert.equal(result.succeeded, false);
    assert.match(result.succeeded ? '' : result.error, /lacks the permission Microsoft\.ManagedIdentity\/userAssignedIdentities\/federatedIdentityCredentials\/write/);
    const state = await armAdmin<ServerState>('GET', '/__admin/state');
    assert.deepEqual(state.federatedCredentials[APP_IDENTITY_ID.toLowerCase()].map((c) => c.name), ['shop-web']);
  });

  it('enables the OIDC issuer and workload identity on a cluster as a long-running operation', async () => {
    const result = await run<EnableResult>(api, 'wiMigrate.enableWorkloadIdentity', [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }]);
    assert.equal(result.status, 'enabled');
    const cluster = (await armAdmin<ServerState>('GET', '/__admin/state')).clusters.find((c) => c.name === 'aks-legacy')!;
    assert.equal(cluster.properties.oidcIssuerProfile.enabled, true);
    assert.equal(cluster.properties.securityProfile.workloadIdentity.enabled, true);
    assert.equal(result.issuerUrl, cluster.properties.oidcIssuerProfile.issuerURL);
  });

  it('removes a pod identity exception the user picks, keeping the identity the workspace uses', async () => {
    const result = await run<RemoveResult>(api, 'wiMigrate.removeManagedPodIdentity', [
      ...SIGN_IN,
      { pick: 'aks-legacy' },
      { pickMany: ['Exception shop/probe-exception'] },
      { choose: 'Remove' },
    ]);
    assert.deepEqual(result.removedExceptions, ['shop/probe-exception']);
    const pick = api.azureTesting.lastRun!.transcript.find((e) => e.kind === 'pickMany')!;
    assert.equal(pick.value, 'Exception shop/probe-exception', 'the pod identity the workspace uses is not preselected');
    const profile = (await armAdmin<ServerState>('GET', '/__admin/state')).clusters.find((c) => c.name === 'aks-legacy')!.properties.podIdentityProfile;
    assert.deepEqual(profile.userAssignedIdentityExceptions, []);
    assert.deepEqual(profile.userAssignedIdentities.map((i) => i.name), ['app-pod-identity']);
  });

  it('the real QuickPicks: busy while loading, then driven through the workbench to the script', async () => {
    const shown: Array<{ title: string; labels: string[]; picked: string[]; wasBusy: boolean }> = [];
    const subscription = api.azureTesting.onPickShown((pick) => {
      shown.push(pick);
      console.log(`QuickPick "${pick.title}" loaded: ${pick.labels.join(', ')}`);
      // Enter: the first item (the tenant, subscription and cluster lists), or the preselected ones.
      void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    });
    try {
      const result = await vscode.commands.executeCommand<Result<ScriptResult>>('wiMigrate.copyAzScript');
      assert.ok(result.succeeded, result.succeeded ? '' : result.error);
      assert.match(result.result.script, /--identity-name 'app-identity'/);
    } finally {
      subscription.dispose();
    }
    assert.deepEqual(
      shown.slice(0, 3).map((p) => [p.title, p.labels[0], p.wasBusy]),
      [
        ['Microsoft Entra tenant', 'Contoso', false],
        ['Azure subscription', 'Contoso Production', true],
        ['AKS cluster of the script', 'aks-legacy', true],
      ],
    );
    const accounts = shown[3];
    assert.equal(accounts.title, 'Service accounts to federate');
    assert.ok(accounts.picked.includes('shop/web'), `preselected: ${accounts.picked.join(', ')}`);
    // Other preselected accounts (other suites' fixtures) name no identity of the server: each got the identity picker.
    assert.ok(shown.slice(4).every((p) => p.title === 'User-assigned managed identity' && p.wasBusy));
    assert.equal(shown.length, 4 + accounts.picked.length - 1);
  });

  it('the real QuickPick says so when a list is empty, and the command stops with that message', async () => {
    await armAdmin('DELETE', '/__admin/clusters');
    const shown: Array<{ title: string; empty?: string; wasBusy: boolean }> = [];
    const subscription = api.azureTesting.onPickShown((pick) => {
      shown.push(pick);
      void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    });
    try {
      const result = await vscode.commands.executeCommand<Result<ScriptResult>>('wiMigrate.copyAzScript');
      assert.equal(result.succeeded, false);
      assert.match(result.succeeded ? '' : result.error, /No AKS cluster in subscription Contoso Production\./);
    } finally {
      subscription.dispose();
      await armAdmin('POST', '/__admin/reset');
    }
    const last = shown[shown.length - 1];
    assert.deepEqual([last.title, last.empty, last.wasBusy], ['AKS cluster of the script', 'No AKS cluster in subscription Contoso Production.', true]);
  });

  describe('sign-in', () => {
    // The fake az (test/arm/standalone.ts) reads WI_FAKE_AZ_MODE from the environment it inherits
    // from this extension host: `hang` never answers, `offline` prints az's name-resolution error.
    const SIGN_IN_TITLE = 'Signing in to Microsoft…';
    const WORKLOAD = { namespace: 'shop', name: 'web' };

    afterEach(async () => {
      delete process.env.WI_FAKE_AZ_MODE;
      await config().update('signInTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    });

    it('a sign-in that never completes shows a progress notification, then stops at the time-out with a message', async () => {
      await config().update('signInTimeoutSeconds', 2, vscode.ConfigurationTarget.Global);
      process.env.WI_FAKE_AZ_MODE = 'hang';
      const shown: string[] = [];
      const subscription = api.azureTesting.onProgressShown((progress) => shown.push(progress.title));
      let result: Result<unknown>;
      try {
        // The real UI: no scripted answers.
        result = await vscode.commands.executeCommand<Result<unknown>>('wiMigrate.createFederatedCredential', WORKLOAD);
      } finally {
        subscription.dispose();
      }
      assert.deepEqual(shown, [SIGN_IN_TITLE]);
      assert.deepEqual(result, {
        succeeded: false,
        error: 'The Azure CLI did not return a token within 2 s (wiMigrate.azure.signInTimeoutSeconds). Check that az account get-access-token works in a terminal, then try again.',
      });
    });

    it('Cancel on the sign-in progress ends the command as cancelled, without an error', async () => {
      process.env.WI_FAKE_AZ_MODE = 'hang';
      api.azureTesting.setUserInput({ answers: [], cancel: { progress: SIGN_IN_TITLE } });
      const result = await vscode.commands.executeCommand<Result<unknown>>('wiMigrate.createFederatedCredential', WORKLOAD);
      assert.deepEqual(result, { succeeded: false, error: 'Sign-in cancelled.', cancelled: true });
      const transcript = api.azureTesting.lastRun!.transcript.map((e) => [e.kind, e.text]);
      assert.deepEqual(transcript, [['progress', SIGN_IN_TITLE], ['cancel', SIGN_IN_TITLE]], 'no error notification');
    });

    it('a sign-in that cannot reach Microsoft is reported as a network failure naming http.proxy, not the sign-in method', async () => {
      process.env.WI_FAKE_AZ_MODE = 'offline';
      api.azureTesting.setUserInput({ answers: [] });
      const result = await vscode.commands.executeCommand<Result<unknown>>('wiMigrate.createFederatedCredential', WORKLOAD);
      const error = result.succeeded ? '' : result.error;
      assert.match(error, /^Could not list your tenants: the Microsoft sign-in could not be reached \(NameResolutionError\)\. The host name could not be resolved: check the network connection and, behind a proxy, the setting http\.proxy\./);
      assert.match(error, /wiMigrate\.azure\.cloud/);
      assert.doesNotMatch(error, /wiMigrate\.azure\.authentication/);
      assert.ok(error.endsWith('.'), error);
      const transcript = api.azureTesting.lastRun!.transcript.map((e) => [e.kind, e.text, e.value]);
      assert.deepEqual(transcript, [['progress', SIGN_IN_TITLE, undefined], ['notify', error, 'error']]);
    });
  });

  it('copies the equivalent az script', async () => {
    const result = await run<ScriptResult>(api, 'wiMigrate.copyAzScript', [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['shop/web'] }]);
    assert.match(result.script, /^az identity federated-credential create --name 'shop-web' --identity-name 'app-identity' --resource-group 'rg-apps' --issuer "\$AKS_OIDC_ISSUER" --subject 'system:serviceaccount:shop:web' --audiences 'api:\/\/AzureADTokenExchange'$/m);
    assert.equal(api.azureTesting.lastRun!.transcript.filter((e) => e.kind === 'copy').length, 1);
  });

  describe('Fill in client ids from Azure', () => {
    const uri = workspaceUri(FOLDER, 'fill-client-ids.yaml');
    const gone = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/gone-identity`;
    const account = (name: string, id: string) =>
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: "<managed-identity-client-id>" # client id of ${id}\n`;
    // As the migration writes them for identities it knows by resource id only (core/addon-fill.ts).
    const text = `${account('orders', APP_IDENTITY_ID)}---\n${account('gone', gone)}`;
    let document: vscode.TextDocument | undefined;

    before(async () => {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    });

    after(async () => {
      // An open document stays in the index: emptied and saved first, so the later suites do not see its accounts.
      if (document && !document.isClosed) {
        const edit = new vscode.WorkspaceEdit();
        edit.delete(uri, new vscode.Range(0, 0, document.lineCount, 0));
        await vscode.workspace.applyEdit(edit);
        await document.save();
      }
      await vscode.workspace.fs.delete(uri);
    });

    it('offered on the placeholder\'s line; replaces the placeholder of a found identity with its client id and names the one Azure does not find', async () => {
      document = await openAndIndex(api, 'fill-client-ids.yaml');
      const line = document.positionAt(text.indexOf('<managed-identity-client-id>')).line;
      const offered = await quickFixes(document, new vscode.Range(line, 0, line, 0));
      assert.ok(offered.some((a) => a.title === 'Fill in client ids from Azure…' && a.command?.command === 'wiMigrate.fillClientIds'), offered.map((a) => a.title).join(', '));
      const other = await quickFixes(document, new vscode.Range(1, 0, 1, 0));
      assert.ok(!other.some((a) => a.command?.command === 'wiMigrate.fillClientIds'), 'not on other lines');

      const result = await run<FillResult>(api, 'wiMigrate.fillClientIds', []);
      assert.deepEqual(result.notFound, [gone]);
      assert.deepEqual(result.filled.map((f) => [f.clientId, f.places]), [[APP_CLIENT_ID, 1]]);
      const expected = text.replace('"<managed-identity-client-id>"', `"${APP_CLIENT_ID}"`);
      assert.equal(await waitForText(document, (t) => t === expected), expected);
      assert.ok(await document.save());
      const notice = api.azureTesting.lastRun!.transcript.find((e) => e.kind === 'notify');
      assert.equal(notice?.text, `Filled in the client id of 1 managed identity in 1 place: fill-client-ids.yaml. Not found in Azure (404), left as placeholders: ${gone}.`);
    });
  });
});
