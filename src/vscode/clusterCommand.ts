import * as vscode from 'vscode';
import type { ClusterState } from '../cluster/format';
import type { ClusterReport } from '../cluster/report';
import type { WorkspaceIndex } from '../core/workspace';
import { SECTION } from './settings';

/**
 * `Workload Identity: Check cluster`: reads the running cluster through the user's kubeconfig,
 * read-only, and shows each workload's state in the migration view (when it is there), in an output
 * channel, and in context keys the walkthrough reads. The cluster code (@kubernetes/client-node)
 * is its own bundle, dist/cluster.js, required on the first run: activation never pays for it.
 */
type ClusterModule = typeof import('../cluster');
/** The part of dist/azure.js the check calls: the federated credentials, without picker or sign-in prompt. */
type FederatedModule = Pick<typeof import('./azure'), 'checkFederatedInEditor'>;

/** The migration view's receiver of the states (registered by the view; called only when it exists). */
const SET_CLUSTER_STATES = 'wiMigrate.internal.setClusterStates';
const CLUSTER_CONTEXT_KEYS = {
  checked: 'wiMigrate.cluster.checked',
  workloadIdentityReady: 'wiMigrate.cluster.workloadIdentityReady',
  podIdentityGone: 'wiMigrate.cluster.podIdentityGone',
} as const;

/** What the command returns (tests read it): the report, the states given to the view, the text written. */
export interface ClusterCheckResult {
  report: ClusterReport;
  states: ClusterState[];
  text: string;
}

let loaded: ClusterModule | undefined;

function loadCluster(): ClusterModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously, from the bundle beside this one
  loaded ??= require('./cluster') as ClusterModule;
  return loaded;
}

/**
 * The federated credentials of the workload-identity service accounts, through the Azure layer
 * (dist/azure.js, loaded here only when there is one to check): skipped without loading it in an
 * untrusted workspace, and when nobody is signed in.
 */
async function withFederatedCredentials(cluster: ClusterModule, report: ClusterReport): Promise<ClusterReport> {
  const request = cluster.federatedRequest(report);
  if (request.workloads.length === 0) return report;
  if (!vscode.workspace.isTrusted) {
    return cluster.withFederated(report, cluster.federatedForAll(request, cluster.FEDERATED.untrusted, 'The workspace is not trusted: Azure is not asked.', false));
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the Azure bundle, loaded on first use like the Azure commands'
    const azure = require('./azure') as FederatedModule;
    const checked = await azure.checkFederatedInEditor(request);
    return cluster.withFederated(report, { cluster: checked.cluster, summary: checked.summary, workloads: checked.workloads });
  } catch (e) {
    return cluster.withFederated(report, cluster.federatedForAll(request, cluster.FEDERATED.failed, `Checking the federated credentials failed: ${(e instanceof Error ? e.message : String(e)).replace(/\.$/, '')}.`, true));
  }
}

export interface ClusterCommandHost {
  /** The output channel of the report (created on the first run). */
  channel: () => vscode.OutputChannel;
  index: () => WorkspaceIndex;
  indexReady: () => Promise<void>;
}

/** The context to read: the setting's, the only one, or the one picked (the current one first). */
async function pickContext(cluster: ClusterModule, kubeconfig: string | undefined): Promise<string | undefined | null> {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('cluster.context');
  if (configured) return configured;
  const { contexts, current } = cluster.kubeContexts({ kubeconfig });
  if (contexts.length <= 1) return current || contexts[0];
  const items = [current, ...contexts.filter((c) => c !== current)].filter(Boolean).map((label) => ({ label, description: label === current ? 'current context' : undefined }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Check cluster: which context?', placeHolder: 'The kubeconfig has several contexts.' });
  return picked ? picked.label : null;
}

export async function checkCluster(host: ClusterCommandHost): Promise<ClusterCheckResult | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const kubeconfig = config.get<string>('cluster.kubeconfig') || undefined;
  const audience = config.get<string>('azure.audience') || undefined;
  let cluster: ClusterModule;
  let context: string | undefined | null;
  try {
    cluster = loadCluster();
    context = await pickContext(cluster, kubeconfig);
  } catch (e) {
    void vscode.window.showErrorMessage(messageOf(e));
    return undefined;
  }
  if (context === null) return undefined;
  let report: ClusterReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading cluster ${context ?? ''}…` },
      async () => {
        const read = await cluster.readCluster({ kubeconfig, context: context ?? undefined, audience });
        await host.indexReady();
        const compared = cluster.compareWithRepository(read, host.index().pods);
        return withFederatedCredentials(cluster, compared);
      },
    );
  } catch (e) {
    void vscode.window.showErrorMessage(messageOf(e));
    return undefined;
  }
  const states = cluster.clusterStates(report);
  const text = cluster.formatClusterText(report);
  const channel = host.channel();
  channel.replace(text);
  channel.show(true);
  await Promise.all([
    vscode.commands.executeCommand('setContext', CLUSTER_CONTEXT_KEYS.checked, true),
    vscode.commands.executeCommand('setContext', CLUSTER_CONTEXT_KEYS.workloadIdentityReady, report.summary.workloadIdentityReady),
    vscode.commands.executeCommand('setContext', CLUSTER_CONTEXT_KEYS.podIdentityGone, report.summary.podIdentityGone),
  ]);
  if ((await vscode.commands.getCommands(true)).includes(SET_CLUSTER_STATES)) {
    await vscode.commands.executeCommand(SET_CLUSTER_STATES, states);
  }
  const problems = states.filter((s) => s.problem).length;
  const unread = report.unreadable.length ? ` Not everything could be read: ${report.unreadable.map((u) => u.resource).join(', ')}.` : '';
  void vscode.window.showInformationMessage(`Cluster ${report.context}: ${report.workloads.length} workloads checked, ${problems} need attention.${unread}`);
  return { report, states, text };
}

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.startsWith('The ') ? text : `Checking the cluster failed: ${text.replace(/\.$/, '')}.`;
}
