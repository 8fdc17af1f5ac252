// What crosses files: the index, settings, the workspace migration, bad input.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, extensionApi, setSetting, waitForDiagnostics, workspaceUri } from './helpers';

describe('workspace', () => {
  before(async () => {
    await extensionApi();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a pod finding follows its identity when the identity file changes on disk', async () => {
    const app = workspaceUri('crossfile', 'app.yaml');
    const identity = workspaceUri('crossfile', 'identity.yaml');
    await vscode.workspace.openTextDocument(app);
    const label = (ds: vscode.Diagnostic[]) => ds.find((d) => codeOf(d) === 'pod-identity-label');
    await waitForDiagnostics(app, (ds) => /11111111-1111-4111-8111-111111111111/.test(label(ds)?.message ?? ''), 'the first client id');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(identity));
    await vscode.workspace.fs.writeFile(identity, new TextEncoder().encode(text.replace('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222')));
    await waitForDiagnostics(app, (ds) => /22222222-2222-4222-8222-222222222222/.test(label(ds)?.message ?? ''), 'the new client id');
  });

  it('an unsaved edit of an open identity document updates the pod finding too', async () => {
    const app = workspaceUri('crossfile', 'app.yaml');
    const identityDoc = await vscode.workspace.openTextDocument(workspaceUri('crossfile', 'identity.yaml'));
    await vscode.workspace.openTextDocument(app);
    const edit = new vscode.WorkspaceEdit();
    const at = identityDoc.getText().indexOf('clientID: ') + 'clientID: '.length;
    edit.replace(identityDoc.uri, new vscode.Range(identityDoc.positionAt(at), identityDoc.positionAt(at + 36)), '33333333-3333-4333-8333-333333333333');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(app, (ds) => ds.some((d) => /33333333-3333-4333-8333-333333333333/.test(d.message)), 'the edited client id');
    await vscode.window.showTextDocument(identityDoc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a deleted file leaves the index though VS Code still holds a document of it', async () => {
    const gone = workspaceUri('crossfile', 'deleted-identity.yaml');
    const clientId = '44444444-4444-4444-8444-444444444444';
    const identity = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: deleted-identity, namespace: crossfile}
spec: {type: 0, clientID: ${clientId}}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: deleted-binding, namespace: crossfile}
spec: {azureIdentity: deleted-identity, selector: deleted-selector}
`;
    const podUri = workspaceUri('crossfile', 'deleted-identity-pod.yaml');
    const podText = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: crossfile\n  labels:\n    aadpodidbinding: deleted-selector\nspec:\n  containers: [{name: c, image: c}]\n';
    await vscode.workspace.fs.writeFile(gone, new TextEncoder().encode(identity));
    await vscode.workspace.fs.writeFile(podUri, new TextEncoder().encode(podText));
    try {
      await checkDeletion();
    } finally {
      // The later tests migrate the workspace: nothing of this one is left in it, even on a failure.
      for (const uri of [gone, podUri]) await Promise.resolve(vscode.workspace.fs.delete(uri)).catch(() => undefined);
    }

    async function checkDeletion(): Promise<void> {
      const pod = await vscode.workspace.openTextDocument(podUri);
      const names = (ds: vscode.Diagnostic[]) => ds.some((d) => codeOf(d) === 'pod-identity-label' && d.message.includes(clientId));
      await waitForDiagnostics(pod.uri, names, 'the identity of the new file');
      // A document of the file, as VS Code keeps one for minutes after its editor closed.
      const held = await vscode.workspace.openTextDocument(gone);
      await vscode.workspace.fs.delete(gone);
      await waitForDiagnostics(pod.uri, (ds) => ds.some((d) => codeOf(d) === 'pod-identity-label') && !names(ds), 'the identity gone with its file');
      assert.equal(held.isClosed, false, 'the deleted file\'s document is still held');
      await waitForDiagnostics(held.uri, (ds) => ds.length === 0, 'no finding on the deleted file');
    }
  });

  it('a severity setting takes effect without a reload, and off removes the rule', async () => {
    const uri = workspaceUri('editor', 'keda.yaml');
    await vscode.workspace.openTextDocument(uri);
    const keda = (ds: vscode.Diagnostic[]) => ds.find((d) => codeOf(d) === 'keda-pod-identity-provider');
    await waitForDiagnostics(uri, (ds) => keda(ds)?.severity === vscode.DiagnosticSeverity.Error, 'keda as error');
    try {
      await setSetting('wiMigrate.severity', { 'keda-pod-identity-provider': 'hint' });
      await waitForDiagnostics(uri, (ds) => keda(ds)?.severity === vscode.DiagnosticSeverity.Hint, 'keda as hint');
      await setSetting('wiMigrate.severity', { 'keda-pod-identity-provider': 'off' });
      await waitForDiagnostics(uri, (ds) => keda(ds) === undefined, 'keda off');
    } finally {
      await setSetting('wiMigrate.severity', undefined);
    }
    await waitForDiagnostics(uri, (ds) => keda(ds)?.severity === vscode.DiagnosticSeverity.Error, 'keda back to error');
  });

  it('an exclude glob takes files out of the index, and removing it brings them back', async () => {
    const uri = workspaceUri('editor', 'keyvault.yaml');
    await vscode.workspace.openTextDocument(uri);
    const csi = (ds: vscode.Diagnostic[]) => ds.find((d) => codeOf(d) === 'csi-pod-identity')?.message ?? '';
    await waitForDiagnostics(uri, (ds) => /aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/.test(csi(ds)), 'client id from identity.yaml');
    try {
      await setSetting('wiMigrate.exclude', ['**/editor/identity.yaml']);
      await waitForDiagnostics(uri, (ds) => /no AzureIdentityBinding with selector "editor-id"/.test(csi(ds)), 'identity.yaml excluded');
      await setSetting('wiMigrate.exclude', undefined);
      await waitForDiagnostics(uri, (ds) => /aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/.test(csi(ds)), 'identity.yaml back');
      // files.exclude applies too, also together with an exclude setting of the extension's own.
      await setSetting('files.exclude', { '**/editor/identity.yaml': true });
      await setSetting('wiMigrate.exclude', ['**/nothing-here/**']);
      await waitForDiagnostics(uri, (ds) => /no AzureIdentityBinding with selector "editor-id"/.test(csi(ds)), 'identity.yaml in files.exclude');
    } finally {
      await setSetting('wiMigrate.exclude', undefined);
      await setSetting('files.exclude', undefined);
    }
    await waitForDiagnostics(uri, (ds) => /aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/.test(csi(ds)), 'identity.yaml indexed again');
  });

  it('a malformed document gets one finding and the rest of the file is still checked', async () => {
    const uri = workspaceUri('robustness', 'broken.yaml');
    await vscode.workspace.openTextDocument(uri);
    const ds = await waitForDiagnostics(uri, (d) => d.length >= 2);
    assert.deepEqual(ds.map(codeOf).sort(), ['keda-pod-identity-provider', 'unparsable-document']);
  });

  it('a file over the size limit gets one information message and no analysis', async () => {
    const uri = workspaceUri('robustness', 'big.yaml');
    const unit = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  aadpodidbinding: "x"\n---\n';
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(unit.repeat(Math.ceil((3 * 1024 * 1024) / unit.length))));
    await vscode.workspace.openTextDocument(uri);
    const ds = await waitForDiagnostics(uri, (d) => d.length === 1);
    assert.equal(ds[0].severity, vscode.DiagnosticSeverity.Information);
    assert.match(ds[0].message, /over the wiMigrate\.maxFileSizeKB limit/);
    // The extension still works on other files.
    const keda = workspaceUri('editor', 'keda.yaml');
    await vscode.workspace.openTextDocument(keda);
    await waitForDiagnostics(keda, (d) => d.length > 0);
  });
});
