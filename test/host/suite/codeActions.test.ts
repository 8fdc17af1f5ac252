// Quick fixes, fix-all and fix-on-save through the real code action API.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyEdits } from '../../../src/core/edits';
import { fixFileText } from '../../../src/core/engine';
import { codeOf, coreProject, extensionApi, quickFixes, setSetting, waitForDiagnostics, waitForText, workspaceUri } from './helpers';

const FIX_ALL = vscode.CodeActionKind.SourceFixAll.append('wiMigrate');

async function openWithDiagnostics(...segments: string[]) {
  const uri = workspaceUri(...segments);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  const diagnostics = await waitForDiagnostics(uri, (d) => d.length > 0);
  return { uri, document, diagnostics };
}

describe('code actions', () => {
  before(async () => {
    await extensionApi();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the csi quick fix writes the client id found across files, exactly', async () => {
    const { document, diagnostics } = await openWithDiagnostics('editor', 'keyvault.yaml');
    const d = diagnostics.find((x) => codeOf(x) === 'csi-pod-identity')!;
    const actions = await quickFixes(document, d.range);
    const fix = actions.find((a) => a.kind?.value === 'quickfix' && a.isPreferred);
    assert.ok(fix?.edit, `preferred fix among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(
      document.getText(),
      [
        'apiVersion: secrets-store.csi.x-k8s.io/v1',
        'kind: SecretProviderClass',
        'metadata:',
        '  name: editor-kv',
        '  namespace: editor',
        'spec:',
        '  provider: azure',
        '  parameters:',
        '    usePodIdentity: "false"  # switched by hand later',
        '    keyvaultName: editor-kv',
        '    clientID: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"',
        '',
      ].join('\n'),
    );
  });

  it('every quick fix on the examples gives exactly the text the core computes', async () => {
    const project = await coreProject();
    let checked = 0;
    for (const path of project.paths.filter((p) => p.includes('/examples/'))) {
      for (const finding of project.check(path).filter((f) => f.fix && f.fix.edits.every((e) => e.file === path))) {
        const uri = vscode.Uri.parse(path);
        const document = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(document);
        const range = new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end));
        const same = (x: vscode.Diagnostic) => codeOf(x) === finding.ruleId && x.message === finding.message && x.range.isEqual(range);
        // The previous fix was reverted: wait until the diagnostics reflect the original text again
        // (a finding of the same rule and message elsewhere in the fixed text is not this one).
        const diagnostics = await waitForDiagnostics(uri, (d) => d.some(same), `${finding.ruleId}: ${finding.message}`);
        const d = diagnostics.find(same)!;
        const action = (await quickFixes(document, d.range)).find((a) => a.title === finding.fix!.title);
        assert.ok(action?.edit, `${finding.ruleId}: "${finding.fix!.title}" offered`);
        const before = document.getText();
        assert.ok(await vscode.workspace.applyEdit(action.edit));
        // Placeholders become tab stops in the editor; the text written is the same.
        assert.equal(document.getText(), applyEdits(before, finding.fix!.edits), `${finding.ruleId} on ${uri.path}`);
        await vscode.commands.executeCommand('workbench.action.files.revert');
        // The next action must be asked for on the reverted text, not on the fixed one.
        await waitForText(document, (t) => t === before);
        checked++;
      }
    }
    assert.ok(checked >= 5, `quick fixes checked: ${checked}`);
  });

  it('a client id the fix could not find is a snippet tab stop, selected for typing', async () => {
    const { document, diagnostics } = await openWithDiagnostics('editor', 'placeholder.yaml');
    const d = diagnostics.find((x) => codeOf(x) === 'wi-service-account')!;
    const fix = (await quickFixes(document, d.range)).find((a) => a.kind?.value === 'quickfix' && a.edit && !a.title.startsWith('Disable') && !a.title.startsWith('Fix all'));
    assert.ok(fix?.edit, 'fix offered');
    assert.notEqual(fix.isPreferred, true, 'a fix that needs input is not preferred');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.getText(editor.selection), '<managed-identity-client-id>');
    assert.match(document.getText(), /\n {4}spec:\n {6}serviceAccountName: lonely\n {6}containers:\n/);
    assert.match(document.getText(), /\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n {2}name: lonely\n {2}namespace: editor\n {2}annotations:\n {4}azure.workload.identity\/client-id: "<managed-identity-client-id>"\n$/);
  });

  it('in a Helm template, the quick fix creates the ServiceAccount in a new template file beside it', async () => {
    const { document, diagnostics } = await openWithDiagnostics('chart', 'templates', 'worker.yaml');
    const d = diagnostics.find((x) => codeOf(x) === 'pod-identity-label')!;
    const fix = (await quickFixes(document, d.range)).find((a) => a.isPreferred);
    assert.ok(fix?.edit, 'preferred fix offered');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const created = await vscode.workspace.openTextDocument(workspaceUri('chart', 'templates', 'editor-id-serviceaccount.yaml'));
    assert.equal(
      created.getText(),
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: editor-id\n  namespace: editor\n  annotations:\n    azure.workload.identity/client-id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"\n',
    );
    assert.doesNotMatch(document.getText(), /aadpodidbinding/);
    assert.match(document.getText(), /serviceAccountName: editor-id\n {6}containers:/);
    assert.ok(document.getText().endsWith('          image: "{{ .Values.image }}"\n{{- end }}\n'));
    await vscode.window.showTextDocument(created);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await vscode.workspace.fs.delete(created.uri);
  });

  it('on a ServiceAccount, offers to create its federated credential in Azure (and not on a Deployment)', async () => {
    const { document } = await openWithDiagnostics('editor', 'payments.yaml');
    const at = (needle: string) => document.positionAt(document.getText().indexOf(needle));
    const onAccount = await quickFixes(document, new vscode.Range(at('kind: ServiceAccount'), at('kind: ServiceAccount')));
    const create = onAccount.find((a) => a.command?.command === 'wiMigrate.createFederatedCredential');
    assert.ok(create, onAccount.map((a) => a.title).join(' | '));
    assert.equal(create.title, 'Create federated credential in Azure for ServiceAccount pay…');
    assert.equal(create.kind?.value, 'refactor.wiMigrate.azure');
    assert.deepEqual(create.command!.arguments, [{ file: document.uri.toString(), offset: document.offsetAt(at('kind: ServiceAccount')) }]);
    const onDeployment = await quickFixes(document, new vscode.Range(at('kind: Deployment'), at('kind: Deployment')));
    assert.equal(onDeployment.find((a) => a.command?.command === 'wiMigrate.createFederatedCredential'), undefined);
  });

  it('offers "disable for this line", and the suppression comment silences the rule', async () => {
    const { uri, document, diagnostics } = await openWithDiagnostics('editor', 'keyvault.yaml');
    const d = diagnostics.find((x) => codeOf(x) === 'csi-pod-identity')!;
    const disable = (await quickFixes(document, d.range)).find((a) => a.title === 'Disable csi-pod-identity for this line');
    assert.ok(disable?.edit);
    assert.ok(await vscode.workspace.applyEdit(disable.edit));
    assert.match(document.getText(), /\n {4}# wi-migrate-disable-next-line csi-pod-identity\n {4}usePodIdentity: "true"/);
    await waitForDiagnostics(uri, (ds) => !ds.some((x) => codeOf(x) === 'csi-pod-identity'), 'csi finding suppressed');
  });

  it('fix-all (source.fixAll.wiMigrate) fixes the whole file in one edit, computed when resolved', async () => {
    const { document } = await openWithDiagnostics('editor', 'payments.yaml');
    const offered = await quickFixes(document, new vscode.Range(0, 0, 0, 0), FIX_ALL);
    assert.equal(offered.length, 1, offered.map((a) => a.title).join(' | '));
    assert.equal(offered[0].edit, undefined, 'fix-all is not computed until resolved');
    const actions = await quickFixes(document, new vscode.Range(0, 0, 0, 0), FIX_ALL, 1);
    assert.equal(actions[0].title, 'Fix all workload identity problems in this file');
    const project = await coreProject();
    const expected = fixFileText(project.index, document.uri.toString(), document.getText());
    assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
    assert.equal(document.getText(), expected, 'the text of core fixFileText');
    project.set(document.uri.toString(), document.getText());
    const left = project.check(document.uri.toString()).filter((f) => f.fix && f.fix.edits.every((e) => e.file === document.uri.toString()));
    assert.deepEqual(left.map((f) => f.ruleId), [], 'nothing fixable in this file is left');
  });

  it('fixes on save through editor.codeActionsOnSave', async () => {
    await setSetting('editor.codeActionsOnSave', { 'source.fixAll.wiMigrate': 'explicit' }, 'yaml');
    try {
      const { document } = await openWithDiagnostics('editor', 'keda-save.yaml');
      const edit = new vscode.WorkspaceEdit();
      edit.insert(document.uri, new vscode.Position(0, 0), '# edited\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      const saved = document.save();
      const text = await waitForText(document, (t) => t.includes('provider: azure-workload'));
      await saved;
      assert.match(text, /^# edited\n/);
      assert.doesNotMatch(text, /provider: azure\n/);
    } finally {
      await setSetting('editor.codeActionsOnSave', undefined, 'yaml');
    }
  });

  it('offers the migration keeping IMDS (proxy sidecar) beside the plain one, and not on the host network', async () => {
    const manifest = (spec: string) =>
      ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: legacy', '  namespace: sidecar', 'spec:', '  selector:', '    matchLabels:', '      app: legacy',
        '  template:', '    metadata:', '      labels:', '        app: legacy', '        aadpodidbinding: legacy-sdk', '    spec:', ...spec.split('\n'), ''].join('\n');
    const open = async (spec: string) => {
      const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: manifest(spec) });
      await vscode.window.showTextDocument(document);
      const diagnostics = await waitForDiagnostics(document.uri, (d) => d.some((x) => codeOf(x) === 'pod-identity-label'), 'the label finding');
      const d = diagnostics.find((x) => codeOf(x) === 'pod-identity-label' && document.getText(x.range).startsWith('aadpodidbinding'))!;
      return { document, actions: await quickFixes(document, d.range) };
    };
    const sidecarTitle = 'Migrate Deployment legacy to workload identity keeping IMDS: add the proxy sidecar';
    const { document, actions } = await open('      containers:\n      - name: app\n        image: app');
    assert.ok(actions.some((a) => a.title === 'Migrate Deployment legacy to workload identity' && a.edit), actions.map((a) => a.title).join(' | '));
    const sidecar = actions.find((a) => a.title === sidecarTitle);
    assert.ok(sidecar?.edit && !sidecar.disabled && !sidecar.isPreferred, actions.map((a) => a.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(sidecar.edit));
    const text = document.getText();
    assert.ok(
      text.includes('        azure.workload.identity/use: "true"\n      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "true"\n        azure.workload.identity/proxy-sidecar-port: "8000"\n    spec:\n      serviceAccountName: legacy-sdk\n'),
      text,
    );
    const onHost = await open('      hostNetwork: true\n      containers:\n      - name: app\n        image: app');
    // Disabled (with the reason the core gives, tested in the unit tests): VS Code leaves disabled
    // actions out of the quick-fix list, so the user is offered only the plain migration.
    assert.deepEqual(
      onHost.actions.filter((a) => a.title.startsWith('Migrate ')).map((a) => a.title),
      ['Migrate Deployment legacy to workload identity'],
    );
  });
});
