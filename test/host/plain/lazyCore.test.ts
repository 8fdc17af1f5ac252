// The analysis (dist/core.js: the core, the rules, yaml) is not part of activation: the main bundle
// pre-scans what it reads, and loads the analysis the first time something of pod or workload
// identity turns up (src/vscode/coreLoader.ts). This run's workspace has nothing of identity in it.
// The tests share the extension host's process, so Node's module cache shows which bundles of the
// extension are loaded.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Project } from '../../../src/core/engine';
import { codeOf, extensionApi, waitForDiagnostics, workspaceUri, type HostApi } from '../suite/helpers';

/** The extension's bundles loaded in this extension host (its dist/*.js in Node's module cache). */
function loadedBundles(): string[] {
  const dist = path.resolve(__dirname, '..', '..', '..', '..', 'dist');
  return Object.keys(require.cache)
    .filter((p) => path.dirname(p) === dist)
    .map((p) => path.basename(p))
    .sort();
}

/** Resolves when the extension has published a check of `uri` (subscribe before causing it). */
function nextCheck(api: HostApi, uri: vscode.Uri): Promise<void> {
  return new Promise((resolve) => {
    const sub = api.onDidCheck((checked) => {
      if (checked.toString() !== uri.toString()) return;
      sub.dispose();
      resolve();
    });
  });
}

const POD_IDENTITY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  template:
    metadata:
      labels:
        app: orders
        aadpodidbinding: orders-identity
    spec:
      containers:
        - name: orders
          image: orders:1.0
`;

describe('a workspace with nothing of identity in it', () => {
  const web = () => workspaceUri('apps', 'web.yaml');

  it('activates, indexes and checks an opened manifest without loading the analysis', async () => {
    const api = await extensionApi();
    await api.ready();
    assert.ok(loadedBundles().includes('extension.js'), `the main bundle is seen in the module cache: ${loadedBundles().join(', ')}`);
    assert.deepEqual(loadedBundles().filter((b) => b === 'core.js'), [], 'dist/core.js is not loaded on activation nor by the index');
    const checked = nextCheck(api, web());
    const document = await vscode.workspace.openTextDocument(web());
    await vscode.window.showTextDocument(document);
    await checked;
    assert.equal(api.checkCounts(web()).publishedVersion, document.version);
    assert.deepEqual(vscode.languages.getDiagnostics(web()), []);
    assert.deepEqual(loadedBundles().filter((b) => b === 'core.js'), [], 'dist/core.js is not loaded by the check of a plain manifest');
  });

  it('loads the analysis when a pod identity manifest is opened, which gets the core\'s findings at once', async () => {
    const api = await extensionApi();
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: POD_IDENTITY });
    // The open plain manifest is checked again once the analysis is there (the workspace is indexed with it).
    const webChecked = nextCheck(api, web());
    await vscode.window.showTextDocument(document);
    const project = new Project();
    project.set(document.uri.toString(), POD_IDENTITY);
    const expected = project.check(document.uri.toString()).map((f) => f.ruleId);
    assert.ok(expected.includes('pod-identity-label'), expected.join(', '));
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.length > 0, 'the findings of the pod identity manifest');
    assert.deepEqual(diagnostics.map(codeOf).sort(), [...expected].sort());
    assert.ok(loadedBundles().includes('core.js'), `dist/core.js is loaded: ${loadedBundles().join(', ')}`);
    await webChecked;
    await api.ready();
    assert.deepEqual(vscode.languages.getDiagnostics(web()), []);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
