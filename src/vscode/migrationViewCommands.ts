import * as vscode from 'vscode';
import type { ReportLocation } from '../core/report';
import { COMMAND_IDS } from './commands';
import type { Indexer } from './indexer';
import type { Linter } from './linter';
import { migrateWorkspace } from './migrate';
import { federateIdentity, MigrationView, openLocation, VIEW_COMMANDS, type ClusterState } from './migrationView';
import type { Settings } from './settings';

/** The walkthrough (package.json `contributes.walkthroughs`), as `workbench.action.openWalkthrough` names it. */
const WALKTHROUGH_ID = 'wi-migrate.aks-workload-identity-migrator#wiMigrate.migration';

/**
 * The migration view and its commands: the tree, its inline actions (through the same migration
 * preview as "Migrate workspace", scoped to the node; the Azure commands with the node's
 * arguments), opening a place, the walkthrough, and the cluster's states.
 */
export function registerMigrationView(indexer: Indexer, linter: Linter, settings: () => Settings): { view: MigrationView; disposables: vscode.Disposable[] } {
  const view = new MigrationView(indexer, settings);
  type Node = Parameters<MigrationView['getTreeItem']>[0];
  const fix = (node: Node | undefined) => {
    const scope = MigrationView.scopeOf(node);
    return scope ? migrateWorkspace(indexer, linter, settings(), scope) : migrateWorkspace(indexer, linter, settings());
  };
  const disposables: vscode.Disposable[] = [
    view,
    indexer.onDidChange(() => view.schedule()),
    linter.onDidCheck(() => view.schedule()),
    vscode.commands.registerCommand(VIEW_COMMANDS.open, (location: ReportLocation) => openLocation(location)),
    vscode.commands.registerCommand(VIEW_COMMANDS.setClusterStates, (states: ClusterState[] | undefined) => view.setClusterStates(Array.isArray(states) ? states : undefined)),
    vscode.commands.registerCommand(COMMAND_IDS.viewFixWorkload, fix),
    vscode.commands.registerCommand(COMMAND_IDS.viewFixIdentity, fix),
    vscode.commands.registerCommand(COMMAND_IDS.viewCreateFederatedCredential, (node: Node | undefined) => federateIdentity(node)),
    vscode.commands.registerCommand(COMMAND_IDS.viewCopyAzScript, () => vscode.commands.executeCommand(COMMAND_IDS.copyAzScript)),
    vscode.commands.registerCommand(COMMAND_IDS.viewRefresh, () => view.schedule()),
    vscode.commands.registerCommand(COMMAND_IDS.openWalkthrough, () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false)),
  ];
  return { view, disposables };
}
