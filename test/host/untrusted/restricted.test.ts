// Restricted mode: the same extension in a workspace that was never trusted. Checking and fixing
// manifests is text-only and stays available (package.json: untrustedWorkspaces "limited"); the
// four commands that call Azure refuse to run (src/vscode/azureCommands.ts) before their bundle,
// dist/azure.js with the Azure SDKs, is ever loaded.
//
// `enablement: isWorkspaceTrusted && …` in package.json only greys the commands out in the UI
// (palette, menus, keybindings): vscode.commands.executeCommand does not evaluate it, so these
// tests reach the handlers themselves, which is what the trust check in the handler is for.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as vscode from 'vscode';
import { Project } from '../../../src/core/engine';
import { AZURE_COMMANDS } from '../../../src/vscode/azureCommands';
import type { ClusterCheckResult } from '../../../src/vscode/clusterCommand';
import { codeOf, EXTENSION_ID, extensionApi, quickFixes, waitForDiagnostics, workspaceUri } from '../suite/helpers';

const FILE = 'pod-identity-deployment.yaml';
// The test ARM server that test/host/runTests.ts started for both runs (absent when the launcher is
// run by hand: then only the in-process checks apply).
const ARM_URL = process.env.WI_ARM_URL;
const ARM_CA = process.env.WI_ARM_CA;

