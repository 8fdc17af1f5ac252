import * as vscode from 'vscode';
import { documentKindOf, isOfKind, ourFileKinds, type FileKind } from '../core/fileKinds';
import type { Finding } from '../core/rule';
import { RULE_FILE_KINDS } from '../core/ruleFileKinds';
import { mayMatter } from '../core/scan';
import type { Steps } from '../core/steps';
import { diagnosticKey, toDiagnostic, DIAGNOSTIC_SOURCE, type TextSource } from './convert';
import { loadCore } from './coreLoader';
import type { Indexer } from './indexer';
import type { Settings } from './settings';
import { cappedNotice, shownFindings } from './shown';
import { runSliced } from './slices';

const DEBOUNCE_MS = 200;

/**
 * URI schemes of documents a user edits: files on disk (`file`, also what a remote window's
 * workspace extension sees), new unsaved files (`untitled`), files of a remote window seen from
 * the UI side (`vscode-remote`) and of a virtual workspace such as Remote Repositories
 * (`vscode-vfs`). An allow-list: previews (`vscode-bulkeditpreview-editor`), diffs against
 * git (`git`), output channels and other virtual documents are read-only views of a file and are
 * never checked.
 */
const EDITABLE_SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs'];

/** The editable schemes, plus those of the workspace folders (a virtual workspace's file system). */
function editableSchemes(): string[] {
  return [...new Set([...EDITABLE_SCHEMES, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme)])];
}

/** The kinds of the files some rule reads: the documents the extension checks. */
const OUR_KINDS = ourFileKinds([{ fileKinds: RULE_FILE_KINDS }]);

/** The documents the extension checks and fixes, as a selector for language features. */
export function manifestSelector(): vscode.DocumentFilter[] {
  const languages = [...new Set(OUR_KINDS.flatMap((k) => k.languages ?? []))];
  const patterns = OUR_KINDS.filter((k) => k.pathDecides).map((k) => k.glob);
  return editableSchemes().flatMap((scheme) => [...languages.map((language) => ({ scheme, language })), ...patterns.map((pattern) => ({ scheme, pattern }))]);
}

/** The file kind of a document a user edits, if it is ours (see `documentKindOf`). */
function manifestKindOf(document: vscode.TextDocument): FileKind | undefined {
  if (!editableSchemes().includes(document.uri.scheme)) return undefined;
  const kind = documentKindOf(document.uri.path, document.languageId);
  return kind && OUR_KINDS.includes(kind) && isOfKind(kind, () => document.getText()) ? kind : undefined;
}

/** Documents the extension checks: YAML and Helm, and the `.tpl` files of a chart's templates/, that a user edits. */
export function isManifestDocument(document: vscode.TextDocument): boolean {
  return manifestKindOf(document) !== undefined;
}

/** What the linter did for one document (the integration tests read these). */
export interface CheckCounts {
  /** Checks begun. */
  started: number;
  /** Checks whose diagnostics were published. */
  published: number;
  /** Checks dropped before publishing: a newer version arrived, or the document closed. */
  dropped: number;
  /** Times a check gave the event loop back before it was done. */
  slices: number;
  /** The document version whose diagnostics are published. */
  publishedVersion?: number;
}

/** The diagnostics published for one version of a document, with the finding behind each. */
export interface Published {
  version: number;
  findings: Finding[];
  /** The finding behind each published diagnostic, by `diagnosticKey` (code actions look it up). */
  byDiagnostic: Map<string, Finding>;
}

interface Run {
  version: number;
  /** Set when a newer check supersedes this one. */
  cancelled: boolean;
  done: Promise<void>;
}

/** The findings as diagnostics, a few dozen per step. */
function* diagnosticsSteps(document: vscode.TextDocument, findings: readonly Finding[], source: TextSource): Steps<vscode.Diagnostic[]> {
  const diagnostics: vscode.Diagnostic[] = [];
  for (const f of findings) {
    diagnostics.push(toDiagnostic(document, f, source));
    if (diagnostics.length % 50 === 0) yield;
  }
  return diagnostics;
}

