// The migration view's welcome view and the walkthrough's completion keys, in the plain workspace
// (nothing of identity, and no document of another test open, so the view's model is exactly what
// this test writes). Runs after lazyCore.test.ts, which loads the analysis.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MigrationReport } from '../../../src/core/report';
import type { MigrationView } from '../../../src/vscode/migrationView';
import { extensionApi, waitForViewModel, workloadStateOf, workspaceUri } from '../suite/helpers';

const TIMEOUT_MS = 30_000;
const ROOT = join(__dirname, '..', '..', '..', '..');

let view: MigrationView;

const waitForModel = (accept: (r: MigrationReport) => boolean, what: string) => waitForViewModel(view, accept, what, TIMEOUT_MS);


const DONE = `apiVersion: apps/v1
kind: Deployment
metadata: {name: done-api, namespace: done}
spec:
  template:
    metadata:
      labels: {azure.workload.identity/use: "true"}
    spec:
      serviceAccountName: done-api
      containers: [{name: app, image: app}]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: done-api
  namespace: done
  annotations: {azure.workload.identity/client-id: 11111111-2222-4333-8444-555555555555}
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: done-auth, namespace: done}
spec:
  podIdentity: {provider: azure-workload, identityId: 11111111-2222-4333-8444-555555555555}
`;

describe('the welcome view and the walkthrough', () => {
  it('sets the welcome view\'s key when nothing is found, and the walkthrough\'s keys from the workspace', async function () {
    this.timeout(120_000);
    view = (await extensionApi()).migrationView;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { viewsWelcome: Array<{ view: string; contents: string; when: string }>; walkthroughs: Array<{ steps: Array<{ id: string; completionEvents: string[] }> }> };
    };
    const steps = pkg.contributes.walkthroughs[0].steps;
    assert.deepEqual(steps.map((s) => s.id), ['enableCluster', 'federatedCredentials', 'serviceAccounts', 'relabel', 'keda', 'verify', 'removePodIdentity']);
    const contextKeys = steps.flatMap((s) => s.completionEvents).filter((e) => e.startsWith('onContext:')).map((e) => e.slice('onContext:'.length));
    const workspaceKeys = contextKeys.filter((k) => k.startsWith('wiMigrate.workspace.'));
    assert.deepEqual(workspaceKeys, ['wiMigrate.workspace.serviceAccountsDone', 'wiMigrate.workspace.relabelled', 'wiMigrate.workspace.kedaMigrated']);

    // Nothing of identity: the welcome view's key, and its button opens the walkthrough.
    await waitForModel((r) => r.identities.length === 0, 'an empty model');
    assert.equal(view.contexts['wiMigrate.view.empty'], true);
    assert.equal(view.contexts['wiMigrate.workspace.relabelled'], false, 'no workload: nothing was relabelled');
    const welcome = pkg.contributes.viewsWelcome.find((w) => w.view === 'wiMigrate.migrationView' && /\bwiMigrate\.view\.empty\b/.test(w.when));
    assert.ok(welcome);
    assert.match(welcome.contents, /\[Open the migration walkthrough\]\(command:wiMigrate\.openWalkthrough\)/);
    await vscode.commands.executeCommand('wiMigrate.openWalkthrough');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.match(tab?.label ?? '', /Welcome|Walkthrough|Pod Identity/, `the active tab: ${tab?.label}`);

    // One migrated workload and a KEDA TriggerAuthentication on azure-workload: every workspace step is done.
    const folder = workspaceUri('view-done');
    const file = vscode.Uri.joinPath(folder, 'app.yaml');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(DONE));
    // Opened too: in this short run the workspace's file watcher may not be up yet when the file is
    // written (one CI run saw no event in 30 s), and what is tested here is the view and its keys.
    await vscode.workspace.openTextDocument(file);
    try {
      const done = await waitForModel((r) => r.counts.workloads === 1 && workloadStateOf(r, 'done/Deployment/done-api') === 'migrated', 'only the migrated workload');
      assert.equal(done.stillOnPodIdentity, 0);
      for (const key of workspaceKeys) assert.equal(view.contexts[key], true, key);
      assert.equal(view.contexts['wiMigrate.view.empty'], false);
      assert.equal(view.status.text, '$(shield) 0 on pod identity');
    } finally {
      await vscode.workspace.fs.delete(folder, { recursive: true });
    }
    await waitForModel((r) => r.identities.length === 0, 'an empty model again');
    assert.equal(view.contexts['wiMigrate.view.empty'], true);
  });
});
