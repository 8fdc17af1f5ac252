// "Migrate workspace to workload identity" through the real Refactor Preview, as a user applies it:
// discard; leave one workload out and apply; apply everything. It migrates the whole test
// workspace, so this file runs last (mocha takes the files in name order).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyEdits } from '../../../src/core/edits';
import type { FixAllChange } from '../../../src/core/engine';
import type { MigrateResult } from '../../../src/vscode/migrate';
import { coreProject, extensionApi } from './helpers';

const PREVIEW_SCHEME = 'vscode-bulkeditpreview-editor';
const TIMEOUT_MS = 20_000;

/** Preview sessions seen before the current one (a session's documents share its authority). */
const earlierSessions = new Set<string>();

function forgetEarlierPreviews(): void {
  for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === PREVIEW_SCHEME) earlierSessions.add(d.uri.authority);
}

/** The documents the current preview shows, by the path of the file each stands for. */
function previewDocuments(): Map<string, vscode.TextDocument> {
  return new Map(
    vscode.workspace.textDocuments
      .filter((d) => d.uri.scheme === PREVIEW_SCHEME && d.uri.query && !earlierSessions.has(d.uri.authority))
      // The preview's URI keeps the file's path (its query holds the workbench's own URI of it).
      .map((d) => [d.uri.path, d]),
  );
}

/** Resolves once `accept` holds for the preview's documents (checked on each of their changes). */
function waitForPreview(accept: ((docs: Map<string, vscode.TextDocument>) => boolean) & { explain?(): string }, what: string, timeout = TIMEOUT_MS): Promise<boolean> {
  if (accept(previewDocuments())) return Promise.resolve(true);
  return new Promise<boolean>((resolve, reject) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      for (const s of subs) s.dispose();
      if (ok) resolve(true);
      else reject(new Error(`timed out waiting for the preview: ${what}${accept.explain ? ` (${accept.explain()})` : ''}`));
    };
    const timer = setTimeout(() => done(false), timeout);
    const check = (d: vscode.TextDocument) => {
      if (d.uri.scheme === PREVIEW_SCHEME && accept(previewDocuments())) done(true);
    };
    const subs = [vscode.workspace.onDidOpenTextDocument(check), vscode.workspace.onDidChangeTextDocument((e) => check(e.document))];
  });
}

/** What each existing file would read after applying the plan's edits except those of `left`. */
function textsWithout(plan: readonly FixAllChange[], left?: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const change of plan) {
    if (change.before === undefined) continue;
    out.set(change.path, applyEdits(change.before, change.edits.filter((e) => e.label !== left)));
  }
  return out;
}

function previewShows(expected: Map<string, string>): ((docs: Map<string, vscode.TextDocument>) => boolean) & { explain(): string } {
  const accept = (docs: Map<string, vscode.TextDocument>) => [...expected].every(([path, text]) => docs.get(vscode.Uri.parse(path).path)?.getText() === text);
  /** On a timeout: which files the preview lacks or shows otherwise, with the first line that differs. */
  const explain = () => {
    const docs = previewDocuments();
    return [...expected]
      .map(([path, text]) => {
        const shown = docs.get(vscode.Uri.parse(path).path)?.getText();
        if (shown === undefined) return `${path}: not in the preview`;
        if (shown === text) return '';
        const a = shown.split('\n');
        const b = text.split('\n');
        const i = a.findIndex((line, n) => line !== b[n]);
        return `${path}: line ${i + 1} shows ${JSON.stringify(a[i])}, expected ${JSON.stringify(b[i])}`;
      })
      .filter(Boolean)
      .join('; ');
  };
  return Object.assign(accept, { explain });
}

function startMigration(): Promise<MigrateResult> {
  forgetEarlierPreviews();
  return Promise.resolve(vscode.commands.executeCommand<MigrateResult>('wiMigrate.migrateWorkspace'));
}

async function diskText(path: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(path)));
}

