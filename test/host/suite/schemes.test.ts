// Only documents a user edits are checked: a preview, a diff's other side or a git version of a
// flagged manifest is a read-only view of a file, and must not double the Problems view.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, extensionApi, quickFixes, waitForDiagnostics, workspaceUri } from './helpers';

describe('document schemes', () => {
  const disposables: vscode.Disposable[] = [];

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const d of disposables) d.dispose();
  });

  it('previews, diffs and git versions of a flagged file get no diagnostics and no code actions', async () => {
    const api = await extensionApi();
    const real = workspaceUri('pod-identity-deployment.yaml');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(real));
    assert.match(text, /aadpodidbinding/);
    // Virtual documents holding the flagged manifest, as a refactor preview or a git diff shows it.
    const provider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: () => text };
    disposables.push(vscode.workspace.registerTextDocumentContentProvider('wi-test-preview', provider));
    const preview = vscode.Uri.from({ scheme: 'wi-test-preview', path: real.path });
    const previewDocument = await vscode.workspace.openTextDocument(preview);
    assert.equal(previewDocument.languageId, 'yaml');
    assert.equal(previewDocument.getText(), text);
    await vscode.commands.executeCommand('vscode.diff', preview, real, 'pod identity (preview) ↔ file');

    // The real file is checked: wait for its diagnostics, which come after the preview's check would have.
    const diagnostics = await waitForDiagnostics(real, (d) => d.some((x) => codeOf(x) === 'pod-identity-label'), 'the real file\'s diagnostics');
    assert.ok(diagnostics.length > 0);
    assert.deepEqual(vscode.languages.getDiagnostics(preview), [], 'no diagnostics on the preview');
    assert.ok(api.checkCounts(real).published > 0, 'the real file was checked');
    assert.equal(api.checkCounts(preview).started, 0, 'the preview was never checked');
    const line = previewDocument.positionAt(text.indexOf('aadpodidbinding')).line;
    const actions = await quickFixes(previewDocument, new vscode.Range(line, 0, line, 0));
    assert.deepEqual(actions.filter((a) => /pod identity|workload identity|wi-migrate|Disable /i.test(a.title)).map((a) => a.title), [], 'no code actions on the preview');
  });

  it('a document of an unknown scheme is not checked even when it is YAML', async () => {
    const api = await extensionApi();
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shown, namespace: views}\nspec:\n  template:\n    metadata:\n      labels:\n        aadpodidbinding: shown\n';
    disposables.push(vscode.workspace.registerTextDocumentContentProvider('wi-test-git', { provideTextDocumentContent: () => text }));
    const view = vscode.Uri.from({ scheme: 'wi-test-git', path: '/views/deployment.yaml', query: JSON.stringify({ ref: 'HEAD' }) });
    const document = await vscode.workspace.openTextDocument(view);
    await vscode.window.showTextDocument(document);
    // An untitled document with the same text is one a user edits: it is checked.
    const untitled = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
    await vscode.window.showTextDocument(untitled);
    await waitForDiagnostics(untitled.uri, (d) => d.some((x) => codeOf(x) === 'pod-identity-label'), 'the untitled document\'s diagnostics');
    assert.deepEqual(vscode.languages.getDiagnostics(view), []);
    assert.equal(api.checkCounts(view).started, 0, 'the view was never checked');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
