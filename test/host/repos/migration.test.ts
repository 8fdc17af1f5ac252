// "Migrate workspace to workload identity" on every fixture repository at once: the workspace holds
// each test/repos/<name>/before/ tree as <name>/ (test/host/runTests.ts), the migration goes through
// the real Refactor Preview and every change is applied, as a user does. Each repository's files must
// then be exactly its after/ tree, which is what `wi-migrate check --fix` gives (test/unit/repos.test.ts);
// test/unit/repos-together.test.ts shows that the CLI gives the same with all of them in one folder.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MigrateResult } from '../../../src/vscode/migrate';
import { afterTreesSideBySide, finishedRepos, readTree, treeDiff, type Tree } from '../../support/repos';
import { extensionApi } from '../suite/helpers';

const PREVIEW_SCHEME = 'vscode-bulkeditpreview-editor';
const TIMEOUT_MS = 60_000;

/**
 * Resolves once the Refactor Preview shows a document for each of `paths` (the files the migration
 * must change); rejects, naming those it does not show, after TIMEOUT_MS.
 */
function waitForPreviewOf(paths: ReadonlySet<string>): Promise<void> {
  // The preview's URI keeps the file's path (its query holds the workbench's own URI of it).
  const missing = () => {
    const shown = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === PREVIEW_SCHEME).map((d) => d.uri.path));
    return shown.size === 0 ? ['(no preview)'] : [...paths].filter((p) => !shown.has(p));
  };
  if (missing().length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`the Refactor Preview does not show the changes to: ${missing().join(', ')}`));
    }, TIMEOUT_MS);
    const sub = vscode.workspace.onDidOpenTextDocument(() => {
      if (missing().length > 0) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

/** The workspace's files as the editor has them: on disk, or a document's text where VS Code left it unsaved. */
function workspaceTree(root: string): Tree {
  const tree = readTree(root);
  for (const d of vscode.workspace.textDocuments) {
    if (d.uri.scheme === 'file' && d.isDirty) tree.set(path.relative(root, d.uri.fsPath).split(path.sep).join('/'), d.getText());
  }
  return tree;
}

describe('fixture repositories: the workspace migration in the editor', () => {
  it('gives every repository exactly its after/ tree, as the CLI does', async function () {
    this.timeout(300_000);
    await extensionApi();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const root = folder.uri.fsPath;
    const repos = finishedRepos();
    assert.deepEqual(
      [...new Set([...readTree(root).keys()].map((p) => p.split('/')[0]))].sort(),
      repos.map((r) => r.name).sort(),
      'the workspace holds each repository with before/ and after/ under its name',
    );
    const expected = afterTreesSideBySide(repos);
    const before = readTree(root);
    // The existing files the migration must change: the preview shows each of them before it is applied.
    const changing = new Set([...before].filter(([p, text]) => expected.has(p) && expected.get(p) !== text).map(([p]) => vscode.Uri.file(path.join(root, p)).path));
    assert.ok(changing.size > 0, 'some repository has something to migrate');

    const migration = Promise.resolve(vscode.commands.executeCommand<MigrateResult>('wiMigrate.migrateWorkspace'));
    await waitForPreviewOf(changing);
    await vscode.commands.executeCommand('refactorPreview.apply');
    const result = await migration;
    assert.equal(result.applied, true, 'the migration was applied');

    const diff = treeDiff(expected, workspaceTree(root));
    assert.ok(
      diff.length === 0,
      `after the editor's workspace migration, the workspace differs from the repositories' after/ trees (the CLI's result) (- missing, + extra, ~ changed):\n${diff.join('\n')}`,
    );
  });
});
