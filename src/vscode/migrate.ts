import * as vscode from 'vscode';
import { diffEdit } from '../core/edits';
import { Project } from '../core/engine';
import type { Indexer } from './indexer';
import type { Linter } from './linter';
import type { Settings } from './settings';

export interface MigrateArgs {
  /** false: apply without the refactor preview (for scripts and tests). Default true. */
  preview?: boolean;
}

export interface MigrateResult {
  applied: boolean;
  files: string[];
}

/**
 * "Migrate workspace to workload identity": every fix over every indexed file, as one
 * WorkspaceEdit shown in the refactor preview before anything is written.
 */
export async function migrateWorkspace(indexer: Indexer, linter: Linter, settings: Settings, args: MigrateArgs = {}): Promise<MigrateResult> {
  await indexer.ready;
  const project = new Project(settings.options);
  for (const path of indexer.core.paths) {
    const text = linter.text(path);
    if (text !== undefined) project.set(path, text);
  }
  const changed = project.fixAll();
  if (changed.size === 0) {
    void vscode.window.showInformationMessage('Nothing to migrate: no fixable pod identity usage in the workspace.');
    return { applied: false, files: [] };
  }
  const edit = new vscode.WorkspaceEdit();
  const metadata: vscode.WorkspaceEditEntryMetadata = {
    label: 'Migrate to workload identity',
    needsConfirmation: args.preview !== false,
  };
  for (const [path, after] of changed) {
    const uri = vscode.Uri.parse(path);
    const before = linter.text(path);
    if (before === undefined) {
      // A file the fixes create (a ServiceAccount beside a Helm template).
      edit.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(after) }, metadata);
      continue;
    }
    const change = diffEdit(before, after);
    if (!change) continue;
    const document = await vscode.workspace.openTextDocument(uri);
    edit.replace(uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.text, metadata);
  }
  const applied = await vscode.workspace.applyEdit(edit);
  return { applied, files: [...changed.keys()] };
}