/**
 * Diagnostics for the open manifests. A check runs in time slices (a document of the file per
 * step), is debounced while the user types, and is dropped as soon as the document changes or
 * closes: only the current version's findings are ever published. What was published is kept per
 * document version; code actions read it and ignore a stale version.
 */
export class Linter implements vscode.Disposable, TextSource {
  private readonly published = new Map<string, Published>();
  private readonly runs = new Map<string, Run>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; document: vscode.TextDocument }>();
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly counts = new Map<string, CheckCounts>();
  private readonly checked = new vscode.EventEmitter<vscode.Uri>();
  private readonly starting = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were set (tests wait on it, not on time). */
  readonly onDidCheck = this.checked.event;
  /** Fires when a check of a document begins. */
  readonly onDidStartCheck = this.starting.event;

  constructor(private readonly indexer: Indexer, private settings: Settings) {}

  /** Counts of the checks of a document since activation. */
  checkCounts(uri: vscode.Uri): CheckCounts {
    return { ...this.countsOf(uri.toString()) };
  }

  private countsOf(key: string): CheckCounts {
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { started: 0, published: 0, dropped: 0, slices: 0 }));
    return c;
  }

  useSettings(settings: Settings): void {
    this.settings = settings;
  }

  /**
   * What is published for the document's current version: after the checks still waiting for
   * their debounce (other open files feed the index it reads) and the check under way, which is
   * awaited, not run again. Undefined when the document changed meanwhile.
   */
  async current(document: vscode.TextDocument): Promise<Published | undefined> {
    if (!isManifestDocument(document)) return undefined;
    const key = document.uri.toString();
    const version = document.version;
    // Checks of other open files, waiting or under way, feed the index this one reads: they go first.
    let othersChecked = false;
    for (let i = 0; i < 5; i++) {
      const flushed = this.flushPending();
      const waits = [...flushed, ...[...this.runs].filter(([k]) => !flushed.has(k)).map(([k, r]): [string, Promise<void>] => [k, r.done])];
      if (waits.length === 0) break;
      othersChecked ||= waits.some(([k]) => k !== key);
      await Promise.all(waits.map(([, done]) => done));
    }
    // They may have changed what this one's findings say: check it again.
    if (othersChecked && document.version === version) await this.start(document);
    // A check of this version that is under way is awaited; a dropped one is started again.
    for (let i = 0; i < 5 && document.version === version && this.published.get(key)?.version !== version; i++) {
      const run = this.runs.get(key);
      await (run && !run.cancelled && run.version === version ? run.done : this.start(document));
    }
    const now = this.published.get(key);
    return now?.version === document.version ? now : undefined;
  }

  text(path: string): string | undefined {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === path);
    return open?.getText() ?? this.indexer.loaded?.textOf(path);
  }

  /** Checks the document after `delay` ms without a newer change; a check under way is dropped. */
  schedule(document: vscode.TextDocument, delay = DEBOUNCE_MS): void {
    if (!isManifestDocument(document)) return;
    const key = document.uri.toString();
    this.cancel(key);
    this.timers.set(key, {
      document,
      timer: setTimeout(() => {
        this.timers.delete(key);
        void this.start(document);
      }, delay),
    });
  }

  /** Starts the checks that are waiting for their debounce now; returns them by document. */
  private flushPending(): Map<string, Promise<void>> {
    const started = new Map<string, Promise<void>>();
    for (const [key, { timer, document }] of [...this.timers]) {
      clearTimeout(timer);
      this.timers.delete(key);
      if (!document.isClosed) started.set(key, this.start(document));
    }
    return started;
  }

  private cancel(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending.timer);
    this.timers.delete(key);
    const run = this.runs.get(key);
    if (run) run.cancelled = true;
  }

  /** Starts a check of the document's current version (dropping one under way). */
  private start(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    this.cancel(key);
    const run: Run = { version: document.version, cancelled: false, done: Promise.resolve() };
    run.done = this.run(document, run).finally(() => {
      if (this.runs.get(key) === run) this.runs.delete(key);
    });
    this.runs.set(key, run);
    return run.done;
  }

  private async run(document: vscode.TextDocument, run: Run): Promise<void> {
    if (document.isClosed || !isManifestDocument(document)) return;
    const key = document.uri.toString();
    const counts = this.countsOf(key);
    counts.started++;
    this.starting.fire(document.uri);
    const onSlice = () => counts.slices++;
    // The file was deleted and this document holds nothing unsaved: it is gone, not to be checked.
    if (!document.isDirty && this.indexer.wasDeleted(key)) {
      this.indexer.loaded?.remove(key);
      this.publish(document, run.version, [], [], []);
      return;
    }
    const text = document.getText();
    if (text.length > this.settings.maxFileSize) {
      this.indexer.loaded?.remove(key);
      const d = new vscode.Diagnostic(
        new vscode.Range(0, 0, 0, 0),
        `File not checked for pod identity: ${Math.round(text.length / 1024)} KB is over the wiMigrate.maxFileSizeKB limit of ${Math.round(this.settings.maxFileSize / 1024)} KB.`,
        vscode.DiagnosticSeverity.Information,
      );
      d.source = DIAGNOSTIC_SOURCE;
      this.publish(document, run.version, [], [], [d]);
      return;
    }
    // The analysis is not loaded, and nothing in this text needs it: nothing of identity in the
    // workspace so far (the indexer loads it on the first workspace file that has some), no finding.
    if (!this.indexer.loaded && !mayMatter(text)) {
      this.publish(document, run.version, [], [], []);
      return;
    }
    const index = this.indexer.core;
    const core = loadCore();
    const outdated = () => run.cancelled || document.isClosed || document.version !== run.version || index !== this.indexer.loaded;
    // The last parse of the document, if the index holds it: the documents an edit left alone are reused.
    const previous = index.heldFile(key);
    const previousText = index.textOf(key);
    const parsed = await runSliced(core.parseManifestFileSteps(key, text, previous, manifestKindOf(document)), outdated, onSlice);
    const indexed = parsed && (await runSliced(index.updateSteps(parsed.value), outdated, onSlice));
    const checked = parsed && indexed && (await runSliced(core.checkFileSteps(parsed.value, index, this.settings.options), outdated, onSlice));
    if (!checked || outdated()) {
      counts.dropped++;
      return;
    }
    const findings = checked.value;
    // VS Code shows 1 000 diagnostics per file: over that, a chosen part and a notice saying so.
    const { shown, capped } = shownFindings(findings);
    const diagnostics = await runSliced(diagnosticsSteps(document, shown, this), outdated, onSlice);
    if (!diagnostics) {
      counts.dropped++;
      return;
    }
    if (capped) {
      const notice = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), cappedNotice(findings.length, shown.length), vscode.DiagnosticSeverity.Information);
      notice.source = DIAGNOSTIC_SOURCE;
      diagnostics.value.unshift(notice);
    }
    this.publish(document, run.version, findings, shown, diagnostics.value);
    // Other open files may depend on what this one defines (an identity, a service account).
    if (previousText !== text) this.recheckOthers(key);
  }

  /** Sets the diagnostics; `diagnostics` ends with those of `shown`, in order (a notice may come first). */
  private publish(document: vscode.TextDocument, version: number, findings: Finding[], shown: Finding[], diagnostics: vscode.Diagnostic[]): void {
    const key = document.uri.toString();
    const byDiagnostic = new Map<string, Finding>();
    const offset = diagnostics.length - shown.length;
    shown.forEach((f, i) => byDiagnostic.set(diagnosticKey(diagnostics[offset + i]), f));
    this.published.set(key, { version, findings, byDiagnostic });
    this.collection.set(document.uri, diagnostics);
    const counts = this.countsOf(key);
    counts.published++;
    counts.publishedVersion = version;
    this.checked.fire(document.uri);
  }

  /** Re-checks the open documents other than `except` (after a file they may depend on changed). */
  recheckOthers(except?: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.toString() !== except && isManifestDocument(doc)) this.schedule(doc, DEBOUNCE_MS * 2);
    }
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.cancel(key);
    this.published.delete(key);
    this.collection.delete(document.uri);
  }

  dispose(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    for (const run of this.runs.values()) run.cancelled = true;
    this.collection.dispose();
    this.checked.dispose();
    this.starting.dispose();
  }
}
