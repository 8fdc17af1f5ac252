// Proves the harness: the extension under development is loaded into a real extension host,
// the test workspace is open, and the editor APIs the feature tests rely on answer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'wi-migrate.aks-workload-identity-migrator';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

describe('integration test host', () => {
  it('loads and activates the extension under development', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is installed in the host`);
    assert.equal((extension.packageJSON as { name: string }).name, 'aks-workload-identity-migrator');
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('opens a copy of test/host/workspace, with the examples, as the only folder', async () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
    const [copied] = await vscode.workspace.findFiles('workload-identity-deployment.yaml');
    assert.ok(copied, 'test/host/workspace is copied into the workspace');
    const examples = await vscode.workspace.findFiles('examples/**/*.yaml');
    assert.ok(examples.length > 0, 'examples/ is copied into the workspace');
  });

  it('opens a YAML document from the workspace', async () => {
    // A file no fix touches: other suites may have migrated the pod identity ones already.
    const document = await vscode.workspace.openTextDocument(workspaceFile('workload-identity-deployment.yaml'));
    assert.equal(document.languageId, 'yaml');
    assert.match(document.getText(), /azure\.workload\.identity\/use: "true"/);
    const editor = await vscode.window.showTextDocument(document);
    assert.equal(editor.document.uri.toString(), document.uri.toString());
  });

  it('answers diagnostics queries', () => {
    const forFile = vscode.languages.getDiagnostics(workspaceFile('workload-identity-deployment.yaml'));
    assert.ok(Array.isArray(forFile));
    assert.ok(Array.isArray(vscode.languages.getDiagnostics()));
  });

  it('passes the runner\'s WI_ environment to the extension host', () => {
    assert.ok(process.env.WI_TEST_HOST, 'WI_TEST_HOST reaches the extension host');
  });
});