/** The test ARM server's admin routes (no bearer token; not logged as requests). */
function armAdmin<T>(method: string, route: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`/__admin/${route}`, ARM_URL), { method, ca: readFileSync(ARM_CA!, 'utf8') }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} /__admin/${route}: ${res.statusCode} ${text}`));
        else resolve((text ? JSON.parse(text) : undefined) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Modules of the Azure side in this extension host (the tests share it with the extension). */
function azureModulesLoaded(): string[] {
  return Object.keys(require.cache).filter((p) => p.endsWith('/dist/azure.js') || p.includes('/@azure/'));
}

describe('restricted mode (untrusted workspace)', () => {
  it('the workspace really is untrusted', () => {
    // Fails when the run was trusted by accident (--disable-workspace-trust, a stored trust
    // decision, or a host that trusts test runs): everything below would then prove nothing.
    assert.equal(vscode.workspace.isTrusted, false, 'vscode.workspace.isTrusted');
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension is installed in restricted mode');
    assert.equal((extension.packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown } } }).capabilities?.untrustedWorkspaces?.supported, 'limited');
  });

  it('activates and reports the same diagnostics as the core for an opened YAML file', async () => {
    const api = await extensionApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
    assert.ok(api.azureTesting, 'the extension API is there');

    const uri = workspaceUri(FILE);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const project = new Project();
    project.set(uri.toString(), document.getText());
    const expected = project.check(uri.toString()).map((f) => f.ruleId).sort();
    assert.ok(expected.includes('pod-identity-label') && expected.includes('pod-identity-resource'), `core findings: ${expected.join(', ')}`);

    const diagnostics = await waitForDiagnostics(uri, (d) => d.length === expected.length, `${expected.length} diagnostics`);
    assert.deepEqual(diagnostics.map(codeOf).sort(), expected);
    assert.deepEqual(azureModulesLoaded(), [], 'checking a file loads nothing of Azure');
  });

  it('offers the quick fixes, and applying one edits the text', async () => {
    const uri = workspaceUri(FILE);
    const document = await vscode.workspace.openTextDocument(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'pod-identity-label'));
    const label = diagnostics.find((x) => codeOf(x) === 'pod-identity-label')!;
    const actions = await quickFixes(document, label.range, vscode.CodeActionKind.QuickFix);
    const fix = actions.find((a) => a.edit && a.isPreferred) ?? actions.find((a) => a.edit);
    assert.ok(fix?.edit, `a fix with an edit among: ${actions.map((a) => a.title).join(' | ')}`);
    const before = document.getText();
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies in restricted mode');
    assert.notEqual(document.getText(), before);
    assert.doesNotMatch(document.getText(), /aadpodidbinding: orders/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  describe('the Azure commands do nothing', () => {
    let warnings: string[] = [];
    let showWarningMessage: typeof vscode.window.showWarningMessage;

    before(async () => {
      await extensionApi();
      const registered = await vscode.commands.getCommands(true);
      for (const id of AZURE_COMMANDS) assert.ok(registered.includes(id), `${id} is registered`);
      // The extension and this module get the same `vscode` API object (the extension host hands
      // one out per extension, by file path, and the tests live inside the extension's folder):
      // recording the warnings here records the extension's own calls.
      showWarningMessage = vscode.window.showWarningMessage;
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string, ...rest: unknown[]) => {
        warnings.push(message);
        return (showWarningMessage as (...args: unknown[]) => Thenable<unknown>)(message, ...rest);
      };
    });

    after(() => {
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = showWarningMessage;
    });

    beforeEach(async () => {
      warnings = [];
      if (ARM_URL) await armAdmin('POST', 'reset');
    });

    for (const id of AZURE_COMMANDS) {
      it(`${id} returns at once with a warning, without loading the Azure bundle`, async () => {
        const api = await extensionApi();
        // A scripted answer for the command's first picker: a command that ran would take it.
        const input = { answers: [{ pick: 'Contoso' }] };
        api.azureTesting.setUserInput(input);
        const result = await vscode.commands.executeCommand(id);
        assert.deepEqual(azureModulesLoaded(), [], 'dist/azure.js and the Azure SDKs are never loaded');
        if (ARM_URL) assert.deepEqual(await armAdmin('GET', 'requests'), [], 'no request reached the ARM server');
        assert.equal(result, undefined, `${id} returned ${JSON.stringify(result)}`);
        // Shown by the handler: executeCommand ran it although `enablement` is false here.
        assert.deepEqual(warnings, ['Azure commands are disabled in an untrusted workspace. Trust the workspace to use them.']);
        assert.equal(api.azureTesting.takeUserInput(), input, 'the command never asked for input');
        assert.equal(api.azureTesting.lastRun, undefined, 'no run was recorded');
      });
    }
  });

  describe('the cluster check', () => {
    const KUBECONFIG = process.env.WI_KUBECONFIG;
    const global = vscode.ConfigurationTarget.Global;

    after(async () => {
      delete process.env.KUBECONFIG;
      await vscode.workspace.getConfiguration('wiMigrate.cluster').update('context', undefined, global);
      await vscode.workspace.getConfiguration('wiMigrate.azure').update('authentication', undefined, global);
      await vscode.workspace.getConfiguration('wiMigrate.azure').update('resourceManagerEndpoint', undefined, global);
    });

    it('reads the cluster, and asks Azure nothing: the federated credentials are skipped, dist/azure.js never loaded', async () => {
      assert.ok(KUBECONFIG, 'WI_KUBECONFIG is set by the runner (test/kube/standalone.ts)');
      process.env.KUBECONFIG = KUBECONFIG;
      await vscode.workspace.getConfiguration('wiMigrate.cluster').update('context', 'aks-test', global);
      // A sign-in that would reach the test ARM server, were Azure asked.
      if (ARM_URL) {
        await armAdmin('POST', 'reset');
        await vscode.workspace.getConfiguration('wiMigrate.azure').update('authentication', 'azureCli', global);
        await vscode.workspace.getConfiguration('wiMigrate.azure').update('resourceManagerEndpoint', ARM_URL, global);
      }
      const result = await vscode.commands.executeCommand<ClusterCheckResult | undefined>('wiMigrate.checkCluster');
      assert.ok(result, 'the cluster check runs in restricted mode');
      const federated = result.states.filter((s) => s.state.startsWith('federated credential: '));
      assert.deepEqual(federated.map((s) => [s.key, s.state]), [
        ['orders/Deployment/orders-api', 'federated credential: untrusted workspace, skipped'],
        ['payments/Deployment/payments', 'federated credential: untrusted workspace, skipped'],
        ['reports/CronJob/nightly-report', 'federated credential: untrusted workspace, skipped'],
      ]);
      assert.deepEqual(azureModulesLoaded(), [], 'dist/azure.js and the Azure SDKs are never loaded');
      if (ARM_URL) assert.deepEqual(await armAdmin('GET', 'requests'), [], 'no request reached the ARM server');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('notifications.clearAll');
    });
  });
});
