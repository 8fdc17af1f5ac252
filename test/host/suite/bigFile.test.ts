// A 4 000-document manifest (1.26 MB) open in the editor: its check runs in time slices and
// leaves the extension host free in between, typing drops the checks of outdated versions, and
// the lightbulb answers without computing fix-all (that happens when the action is resolved).
// Nothing here asserts a time: the structure is asserted, and the host's longest stall is printed.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixFileText } from '../../../src/core/engine';
import { reportSteps, type MigrationReport } from '../../../src/core/report';
import { runSteps } from '../../../src/core/steps';
import { LineIndex } from '../../../src/core/text';
import { bigManifest } from '../../support/big-manifest';
import { codeOf, coreProject, extensionApi, quickFixes, waitForDiagnostics, waitForViewModel, workspaceUri, type HostApi } from './helpers';

const FIX_ALL_TITLE = 'Fix all workload identity problems in this file';
/** VS Code's limit of diagnostics per file (extHostDiagnostics `_maxDiagnosticsPerFile`). */
const MAX_SHOWN = 1000;

/** The diagnostics of a document as lines (rule, range, message, related places), sorted. */
function diagnosticLines(diagnostics: readonly vscode.Diagnostic[]): string[] {
  const at = (r: vscode.Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  return diagnostics
    .map((d) => `${codeOf(d)} ${at(d.range)} ${d.message} ${(d.relatedInformation ?? []).map((r) => `${r.location.uri.toString()}@${at(r.location.range)}`).join(' ')}`)
    .sort();
}

/** The same lines for the core's findings of `path` (a from-scratch check of the workspace as it is now). */
function findingLines(project: Awaited<ReturnType<typeof coreProject>>, path: string): string[] {
  const lines = new Map<string, LineIndex>();
  const range = (file: string, start: number, end: number) => {
    const index = lines.get(file) ?? lines.set(file, new LineIndex(project.text(file) ?? '')).get(file)!;
    const s = index.position(start);
    const e = index.position(end);
    return `${s.line}:${s.character}-${e.line}:${e.character}`;
  };
  return project
    .check(path)
    .map((f) => `${f.ruleId} ${range(path, f.start, f.end)} ${f.message} ${(f.related ?? []).map((r) => `${r.file}@${range(r.file, r.start, r.end)}`).join(' ')}`)
    .sort();
}

/** Resolves when `accept` holds for the document's check counts (checked on every publish). */
function waitForCounts(api: HostApi, uri: vscode.Uri, accept: (c: ReturnType<HostApi['checkCounts']>) => boolean, what: string): Promise<void> {
  if (accept(api.checkCounts(uri))) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; counts: ${JSON.stringify(api.checkCounts(uri))}`));
    }, 180_000);
    const sub = api.onDidCheck((u) => {
      if (u.toString() !== uri.toString() || !accept(api.checkCounts(uri))) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

function nextStart(api: HostApi, uri: vscode.Uri): Promise<void> {
  return new Promise((resolve) => {
    const sub = api.onDidStartCheck((u) => {
      if (u.toString() !== uri.toString()) return;
      sub.dispose();
      resolve();
    });
  });
}

describe('a big file (4 000 documents)', function () {
  this.timeout(300_000);
  let api: HostApi;
  let uri: vscode.Uri;
  let document: vscode.TextDocument;

  before(async () => {
    api = await extensionApi();
    uri = workspaceUri('bulk', 'big-manifest.yaml');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(bigManifest()));
  });

  after(async () => {
    // The document may stay open in the extension host for minutes after its editor closes, and
    // an open document is in the index: empty it first, so the other suites do not see its objects.
    if (document && !document.isClosed) {
      const editor = await vscode.window.showTextDocument(document);
      await editor.edit((b) => b.delete(new vscode.Range(0, 0, document.lineCount, 0)));
      await document.save();
      await waitForCounts(api, uri, (c) => c.publishedVersion === document.version, 'the emptied file\'s check');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(uri);
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(uri, '..'), { recursive: true });
  });

  it('typing while it is checked: outdated checks are dropped, never published, the final version is published, and the host serves other work meanwhile', async () => {
    const before = api.checkCounts(uri);
    api.hostStall.reset();
    // A probe on the event loop: each time it runs, it notes whether a check of the big file is under way.
    let probesDuringCheck = 0;
    let probing = true;
    const probe = () => {
      const c = api.checkCounts(uri);
      if (c.started > c.published + c.dropped) probesDuringCheck++;
      if (probing) setTimeout(probe, 1);
    };
    setTimeout(probe, 1);
    // Each publication, with the document's version at that moment.
    const publications: Array<{ published: number | undefined; current: number }> = [];
    const watch = api.onDidCheck((u) => {
      if (u.toString() === uri.toString()) publications.push({ published: api.checkCounts(uri).publishedVersion, current: document.version });
    });

    const firstCheck = nextStart(api, uri);
    document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    await firstCheck;
    // Each keystroke lands as soon as a check of the file has started (the first: the check of the
    // opened file). A check is short, so the keystroke may arrive after it was published; typing
    // goes on until one arrived while a check ran, which that check must then be dropped for.
    const at = document.positionAt(document.getText().indexOf('name: bulk-app-500\n') + 'name: bulk-app-500'.length);
    const keys = '-v2abcdefghijklmnopq';
    let typed = '';
    let started: Promise<void> | undefined;
    while (typed.length < keys.length && api.checkCounts(uri).dropped === before.dropped) {
      await started;
      started = nextStart(api, uri);
      const key = keys[typed.length];
      assert.ok(await editor.edit((b) => b.insert(at.translate(0, typed.length), key)));
      typed += key;
    }
    assert.ok(document.getText().includes(`name: bulk-app-500${typed}\n`));
    const finalVersion = document.version;
    await waitForCounts(api, uri, (c) => c.publishedVersion === finalVersion, 'the final version\'s diagnostics');
    probing = false;
    watch.dispose();
    const after = api.checkCounts(uri);
    console.log(`host-stall ${api.hostStall.maxMs().toFixed(0)} ms (longest block of the extension host while the big file was opened, typed in and checked)`);
    console.log(api.hostStall.slices());
    const longest = api.hostStall.longest();
    if (longest) console.log(longest);
    console.log(`big file checks: ${JSON.stringify({ started: after.started - before.started, published: after.published - before.published, dropped: after.dropped - before.dropped, slices: after.slices - before.slices })}`);

    // A check that finished before the next keystroke arrived is published (its version was current
    // then); a check whose version became outdated while it ran is dropped, never published.
    assert.deepEqual(publications.filter((p) => p.published !== p.current), [], 'no outdated version was published');
    assert.equal(publications.at(-1)?.published, finalVersion);
    console.log(`published versions: ${publications.map((p) => p.published).join(', ')}`);
    assert.ok(after.dropped - before.dropped >= 1, 'the check of the outdated version was dropped');
    assert.equal(after.started - before.started, after.published - before.published + (after.dropped - before.dropped), 'every check was published or dropped');
    assert.ok(after.slices - before.slices > 1, 'the checks gave the event loop back before they were done');
    assert.ok(probesDuringCheck > 0, 'the extension host ran other work while a check of the big file was under way');

    // The diagnostics are those of a from-scratch core check of the final text (as many as VS Code shows).
    const project = await coreProject();
    const expected = project.check(uri.toString());
    const lines = new LineIndex(document.getText());
    const want = new Set(
      expected.map((f) => {
        const s = lines.position(f.start);
        const e = lines.position(f.end);
        return `${f.ruleId} ${s.line}:${s.character}-${e.line}:${e.character} ${f.message}`;
      }),
    );
    const published = vscode.languages.getDiagnostics(uri).filter((d) => d.code !== undefined);
    const notFromCore = published
      .map((d) => `${codeOf(d)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`)
      .filter((d) => !want.has(d));
    assert.deepEqual(notFromCore, [], 'every published diagnostic is a finding of the core on the final text');
    assert.equal(published.length, expected.length <= MAX_SHOWN ? expected.length : MAX_SHOWN - 1);
  });

  it('over VS Code\'s 1 000 diagnostics per file: one notice with the count, and every rule among those shown', async () => {
    document ??= await vscode.workspace.openTextDocument(uri);
    await waitForDiagnostics(uri, (d) => d.length > 0);
    const expected = (await coreProject()).check(uri.toString());
    assert.ok(expected.length > MAX_SHOWN, `the core finds ${expected.length}`);
    const all = vscode.languages.getDiagnostics(uri);
    assert.ok(all.length <= MAX_SHOWN, `${all.length} diagnostics published: VS Code would cut some silently`);
    const notices = all.filter((d) => d.code === undefined);
    assert.equal(notices.length, 1, 'one notice');
    const [notice] = notices;
    assert.equal(notice.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(notice.range.start.line, 0);
    assert.equal(notice.source, 'wi-migrate');
    const count = expected.length.toLocaleString('en-US').replace(/,/g, ' ');
    assert.ok(notice.message.startsWith(`${count} findings in this file; VS Code shows 1 000 diagnostics per file at most`), notice.message);
    assert.match(notice.message, /run wi-migrate check for all of them\.$/);
    const rules = (list: Array<string>) => [...new Set(list)].sort();
    assert.deepEqual(rules(all.filter((d) => d.code !== undefined).map(codeOf)), rules(expected.map((f) => f.ruleId)), 'every rule of the core\'s findings is shown');
  });

  it('the lightbulb on a flagged line answers without computing fix-all; resolving it gives the core\'s fix-all text', async () => {
    const diagnostic = vscode.languages.getDiagnostics(uri).filter((d) => codeOf(d) === 'keda-pod-identity-provider').at(-1);
    assert.ok(diagnostic, 'the flagged line has its diagnostic');
    api.hostStall.reset();
    const offered = await quickFixes(document, diagnostic.range);
    console.log(`host-stall ${api.hostStall.maxMs().toFixed(0)} ms (longest block of the extension host while the lightbulb was asked for)`);
    console.log(api.hostStall.slices());
    const fixAll = offered.find((a) => a.title === FIX_ALL_TITLE);
    assert.ok(fixAll, offered.map((a) => a.title).join(' | '));
    assert.equal(fixAll.edit, undefined, 'fix-all is not computed for the lightbulb');
    assert.ok(offered.some((a) => a.isPreferred && a.edit), 'the finding\'s own quick fix comes with its edit');

    const version = document.version;
    const resolving = quickFixes(document, diagnostic.range, vscode.CodeActionKind.SourceFixAll.append('wiMigrate'), 1);
    const project = await coreProject();
    const expected = fixFileText(project.index, uri.toString(), document.getText());
    const [resolved] = await resolving;
    assert.equal(resolved?.title, FIX_ALL_TITLE);
    assert.ok(resolved.edit, 'resolved, fix-all has its edit');
    assert.equal(document.version, version);
    assert.ok(await vscode.workspace.applyEdit(resolved.edit));
    assert.equal(document.getText(), expected, 'the text of core fixFileText');
  });
});

describe('a big file that is not open (past what the index keeps parsed of closed files)', function () {
  this.timeout(300_000);
  let api: HostApi;
  // In a folder the workspace has from the start: a file created in a new folder reaches the file
  // watcher only once the folder is watched, which under load took longer than this test waits.
  const big = workspaceUri('closed-big-manifest.yaml');
  const app = workspaceUri('closed-big-app.yaml');
  const inBig = (r: MigrationReport) => JSON.stringify(r.identities).includes(big.toString());

  before(async () => {
    api = await extensionApi();
    await vscode.workspace.fs.writeFile(big, new TextEncoder().encode(bigManifest()));
    // Read into the index (by its file watcher) and into the view, never opened.
    await waitForViewModel(api.migrationView, inBig, 'the closed big file in the view', 180_000);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of [app, big]) await Promise.resolve(vscode.workspace.fs.delete(uri)).catch(() => undefined);
    await waitForViewModel(api.migrationView, (r) => !inBig(r), 'the big file gone from the view', 180_000);
  });

  it('an open file whose findings lead into it: its findings, the view, and no parse of it kept', async () => {
    // A workload bound through the big file's bindings (selector bulk-id-3, namespace bulk-3).
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: closed-test-app
  namespace: bulk-3
spec:
  selector:
    matchLabels:
      app: closed-test-app
  template:
    metadata:
      labels:
        app: closed-test-app
        aadpodidbinding: bulk-id-3
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/closed/app:1
`;
    await vscode.workspace.fs.writeFile(app, new TextEncoder().encode(text));
    // What the index holds when the open file's check is published, before anything else reads the big file.
    let heldAtPublish: string[] | undefined;
    const sub = api.onDidCheck((u) => {
      if (u.toString() === app.toString()) heldAtPublish ??= api.indexParses()?.held;
    });
    const document = await vscode.workspace.openTextDocument(app);
    await vscode.window.showTextDocument(document);
    const diagnostics = await waitForDiagnostics(app, (d) => d.some((x) => codeOf(x) === 'pod-identity-label'));
    sub.dispose();
    const project = await coreProject();
    assert.deepEqual(diagnosticLines(diagnostics), findingLines(project, app.toString()), 'the findings of a from-scratch core check');
    assert.ok(diagnostics.some((d) => d.relatedInformation?.some((r) => r.location.uri.toString() === big.toString())), 'a finding leads into the big file');
    assert.ok(heldAtPublish, 'the index was read at the check');
    assert.ok(heldAtPublish.includes(app.toString()), `the open file's parse is held: ${heldAtPublish.join(', ')}`);
    assert.ok(!heldAtPublish.includes(big.toString()), 'the closed big file\'s parse is not held');
    // The view reads the big file's findings again (its parse made again if it was collected): the core's report.
    // eslint-disable-next-line require-yield -- every finding at once
    const expected = runSteps(reportSteps(project.index, function* (path) { return project.check(path); }));
    const shown = await waitForViewModel(api.migrationView, (r) => JSON.stringify(r.identities).includes(app.toString()), 'the open file in the view', 180_000);
    assert.deepEqual(shown, expected);
    const parses = api.indexParses()!;
    console.log(`index parses: ${parses.held.length} files held, ${parses.reparsed} parses made again`);
  });
});
