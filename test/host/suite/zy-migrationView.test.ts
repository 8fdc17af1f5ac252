// The migration view in the real workbench: its tree for the test workspace (with examples/), a
// node's inline fix through the Refactor Preview, live updates after edits, the status bar item,
// and the cluster's states. The welcome view and the walkthrough's keys are tested in the
// plain-workspace run (test/host/plain/walkthrough.test.ts), where no document of another test is open.
// It edits examples/ (one workload is fixed): it runs after the other suites' files and before
// zz-migration.test.ts, which migrates what is left.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { reportSteps, type MigrationReport } from '../../../src/core/report';
import { runSteps } from '../../../src/core/steps';
import type { MigrateResult } from '../../../src/vscode/migrate';
import type { MigrationView } from '../../../src/vscode/migrationView';
import { coreProject, extensionApi, waitForViewModel, workloadStateOf, workspaceUri } from './helpers';

type Node = Parameters<MigrationView['getTreeItem']>[0];
const TIMEOUT_MS = 30_000;
const PREVIEW_SCHEME = 'vscode-bulkeditpreview-editor';

let view: MigrationView;

const waitForModel = (accept: (r: MigrationReport) => boolean, what: string) => waitForViewModel(view, accept, what, TIMEOUT_MS);

function labelOf(node: Node): string {
  const label = view.getTreeItem(node).label;
  return typeof label === 'string' ? label : (label?.label ?? '');
}

function childByLabel(parent: Node | undefined, label: string): Node {
  const children = view.getChildren(parent);
  const found = children.find((n) => labelOf(n) === label);
  assert.ok(found, `"${label}" among ${children.map(labelOf).join(' | ')}`);
  return found;
}


/** The core's report of the workspace as on disk now (open documents' text first). */
async function coreReport(): Promise<MigrationReport> {
  const project = await coreProject();
  // eslint-disable-next-line require-yield -- every finding at once
  return runSteps(reportSteps(project.index, function* (path) { return project.check(path); }));
}

