import * as vscode from 'vscode';
import type { MigrationReport, ReportGroup, ReportIdentity, ReportLocation, ReportObject, ReportWorkload, StateCounts } from '../core/report';
import { STATE_LABELS } from '../core/workloadState';
import { loadedCore } from './coreLoader';
import type { Finding } from '../core/rule';
import type { Steps } from '../core/steps';
import { COMMAND_IDS } from './commands';
import type { Indexer } from './indexer';
import type { Settings } from './settings';
import { runSliced } from './slices';

/** The view's id (package.json `contributes.views`), and the context keys it sets (welcome view, walkthrough). */
const VIEW_ID = 'wiMigrate.migrationView';
const CONTEXT_KEYS = {
  /** The model was built at least once. */
  ready: 'wiMigrate.view.ready',
  /** Built, and nothing on or migrated from pod identity was found: the welcome view shows. */
  empty: 'wiMigrate.view.empty',
  /** Every workload the view knows is migrated (the walkthrough's service account step). */
  accountsDone: 'wiMigrate.workspace.serviceAccountsDone',
  /** No workload still carries aadpodidbinding (the walkthrough's relabel step). */
  relabelled: 'wiMigrate.workspace.relabelled',
  /** No KEDA TriggerAuthentication uses provider azure any more. */
  kedaMigrated: 'wiMigrate.workspace.kedaMigrated',
} as const;

/** What the cluster check says of one workload (`wiMigrate.internal.setClusterStates`). */
export interface ClusterState {
  /** `<namespace>/<Kind>/<name>`. */
  key: string;
  /** A short label: "pod identity", "mutated", "not mutated". */
  state: string;
  detail: string;
  problem: boolean;
}

const REFRESH_DEBOUNCE_MS = 300;

const EMPTY_REPORT: MigrationReport = { identities: [], counts: { workloads: 0, 'pod-identity': 0, migrated: 0, 'needs-input': 0, blocked: 0 }, stillOnPodIdentity: 0 };

// eslint-disable-next-line require-yield -- a file gone from the index has no findings: nothing to slice
function* noFindings(): Steps<Finding[]> {
  return [];
}
const ICONS: Record<ReportWorkload['state'], string> = { 'pod-identity': 'warning', migrated: 'pass', 'needs-input': 'edit', blocked: 'error' };

type Node =
  | { type: 'identity'; identity: ReportIdentity }
  | { type: 'group'; identity: ReportIdentity; group: ReportGroup }
  | { type: 'workload'; identity: ReportIdentity; workload: ReportWorkload }
  | { type: 'object'; identity: ReportIdentity; object: ReportObject }
  | { type: 'location'; location: ReportLocation }
  | { type: 'cluster'; state: ClusterState }
  | { type: 'drift'; states: ClusterState[] };

function countsText(c: StateCounts): string {
  const parts = (['pod-identity', 'needs-input', 'blocked', 'migrated'] as const).filter((s) => c[s] > 0).map((s) => `${c[s]} ${STATE_LABELS[s]}`);
  return parts.join(', ');
}

/**
 * The migration view: the report (core/report.ts) as a tree, built from the editor's index in time
 * slices after the index is read and again (debounced) whenever it changes; a status bar item with
 * the workloads still on pod identity; the context keys of the welcome view and the walkthrough;
 * and the cluster's states beside the workloads.
 */