describe('workspace migration through the refactor preview', () => {
  before(async () => {
    await extensionApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  afterEach(async () => {
    // A failed test must not leave its preview open for the next one.
    await vscode.commands.executeCommand('refactorPreview.discard');
  });

  it('opens with every change checked and labelled; discarding writes nothing', async () => {
    const before = await coreProject();
    const original = new Map(before.paths.map((p) => [p, before.text(p)]));
    const plan = before.fixAllChanges();
    assert.ok(plan.length >= 5, `files the migration changes: ${plan.length}`);
    const migration = startMigration();
    // Every change is checked: the preview's documents show the whole migration.
    await waitForPreview(previewShows(textsWithout(plan)), 'every change checked');
    // Grouped by what each change does, which is what a reviewer unchecks.
    await vscode.commands.executeCommand('refactorPreview.groupByType');
    await vscode.commands.executeCommand('refactorPreview.discard');
    const result = await migration;
    assert.equal(result.applied, false, 'nothing applied after discard');
    assert.ok(result.groups.some((g) => /^Migrate Deployment [\w-]+\/[\w-]+$/.test(g)), `groups: ${result.groups.join(' | ')}`);
    assert.ok(result.groups.some((g) => /^Create ServiceAccount [\w-]+\/[\w-]+$/.test(g)), `groups: ${result.groups.join(' | ')}`);
    for (const g of result.groups) assert.match(g, /^(Migrate|Create|Annotate|Update|Remove) \S/, 'a group says what it does');
    for (const [path, text] of original) assert.equal(await diskText(path), text, `${path} unchanged on disk`);
  });

  it('leaves out the one workload a user unchecks, and writes every other change', async function () {
    this.timeout(300_000);
    const before = await coreProject();
    const plan = before.fixAllChanges();
    // The preview lists groups in label order: the first Deployment is the quickest to reach. One
    // whose changes are all in one file: the preview refreshes only the last file a toggle touched.
    const filesOf = (label: string) => plan.filter((c) => c.edits.some((e) => e.label === label)).length;
    const labels = [...new Set(plan.flatMap((c) => c.edits.map((e) => e.label)))].sort((a, b) => a.localeCompare(b));
    const target = labels.find((l) => l.startsWith('Migrate Deployment ') && filesOf(l) === 1);
    assert.ok(target, 'a Deployment to leave out');
    const all = textsWithout(plan);
    const expected = textsWithout(plan, target);
    // Find the preview row that unchecks exactly this workload's changes: open the preview,
    // collapse it to its groups, move down to a row, uncheck it; if the preview then shows anything
    // else, discard and try another row. Each try opens a whole preview (tens of seconds on a busy
    // machine), so the likely row goes first: the workbench sorts the groups by label
    // (localeCompare, those that need confirmation first: none here). The other rows follow, in
    // case a workbench orders them otherwise.
    const touched = new Set([...expected].filter(([p, t]) => t !== all.get(p)).map(([p]) => vscode.Uri.parse(p).path));
    const allByPath = new Map([...all].map(([p, t]) => [vscode.Uri.parse(p).path, t]));
    // A row unchecked something this workload does not own: not the row.
    const elsewhere = (docs: Map<string, vscode.TextDocument>) => [...docs].some(([p, d]) => !touched.has(p) && allByPath.has(p) && d.getText() !== allByPath.get(p));
    let migration: Promise<MigrateResult> | undefined;
    let found = false;
    const likely = labels.indexOf(target);
    const rows = [likely, ...Array.from({ length: 60 }, (_, row) => row).filter((row) => row !== likely)];
    for (const row of rows) {
      if (found) break;
      migration = startMigration();
      await waitForPreview(previewShows(all), 'every change checked');
      await vscode.commands.executeCommand('refactorPreview.groupByType');
      await vscode.commands.executeCommand('list.collapseAll');
      await vscode.commands.executeCommand('list.focusFirst');
      for (let i = 0; i < row; i++) await vscode.commands.executeCommand('list.focusDown');
      await vscode.commands.executeCommand('refactorPreview.toggleCheckedState');
      // Either the preview shows exactly the migration without this workload, or something else
      // changed, or nothing did within a few seconds (a group of created files, say). The likely
      // row gets the full time: a busy machine may take longer to refresh the preview.
      found = await waitForPreview((docs) => elsewhere(docs) || previewShows(expected)(docs), 'a row unchecked', row === likely ? TIMEOUT_MS : 3_000)
        .then(() => previewShows(expected)(previewDocuments()), () => false);
      if (!found) {
        await vscode.commands.executeCommand('refactorPreview.discard');
        assert.equal((await migration).applied, false, 'a discarded preview writes nothing');
      }
    }
    assert.ok(found && migration, `a row of the preview unchecks exactly "${target}"`);
    await vscode.commands.executeCommand('refactorPreview.apply');
    const result = await migration;
    assert.equal(result.applied, true);
    for (const [path, text] of expected) assert.equal(await diskText(path), text, `${path} as checked in the preview`);
    const after = await coreProject();
    const left = after.fixAllChanges().flatMap((c) => c.edits.map((e) => e.label));
    assert.ok(left.includes(target), `"${target}" is still to do`);
  });

  it('applies every change it shows, and leaves nothing fixable', async () => {
    const before = await coreProject();
    const plan = before.fixAllChanges();
    assert.ok(plan.length > 0, 'something left to migrate');
    const migration = startMigration();
    await waitForPreview(previewShows(textsWithout(plan)), 'every change checked');
    await vscode.commands.executeCommand('refactorPreview.apply');
    const result = await migration;
    assert.equal(result.applied, true);
    assert.deepEqual([...result.files].sort(), plan.map((c) => c.path).sort());
    // Saved, every file (files.refactoring.autoSave), a change of one file too (migrate.ts).
    for (const change of plan) assert.equal(await diskText(change.path), change.after, change.path);
    const after = await coreProject();
    const fixable = after.paths.flatMap((p) => after.check(p).filter((f) => f.fix).map((f) => `${p}: ${f.ruleId}`));
    assert.deepEqual(fixable, []);
  });
});
