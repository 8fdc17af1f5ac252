import * as vscode from 'vscode';
import type { FixAllChange } from '../core/engine';
import { positionsIn } from './convert';
import { loadCore } from './coreLoader';
import type { Indexer } from './indexer';
import type { Linter } from './linter';
import type { Settings } from './settings';

/**
 * A part of the migration (the migration view's "fix this workload", "fix everything under this
 * identity"): the whole plan's changes whose labels are listed, as if the others were unchecked
 * in the preview.
 */
export interface MigrationScope {
  labels: ReadonlySet<string>;
  /** For messages: "Deployment orders/orders-api". */
  what: string;
}

function scoped(plan: FixAllChange[], only: MigrationScope | undefined): FixAllChange[] {
  if (!only) return plan;
  return plan.map((c) => ({ ...c, edits: c.edits.filter((e) => only.labels.has(e.label)) })).filter((c) => c.edits.length > 0);
}

export interface MigrateResult {
  applied: boolean;
  files: string[];
  /** The labels of the change groups the preview offered, one per migrated object. */
  groups: string[];
}

/**
 * "Migrate workspace to workload identity": every fix over every indexed file, as one
 * WorkspaceEdit shown in the refactor preview before anything is written. Each change is a
 * minimal edit labelled with what it does ("Migrate Deployment orders/orders-api", "Create
 * ServiceAccount orders/orders-identity", "Remove AzureIdentityBinding …"): the preview groups
 * changes by that label, so a user can leave one workload out.
 */
export async function migrateWorkspace(indexer: Indexer, linter: Linter, settings: Settings, only?: MigrationScope): Promise<MigrateResult> {
  // The analysis is loaded now if nothing loaded it before (then the workspace is read into the index).
  const index = await indexer.indexed();
  const project = new (loadCore().Project)(settings.options);
  for (const path of index.paths) {
    const text = linter.text(path);
    // The index's parse of the file, if it holds one: its documents are reused where the text is the same.
    if (text !== undefined) project.set(path, text, index.heldFile(path));
  }
  const plan = scoped(project.fixAllChanges(), only);
  if (plan.length === 0) {
    void vscode.window.showInformationMessage(only ? `Nothing to migrate for ${only.what}: no fixable pod identity usage there.` : 'Nothing to migrate: no fixable pod identity usage in the workspace.');
    return { applied: false, files: [], groups: [] };
  }
  const edit = new vscode.WorkspaceEdit();
  const groups = new Set<string>();
  const metadata = (label: string): vscode.WorkspaceEditEntryMetadata => {
    groups.add(label);
    return { label, needsConfirmation: false };
  };
  let anchor: vscode.Uri | undefined;
  for (const change of plan) {
    const uri = vscode.Uri.parse(change.path);
    if (change.before === undefined) {
      // A file the fixes create (a ServiceAccount beside a Helm template): one change of its own.
      edit.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(change.after) }, metadata(change.edits[0]?.label ?? 'Create file'));
      continue;
    }
    anchor ??= uri;
    // Ranges from the text the plan was made of, without opening every file as a document.
    const positions = positionsIn(change.before);
    for (const e of change.edits) edit.replace(uri, positions.range(e.start, e.end), e.text, metadata(e.label));
  }
  // VS Code opens the refactor preview only for an edit with an entry that needs confirmation,
  // and shows such entries unchecked. The changes above need none, so they start checked; this
  // entry (creating a file that exists, with ignoreIfExists: a no-op the preview does not list)
  // is the one that asks for the preview.
  anchor ??= project.paths.map((p) => vscode.Uri.parse(p)).find((u) => !plan.some((c) => c.path === u.toString()));
  if (anchor) edit.createFile(anchor, { ignoreIfExists: true }, { label: 'Review the migration', needsConfirmation: true });
  const dirtyBefore = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
  // isRefactoring: VS Code saves the files afterwards (files.refactoring.autoSave), when there are several.
  const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  if (applied) await saveRefactored(plan, dirtyBefore);
  return { applied, files: plan.map((c) => c.path), groups: [...groups] };
}

/**
 * Saves what the migration changed in a file that had no unsaved change before, as
 * `files.refactoring.autoSave` asks. VS Code does so only for a change of several files; a change
 * of one file would be left in a document that may have no editor, unsaved and out of sight.
 */
async function saveRefactored(plan: readonly FixAllChange[], dirtyBefore: ReadonlySet<string>): Promise<void> {
  const changed = new Set(plan.filter((c) => c.before !== undefined && !dirtyBefore.has(c.path)).map((c) => c.path));
  for (const document of vscode.workspace.textDocuments) {
    const key = document.uri.toString();
    if (!changed.has(key) || !document.isDirty) continue;
    if (vscode.workspace.getConfiguration('files', document.uri).get<boolean>('refactoring.autoSave', true)) await document.save();
  }
}