export class MigrationView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private report: MigrationReport | undefined;
  private cluster: ClusterState[] | undefined;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refreshed = new vscode.EventEmitter<MigrationReport>();
  /** Fires when a new model is shown (host tests wait on it). */
  readonly onDidRefresh = this.refreshed.event;
  /** The status bar item: how many workloads are still on pod identity; a click opens the view. */
  readonly status = vscode.window.createStatusBarItem('wiMigrate.podIdentityCount', vscode.StatusBarAlignment.Left, 1);
  readonly tree: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  /** The context keys as last set (host tests read them: the workbench has no getter). */
  readonly contexts: Record<string, boolean> = {};

  constructor(private readonly indexer: Indexer, private settings: () => Settings) {
    this.tree = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.status.name = 'Workload identity migration';
    this.status.command = `${VIEW_ID}.focus`;
    this.disposables.push(this.tree, this.status, this.changed, this.refreshed);
    void this.refreshWhenReady();
  }

  /** The model as last built (undefined before the first build). */
  get current(): MigrationReport | undefined {
    return this.report;
  }

  /** Builds the model again after a quiet moment (files change in bursts). */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refreshWhenReady();
    }, REFRESH_DEBOUNCE_MS);
  }

  private async refreshWhenReady(): Promise<void> {
    const generation = ++this.generation;
    this.tree.message = 'Reading the workspace…';
    await vscode.window.withProgress({ location: { viewId: VIEW_ID } }, async () => {
      await this.indexer.ready;
      if (generation !== this.generation) return;
      // No analysis loaded: nothing in the workspace has a word of identity, so nothing to report.
      const index = this.indexer.loaded;
      const core = loadedCore();
      if (!index || !core) {
        this.show(EMPTY_REPORT);
        return;
      }
      const options = this.settings().options;
      const outdated = () => generation !== this.generation || index !== this.indexer.loaded;
      const built = await runSliced(
        core.reportSteps(index, (path) => {
          const file = index.parsedFile(path);
          return file ? core.checkFileSteps(file, index, options) : noFindings();
        }),
        outdated,
      );
      if (!built || outdated()) return;
      this.show(built.value);
    });
  }

  private show(report: MigrationReport): void {
    this.report = report;
    this.tree.message = undefined;
    const c = report.counts;
    this.tree.description = c.workloads ? countsText(c) : undefined;
    this.tree.badge = report.stillOnPodIdentity ? { value: report.stillOnPodIdentity, tooltip: `${report.stillOnPodIdentity} workloads still on pod identity` } : undefined;
    this.status.text = `$(shield) ${report.stillOnPodIdentity} on pod identity`;
    this.status.tooltip = `Workload identity migration: ${c.workloads} workloads, ${countsText(c) || 'none found'}. Click to open the migration view.`;
    if (c.workloads > 0 || report.identities.length > 0) this.status.show();
    else this.status.hide();
    const keda = report.identities.flatMap((i) => i.keda);
    this.setContext(CONTEXT_KEYS.ready, true);
    this.setContext(CONTEXT_KEYS.empty, report.identities.length === 0);
    this.setContext(CONTEXT_KEYS.accountsDone, c.workloads > 0 && c.migrated === c.workloads);
    this.setContext(CONTEXT_KEYS.relabelled, c.workloads > 0 && report.stillOnPodIdentity === 0);
    this.setContext(CONTEXT_KEYS.kedaMigrated, keda.length > 0 && keda.every((k) => k.state === 'migrated'));
    this.changed.fire(undefined);
    this.refreshed.fire(report);
  }

  private setContext(key: string, value: boolean): void {
    this.contexts[key] = value;
    void vscode.commands.executeCommand('setContext', key, value);
  }

  /** The cluster's states (`wiMigrate.internal.setClusterStates`); undefined clears them. */
  setClusterStates(states: readonly ClusterState[] | undefined): void {
    this.cluster = states?.filter((s) => s && typeof s.key === 'string').map((s) => ({ key: s.key, state: String(s.state), detail: String(s.detail ?? ''), problem: Boolean(s.problem) }));
    this.changed.fire(undefined);
    if (this.report) this.refreshed.fire(this.report);
  }

  private clusterOf(key: string): ClusterState[] {
    return this.cluster?.filter((s) => s.key === key) ?? [];
  }

  /** Cluster states of workloads the repository does not have: drift. */
  private drift(): ClusterState[] {
    if (!this.cluster || !this.report) return [];
    const known = new Set(this.report.identities.flatMap((i) => i.groups.flatMap((g) => g.workloads.map((w) => w.key))));
    return this.cluster.filter((s) => !known.has(s.key));
  }

  getChildren(node?: Node): Node[] {
    if (!this.report) return [];
    if (!node) {
      const drift = this.drift();
      return [...this.report.identities.map((identity): Node => ({ type: 'identity', identity })), ...(drift.length ? [{ type: 'drift', states: drift } as Node] : [])];
    }
    switch (node.type) {
      case 'identity': {
        const { identity } = node;
        return [
          ...identity.groups.map((group): Node => ({ type: 'group', identity, group })),
          ...[...identity.keda, ...identity.csi].map((object): Node => ({ type: 'object', identity, object })),
        ];
      }
      case 'group':
        return node.group.workloads.map((workload): Node => ({ type: 'workload', identity: node.identity, workload }));
      case 'workload':
        return [
          ...this.clusterOf(node.workload.key).map((state): Node => ({ type: 'cluster', state })),
          ...node.workload.locations.map((location): Node => ({ type: 'location', location })),
        ];
      case 'object':
        return [{ type: 'location', location: node.object.location }];
      case 'drift':
        return node.states.map((state): Node => ({ type: 'cluster', state }));
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    const expanded = vscode.TreeItemCollapsibleState.Expanded;
    switch (node.type) {
      case 'identity': {
        const { identity } = node;
        const item = new vscode.TreeItem(identity.label, expanded);
        item.id = `identity:${identity.id}`;
        item.description = `${identity.counts.workloads} · ${countsText(identity.counts)}`;
        item.tooltip = [identity.label, identity.clientId && `client id ${identity.clientId}`, identity.resourceId, countsText(identity.counts)].filter(Boolean).join('\n');
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = `identity${identity.fixLabels.length ? ' fixable' : ''}`;
        if (identity.location) item.command = openCommand(identity.location);
        return item;
      }
      case 'group': {
        const { group } = node;
        const label = group.kind === 'selector' ? `aadpodidbinding: ${group.name}` : (group.label ?? `${group.kind} ${group.namespace}/${group.name}`);
        const item = new vscode.TreeItem(label, expanded);
        item.id = `group:${node.identity.id}:${group.kind}/${group.namespace}/${group.name}`;
        item.description = group.kind === 'selector' ? `no binding · ${group.workloads.length}` : String(group.workloads.length);
        item.iconPath = new vscode.ThemeIcon(group.kind === 'ServiceAccount' ? 'account' : 'link');
        item.contextValue = 'group';
        if (group.location) item.command = openCommand(group.location);
        return item;
      }
      case 'workload': {
        const { workload } = node;
        const cluster = this.clusterOf(workload.key);
        const item = new vscode.TreeItem(`${workload.kind} ${workload.namespace}/${workload.name}`, collapsed);
        item.id = `workload:${node.identity.id}:${workload.key}`;
        item.description = [STATE_LABELS[workload.state], ...cluster.map((c) => `cluster: ${c.state}`)].join(' · ');
        item.tooltip = new vscode.MarkdownString([`**${workload.kind} ${workload.namespace}/${workload.name}**: ${STATE_LABELS[workload.state]}`, workload.reason, ...cluster.map((c) => `Cluster: ${c.state}. ${c.detail}`)].filter(Boolean).join('\n\n'));
        const problem = cluster.some((c) => c.problem);
        item.iconPath = new vscode.ThemeIcon(problem ? 'cloud' : ICONS[workload.state], problem ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.contextValue = `workload ${workload.state}${workload.fixLabels.length ? ' fixable' : ''}`;
        item.command = openCommand(workload.locations[workload.onPodIdentity && workload.locations[1] ? 1 : 0]);
        return item;
      }
      case 'object': {
        const { object } = node;
        const item = new vscode.TreeItem(`${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`, vscode.TreeItemCollapsibleState.None);
        item.id = `object:${node.identity.id}:${object.kind}/${object.namespace}/${object.name}`;
        item.description = STATE_LABELS[object.state];
        item.iconPath = new vscode.ThemeIcon(object.kind === 'SecretProviderClass' ? 'lock' : 'dashboard');
        item.contextValue = `object ${object.state}${object.fixLabels.length ? ' fixable' : ''}`;
        item.command = openCommand(object.location);
        return item;
      }
      case 'location': {
        const { location } = node;
        const item = new vscode.TreeItem(location.what, vscode.TreeItemCollapsibleState.None);
        item.resourceUri = vscode.Uri.parse(location.file);
        item.description = vscode.workspace.asRelativePath(vscode.Uri.parse(location.file));
        item.iconPath = vscode.ThemeIcon.File;
        item.contextValue = 'location';
        item.command = openCommand(location);
        return item;
      }
      case 'cluster': {
        const { state } = node;
        const item = new vscode.TreeItem(`Cluster: ${state.state}`, vscode.TreeItemCollapsibleState.None);
        item.description = state.detail;
        item.tooltip = `${state.key}: ${state.state}. ${state.detail}`;
        item.iconPath = new vscode.ThemeIcon(state.problem ? 'warning' : 'cloud');
        item.contextValue = 'cluster';
        if (this.drift().includes(state)) item.label = `${state.key}: ${state.state}`;
        return item;
      }
      case 'drift': {
        const item = new vscode.TreeItem('In the cluster, not in the workspace', expanded);
        item.id = 'drift';
        item.description = String(node.states.length);
        item.tooltip = 'Workloads the cluster check found that no manifest of the workspace defines (drift).';
        item.iconPath = new vscode.ThemeIcon('cloud');
        return item;
      }
    }
  }

  /** The labels of the changes that fix a node: a workload, an object, or everything under an identity. */
  static scopeOf(node: Node | undefined): { labels: ReadonlySet<string>; what: string } | undefined {
    if (node?.type === 'workload') return { labels: new Set(node.workload.fixLabels), what: `${node.workload.kind} ${node.workload.namespace}/${node.workload.name}` };
    if (node?.type === 'object') return { labels: new Set(node.object.fixLabels), what: `${node.object.kind} ${node.object.name}` };
    if (node?.type === 'identity') return { labels: new Set(node.identity.fixLabels), what: node.identity.label };
    return undefined;
  }

  /** The arguments of "Create federated credential" for an identity: its service accounts (or its KEDA objects' operator). */
  static credentialTargets(node: Node | undefined): Array<Record<string, unknown>> {
    if (node?.type !== 'identity') return [];
    const accounts = node.identity.serviceAccounts.map((a) => ({ namespace: a.namespace, name: a.name }));
    const keda = node.identity.keda.map((k) => ({ file: k.location.file, offset: k.location.start }));
    return [...accounts, ...keda];
  }

  dispose(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Commands of the view that the extension registers but does not contribute (no palette entry). */
export const VIEW_COMMANDS = {
  open: 'wiMigrate.internal.openLocation',
  /** Called by the cluster check with `ClusterState[]`, or undefined to clear. */
  setClusterStates: 'wiMigrate.internal.setClusterStates',
} as const;

function openCommand(location: ReportLocation): vscode.Command {
  return { command: VIEW_COMMANDS.open, title: 'Open', arguments: [location] };
}

/** Opens a report location with its range selected. */
export async function openLocation(location: ReportLocation): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(location.file));
  const selection = new vscode.Range(document.positionAt(location.start), document.positionAt(location.start));
  return vscode.window.showTextDocument(document, { selection, preview: true });
}

/** Runs "Create federated credential" once per target of the identity (a pick when there are several). */
export async function federateIdentity(node: Node | undefined): Promise<unknown> {
  const targets = MigrationView.credentialTargets(node);
  if (targets.length <= 1) return vscode.commands.executeCommand(COMMAND_IDS.createFederatedCredential, ...targets);
  const picked = await vscode.window.showQuickPick(
    targets.map((t) => ({ label: 'name' in t ? `${String(t.namespace)}/${String(t.name)}` : 'KEDA operator', description: 'name' in t ? 'ServiceAccount' : 'TriggerAuthentication', target: t })),
    { title: 'Create federated credential for', canPickMany: false },
  );
  return picked ? vscode.commands.executeCommand(COMMAND_IDS.createFederatedCredential, picked.target) : undefined;
}
