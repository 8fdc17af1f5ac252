// `Workload Identity: Check cluster` in the real extension host: the real @kubernetes/client-node
// (from dist/cluster.js) reads the local HTTPS Kubernetes API test server that the runner started
// (test/kube/standalone.ts) through the kubeconfig it wrote, named by KUBECONFIG as a user's would be.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { delimiter } from 'node:path';
import * as vscode from 'vscode';
import type { ClusterState } from '../../../src/cluster/format';
import type { ClusterCheckResult } from '../../../src/vscode/clusterCommand';
import type { MigrationView } from '../../../src/vscode/migrationView';
import { checkedClusterSeed, CHECKED_ISSUER } from '../../arm/clusterWorld';
import { armAdmin, extensionApi, setSetting } from './helpers';

const KUBECONFIG = process.env.WI_KUBECONFIG;
const KUBE_URL = process.env.WI_KUBE_URL;
const KUBE_CA = process.env.WI_KUBE_CA;
const SET_CLUSTER_STATES = 'wiMigrate.internal.setClusterStates';
const ARM_URL = process.env.WI_ARM_URL;
const ARM_CA = process.env.WI_ARM_CA;
const FEDERATED_PREFIX = 'federated credential: ';

function requestsSoFar(): Promise<Array<{ method: string; path: string; status: number }>> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/__admin/requests', KUBE_URL), { ca: readFileSync(KUBE_CA!, 'utf8') }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ method: string; path: string; status: number }>));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Check cluster against the test Kubernetes API server', function () {
  const received: ClusterState[][] = [];
  let stub: vscode.Disposable | undefined;

  before(async function () {
    // The runner always starts the server: its absence is a failure, not a skip.
    assert.ok(KUBECONFIG && KUBE_URL && KUBE_CA, 'WI_KUBECONFIG, WI_KUBE_URL and WI_KUBE_CA are set by the runner (test/kube/standalone.ts)');
    await extensionApi();
    process.env.KUBECONFIG = KUBECONFIG;
    // The migration view registers the receiver; where it is absent, this test stands in for it.
    if (!(await vscode.commands.getCommands(true)).includes(SET_CLUSTER_STATES)) {
      stub = vscode.commands.registerCommand(SET_CLUSTER_STATES, (states: ClusterState[]) => received.push(states));
    }
  });

  after(async function () {
    // Leave the workbench as the next tests expect it: the report's output panel and message closed.
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('notifications.clearAll');
    // The migration view keeps the states it was given: clear them for the view's own tests.
    await vscode.commands.executeCommand(SET_CLUSTER_STATES, undefined);
    stub?.dispose();
    delete process.env.KUBECONFIG;
    await setSetting('wiMigrate.cluster.context', undefined);
  });

  it('reads the context set, reports every state to the view and the output, with GET requests only', async function () {
    await setSetting('wiMigrate.cluster.context', 'aks-exec');
    const result = await vscode.commands.executeCommand<ClusterCheckResult | undefined>('wiMigrate.checkCluster');
    assert.ok(result, 'the check ran');
    assert.equal(result.report.context, 'aks-exec', 'the exec credential plugin signed the requests');
    assert.deepEqual(result.report.summary, { workloadIdentityReady: true, podIdentityGone: false });

    const byKey = new Map(result.states.filter((s) => !s.state.startsWith(FEDERATED_PREFIX)).map((s) => [s.key, s]));
    // Nobody is signed in to Azure here (no Microsoft account in this host): the federated credentials are skipped, not failed.
    const federated = result.states.filter((s) => s.state.startsWith(FEDERATED_PREFIX));
    assert.deepEqual(federated.map((s) => [s.key, s.state, s.problem]), [
      ['orders/Deployment/orders-api', 'federated credential: not signed in, skipped', false],
      ['payments/Deployment/payments', 'federated credential: not signed in, skipped', false],
      ['reports/CronJob/nightly-report', 'federated credential: not signed in, skipped', false],
    ]);
    assert.equal(byKey.get('billing/Deployment/billing-api')?.state, 'still on pod identity');
    assert.equal(byKey.get('payments/Deployment/payments')?.state, 'migrated, not mutated');
    assert.equal(byKey.get('ledger/StatefulSet/ledger')?.state, 'migrated, with problems');
    assert.equal(byKey.get('reports/CronJob/nightly-report')?.state, 'migrated');
    assert.equal(byKey.get('reports/CronJob/nightly-report')?.problem, false);
    // The workspace's examples/ still run orders-api on pod identity; the cluster runs it migrated.
    assert.equal(byKey.get('orders/Deployment/orders-api')?.state, 'migrated in the cluster, not in the repository');
    assert.equal(byKey.get('billing/AzureIdentity/billing-identity')?.state, 'installed in the cluster');

    if (stub) assert.deepEqual(received.at(-1), result.states, 'the view\'s receiver got the states');
    assert.match(result.text, /^Cluster: context aks-exec \(https:\/\/127\.0\.0\.1:\d+\)\n/);
    assert.match(result.text, /✗ orders\/Deployment\/orders-api: migrated in the cluster, not in the repository\./);

    const requests = await requestsSoFar();
    assert.ok(requests.filter((r) => r.path === '/api/v1/pods').length >= 3, 'the pod list was followed through its pages');
    assert.deepEqual([...new Set(requests.map((r) => r.method))], ['GET']);
  });

  it('asks which context when the kubeconfig has several and none is set, the current one first', async function () {
    await setSetting('wiMigrate.cluster.context', undefined);
    let settled = false;
    const running = Promise.resolve(vscode.commands.executeCommand<ClusterCheckResult | undefined>('wiMigrate.checkCluster')).finally(() => (settled = true));
    // Accept the picker's first item once it is open: each accept before that finds no picker.
    while (!settled) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await Promise.race([running, new Promise((r) => setTimeout(r, 100))]);
    }
    const result = await running;
    assert.equal(result?.report.context, 'aks-test');
  });

  describe('with a sign-in to the test ARM server', function () {
    const azure = () => vscode.workspace.getConfiguration('wiMigrate.azure');

    before(async function () {
      assert.ok(ARM_URL && ARM_CA, 'WI_ARM_URL and WI_ARM_CA are set by the runner (test/arm/standalone.ts)');
      const fakeAz = process.env.WI_FAKE_AZ_DIR;
      if (fakeAz && !(process.env.PATH ?? '').split(delimiter).includes(fakeAz)) process.env.PATH = `${fakeAz}${delimiter}${process.env.PATH ?? ''}`;
      await armAdmin('POST', '/__admin/reset');
      // The cluster of the test Kubernetes API server, by its host, and the identities of its service accounts.
      await armAdmin('POST', '/__admin/seed', checkedClusterSeed(new URL(KUBE_URL!).hostname));
      await azure().update('authentication', 'azureCli', vscode.ConfigurationTarget.Global);
      await azure().update('resourceManagerEndpoint', ARM_URL, vscode.ConfigurationTarget.Global);
    });

    after(async function () {
      await azure().update('authentication', undefined, vscode.ConfigurationTarget.Global);
      await azure().update('resourceManagerEndpoint', undefined, vscode.ConfigurationTarget.Global);
      if (ARM_URL) await armAdmin('POST', '/__admin/reset');
    });

    it('checks each service account\'s federated credential on the cluster found by its API server, beside the workload in the view and in the output', async function () {
      await setSetting('wiMigrate.cluster.context', 'aks-test');
      const result = await vscode.commands.executeCommand<ClusterCheckResult | undefined>('wiMigrate.checkCluster');
      assert.ok(result, 'the check ran');
      assert.equal(result.report.federated?.cluster?.name, 'aks-checked');
      assert.equal(result.report.federated?.cluster?.issuer, CHECKED_ISSUER);
      const federated = result.states.filter((s) => s.state.startsWith(FEDERATED_PREFIX));
      assert.deepEqual(federated.map((s) => [s.key, s.state, s.problem]), [
        ['orders/Deployment/orders-api', 'federated credential: found', false],
        ['payments/Deployment/payments', 'federated credential: audience mismatch', true],
        ['reports/CronJob/nightly-report', 'federated credential: issuer mismatch', true],
      ]);
      assert.match(result.text, / {6}✓ federated credential: found: Federated credential orders-api on identity orders-identity/);
      assert.match(result.text, /\nFederated credentials \(Azure\):\n {2}Checked against cluster aks-checked/);

      // In the view: beside orders-api (the examples' Deployment), its federated credential.
      if (!stub) {
        const view = (await extensionApi()).migrationView;
        type Node = Parameters<MigrationView['getTreeItem']>[0];
        const label = (n: Node) => {
          const l = view.getTreeItem(n).label;
          return typeof l === 'string' ? l : (l?.label ?? '');
        };
        const child = (parent: Node | undefined, text: string) => {
          const found = view.getChildren(parent).find((n) => label(n) === text);
          assert.ok(found, `"${text}" among ${view.getChildren(parent).map(label).join(' | ')}`);
          return found;
        };
        const workload = child(child(child(undefined, 'AzureIdentity orders/orders-identity'), 'AzureIdentityBinding orders/orders-identity-binding'), 'Deployment orders/orders-api');
        assert.match(String(view.getTreeItem(workload).description), /cluster: federated credential: found/);
        const node = child(workload, 'Cluster: federated credential: found');
        assert.match(String(view.getTreeItem(node).description), /^Federated credential orders-api on identity orders-identity: issuer /);
      }

      // Read-only: only GET requests reached Azure.
      const requests = await armAdmin<Array<{ method: string; path: string }>>('GET', '/__admin/requests');
      assert.ok(requests.some((r) => r.path.endsWith('/federatedIdentityCredentials')), 'the credentials were read');
      assert.deepEqual([...new Set(requests.map((r) => r.method))], ['GET']);
    });
  });
});