function waitForPreviewDocument(): Promise<void> {
  if (vscode.workspace.textDocuments.some((d) => d.uri.scheme === PREVIEW_SCHEME)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the Refactor Preview')), TIMEOUT_MS);
    const sub = vscode.workspace.onDidOpenTextDocument((d) => {
      if (d.uri.scheme !== PREVIEW_SCHEME) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

describe('migration view', () => {
  before(async () => {
    const api = await extensionApi();
    view = api.migrationView;
    await waitForModel((r) => r.identities.length > 0, 'the first model');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('refactorPreview.discard');
    await vscode.commands.executeCommand(`wiMigrate.internal.setClusterStates`, undefined);
  });

  it('shows the examples by identity, binding and workload, with counts and states, as the core reports them', async () => {
    const expected = await coreReport();
    const report = await waitForModel((r) => JSON.stringify(r.counts) === JSON.stringify(expected.counts), 'the core\'s counts');
    assert.deepEqual(view.getChildren().map(labelOf), expected.identities.map((i) => i.label));
    const orders = childByLabel(undefined, 'AzureIdentity orders/orders-identity');
    const ordersItem = view.getTreeItem(orders);
    const identity = report.identities.find((i) => i.label === 'AzureIdentity orders/orders-identity');
    assert.ok(identity);
    assert.equal(ordersItem.description, `${identity.counts.workloads} · ${identity.counts['pod-identity']} still on pod identity`);
    assert.match(String(ordersItem.contextValue), /^identity fixable/);
    assert.deepEqual(view.getChildren(orders).map(labelOf), [
      'AzureIdentityBinding orders/orders-identity-binding',
      'TriggerAuthentication orders/orders-queue-auth',
      'SecretProviderClass orders/orders-kv',
    ]);
    const binding = childByLabel(orders, 'AzureIdentityBinding orders/orders-identity-binding');
    const api = childByLabel(binding, 'Deployment orders/orders-api');
    const apiItem = view.getTreeItem(api);
    assert.equal(apiItem.description, 'still on pod identity');
    assert.match(String(apiItem.contextValue), /^workload pod-identity fixable/);
    assert.deepEqual(view.getChildren(api).map(labelOf), ['Deployment orders-api', 'aadpodidbinding label', 'AzureIdentityBinding orders/orders-identity-binding', 'AzureIdentity orders/orders-identity']);
    // A blocked workload says why.
    const billing = view.getTreeItem(childByLabel(childByLabel(undefined, 'unknown identity'), 'aadpodidbinding: billing-identity'));
    assert.equal(billing.description, 'no binding · 1');

    // Clicking a workload opens its label line.
    assert.ok(apiItem.command);
    await vscode.commands.executeCommand(apiItem.command.command, ...((apiItem.command.arguments ?? []) as unknown[]));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.ok(editor.document.uri.path.endsWith('examples/manifests/orders/deployment.yaml'), editor.document.uri.path);
    assert.equal(editor.document.lineAt(editor.selection.active.line).text.trim(), 'aadpodidbinding: orders-identity');
  });

  it('names the binding of an AKS add-on pod identity after the script command that creates it, and opens it there', async () => {
    await waitForModel((r) => r.identities.some((i) => i.label === 'AKS add-on pod identity shop/catalog'), 'the add-on identity of examples/addon');
    const addon = childByLabel(undefined, 'AKS add-on pod identity shop/catalog');
    assert.deepEqual(view.getChildren(addon).map(labelOf), ['az aks pod-identity add shop/catalog']);
    const item = view.getTreeItem(view.getChildren(addon)[0]);
    assert.ok(item.command);
    await vscode.commands.executeCommand(item.command.command, ...((item.command.arguments ?? []) as unknown[]));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.ok(editor.document.uri.path.endsWith('examples/addon/setup-cluster.sh'), editor.document.uri.path);
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /^az aks pod-identity add\b/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a CronJob that a kustomize overlay labels through an inline patch, with the kustomization line among its places', async () => {
    await waitForModel((r) => workloadStateOf(r, 'reports/CronJob/prod-reports-export') === 'pod-identity', 'the CronJob the prod overlay labels');
    const identity = childByLabel(undefined, 'AzureIdentity reports/reports-reader');
    const cron = childByLabel(childByLabel(identity, 'AzureIdentityBinding reports/reports-reader-binding'), 'CronJob reports/prod-reports-export');
    const places = view.getChildren(cron).map((n) => `${labelOf(n)} ${String(view.getTreeItem(n).description)}`);
    assert.deepEqual(places.slice(0, 2), ['CronJob reports-export examples/reports/base/batch.yaml', 'inline patch in kustomization.yaml examples/reports/overlays/prod/kustomization.yaml']);
    const item = view.getTreeItem(view.getChildren(cron)[1]);
    assert.ok(item.command);
    await vscode.commands.executeCommand(item.command.command, ...((item.command.arguments ?? []) as unknown[]));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.lineAt(editor.selection.active.line).text.trim(), 'aadpodidbinding: reports-reader');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the status bar counts the workloads still on pod identity, and opens the view', async () => {
    const expected = await coreReport();
    await waitForModel((r) => r.stillOnPodIdentity === expected.stillOnPodIdentity, 'the core\'s count');
    assert.equal(view.status.text, `$(shield) ${expected.stillOnPodIdentity} on pod identity`);
    assert.equal(view.status.command, 'wiMigrate.migrationView.focus');
    const shown = view.tree.visible ? Promise.resolve() : new Promise<void>((resolve) => {
      const sub = view.tree.onDidChangeVisibility((e) => {
        if (!e.visible) return;
        sub.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand(String(view.status.command));
    await shown;
    assert.equal(view.tree.visible, true);
  });

  it('fixes one workload from its node, through the Refactor Preview, and shows it migrated', async () => {
    const key = 'orders/CronJob/orders-nightly-report';
    await waitForModel((r) => workloadStateOf(r, key) === 'pod-identity', `${key} on pod identity`);
    const orders = childByLabel(undefined, 'AzureIdentity orders/orders-identity');
    const node = childByLabel(childByLabel(orders, 'AzureIdentityBinding orders/orders-identity-binding'), 'Deployment orders/orders-api');
    const cron = childByLabel(childByLabel(orders, 'AzureIdentityBinding orders/orders-identity-binding'), 'CronJob orders/orders-nightly-report');
    assert.notEqual(node, cron);
    const preview = waitForPreviewDocument();
    const fixing = Promise.resolve(vscode.commands.executeCommand<MigrateResult>('wiMigrate.view.fixWorkload', cron));
    await preview;
    await vscode.commands.executeCommand('refactorPreview.apply');
    const result = await fixing;
    assert.equal(result.applied, true);
    // Only this workload's changes (and the account it gets): the Deployment that shares its binding is left.
    assert.deepEqual(result.groups.sort(), ['Create ServiceAccount orders/orders-identity', 'Migrate CronJob orders/orders-nightly-report']);
    const after = await waitForModel((r) => workloadStateOf(r, key) === 'migrated', `${key} migrated`);
    assert.equal(workloadStateOf(after, 'orders/Deployment/orders-api'), 'pod-identity');
    // Saved, though VS Code's refactoring auto-save leaves a change of one file alone (and the
    // preview may leave that file in no editor): the command saves it, as the setting asks.
    const cronjob = await vscode.workspace.openTextDocument(workspaceUri('examples', 'manifests', 'orders', 'cronjob.yaml'));
    assert.match(cronjob.getText(), /azure\.workload\.identity\/use: "true"/);
    assert.equal(cronjob.isDirty, false, 'cronjob.yaml saved');
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(cronjob.uri)), cronjob.getText(), 'cronjob.yaml on disk as in its document');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('updates as files are created and edited', async () => {
    const uri = workspaceUri('crossfile', 'view-live-worker.yaml');
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: live-worker
  namespace: orders
spec:
  template:
    metadata:
      labels:
        aadpodidbinding: orders-identity
    spec:
      containers: [{name: w, image: w}]
`;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const key = 'orders/Deployment/live-worker';
    const created = await waitForModel((r) => workloadStateOf(r, key) === 'pod-identity', `${key} from a new file`);
    assert.ok(created.identities.find((i) => i.label === 'AzureIdentity orders/orders-identity')?.groups.some((g) => g.workloads.some((w) => w.key === key)));
    // An edit of the open document, not saved: the linter's index is what the view reads.
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const at = document.getText().indexOf('orders-identity');
    await editor.edit((e) => e.replace(new vscode.Range(document.positionAt(at), document.positionAt(at + 'orders-identity'.length)), 'nobody-binds-this'));
    const edited = await waitForModel((r) => workloadStateOf(r, key) === 'needs-input', `${key} with a label no binding selects`);
    assert.ok(edited.identities.find((i) => i.id === 'unknown')?.groups.some((g) => g.name === 'nobody-binds-this'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.workspace.fs.delete(uri);
    await waitForModel((r) => workloadStateOf(r, key) === undefined, `${key} gone with its file`);
  });

  it('shows the cluster\'s states beside the workloads, and the cluster\'s workloads the workspace lacks as drift', async () => {
    await vscode.commands.executeCommand('wiMigrate.internal.setClusterStates', [
      { key: 'orders/Deployment/orders-api', state: 'pod identity', detail: 'pods labelled aadpodidbinding: orders-identity', problem: true },
      { key: 'legacy/Deployment/ghost', state: 'not mutated', detail: 'no AZURE_FEDERATED_TOKEN_FILE', problem: true },
    ]);
    const orders = childByLabel(undefined, 'AzureIdentity orders/orders-identity');
    const api = childByLabel(childByLabel(orders, 'AzureIdentityBinding orders/orders-identity-binding'), 'Deployment orders/orders-api');
    assert.equal(view.getTreeItem(api).description, 'still on pod identity · cluster: pod identity');
    const cluster = childByLabel(api, 'Cluster: pod identity');
    assert.equal(view.getTreeItem(cluster).description, 'pods labelled aadpodidbinding: orders-identity');
    const drift = childByLabel(undefined, 'In the cluster, not in the workspace');
    assert.deepEqual(view.getChildren(drift).map(labelOf), ['legacy/Deployment/ghost: not mutated']);
    await vscode.commands.executeCommand('wiMigrate.internal.setClusterStates', undefined);
    assert.equal(view.getTreeItem(api).description, 'still on pod identity');
    assert.ok(!view.getChildren().some((n) => labelOf(n) === 'In the cluster, not in the workspace'));
  });
});
