import * as vscode from 'vscode';
import { checkFile } from '../core/engine';
import { parseManifestFile } from '../core/model';
import type { Finding } from '../core/rule';
import { toDiagnostic, DIAGNOSTIC_SOURCE, type TextSource } from './convert';
import type { Indexer } from './indexer';
import type { Settings } from './settings';

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
export function editableSchemes(): string[] {
  return [...new Set([...EDITABLE_SCHEMES, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme)])];
}

/** The documents the extension checks and fixes, as a selector for language features. */
export function manifestSelector(): vscode.DocumentFilter[] {
  return editableSchemes().flatMap((scheme) => [{ scheme, language: 'yaml' }, { scheme, language: 'helm' }, { scheme, pattern: '**/templates/*.tpl' }]);
}

/** Documents the extension checks: YAML and Helm, and `.tpl` files of a chart's templates/, that a user edits. */
export function isManifestDocument(document: vscode.TextDocument): boolean {
  if (!editableSchemes().includes(document.uri.scheme)) return false;
  if (document.languageId === 'yaml' || document.languageId === 'helm') return true;
  return /[\\/]templates[\\/][^\\/]*\.tpl$/i.test(document.uri.path);
}

/** What the linter did for one document (the integration tests read these). */
export interface CheckCounts {
  /** Checks begun. */
  started: number;
  /** Checks whose diagnostics were published. */
  published: number;
}

interface Result {
  version: number;
  findings: Finding[];
}

/**
 * Diagnostics for the open manifests. Each check's findings are kept with the document version
 * they were computed for; code actions read them and ignore a stale version.
 */
export class Linter implements vscode.Disposable, TextSource {
  private readonly results = new Map<string, Result>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly counts = new Map<string, CheckCounts>();
  private readonly checked = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were set (tests wait on it, not on time). */
  readonly onDidCheck = this.checked.event;

  constructor(private readonly indexer: Indexer, private settings: Settings) {}

  /** Counts of the checks of a document since activation. */
  checkCounts(uri: vscode.Uri): CheckCounts {
    return { ...this.countsOf(uri.toString()) };
  }

  private countsOf(key: string): CheckCounts {
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { started: 0, published: 0 }));
    return c;
  }

  useSettings(settings: Settings): void {
    this.settings = settings;
  }

  /**
   * Findings for the document's current version: checked now if the last check is stale, after
   * the checks still waiting for their debounce (other open files feed the index it reads).
   */
  findings(document: vscode.TextDocument): Finding[] | undefined {
    const flushed = this.flushPending();
    const key = document.uri.toString();
    if (flushed || this.results.get(key)?.version !== document.version) this.check(document);
    const r = this.results.get(key);
    return r && r.version === document.version ? r.findings : undefined;
  }

  text(path: string): string | undefined {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === path);
    return open?.getText() ?? this.indexer.core.file(path)?.text;
  }

  schedule(document: vscode.TextDocument, delay = DEBOUNCE_MS): void {
    if (!isManifestDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.check(document);
    }, delay));
  }

  /** Runs the checks that are waiting for their debounce now; true if there were any. */
  private flushPending(): boolean {
    const keys = [...this.timers.keys()];
    for (const key of keys) {
      clearTimeout(this.timers.get(key));
      this.timers.delete(key);
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (document) this.check(document);
    }
    return keys.length > 0;
  }

  /** Checks one open document now and publishes its diagnostics. */
  check(document: vscode.TextDocument): void {
    if (document.isClosed || !isManifestDocument(document)) return;
    const key = document.uri.toString();
    const counts = this.countsOf(key);
    counts.started++;
    const text = document.getText();
    let findings: Finding[];
    if (text.length > this.settings.maxFileSize) {
      this.indexer.core.remove(key);
      findings = [];
      const d = new vscode.Diagnostic(
        new vscode.Range(0, 0, 0, 0),
        `File not checked for pod identity: ${Math.round(text.length / 1024)} KB is over the wiMigrate.maxFileSizeKB limit of ${Math.round(this.settings.maxFileSize / 1024)} KB.`,
        vscode.DiagnosticSeverity.Information,
      );
      d.source = DIAGNOSTIC_SOURCE;
      this.results.set(key, { version: document.version, findings });
      this.collection.set(document.uri, [d]);
      counts.published++;
      this.checked.fire(document.uri);
      return;
    }
    const previous = this.indexer.core.file(key);
    const before = previous?.text;
    const file = parseManifestFile(key, text, previous);
    this.indexer.core.update(file);
    findings = checkFile(file, this.indexer.core, this.settings.options);
    this.results.set(key, { version: document.version, findings });
    this.collection.set(document.uri, findings.map((f) => toDiagnostic(document, f, this)));
    counts.published++;
    this.checked.fire(document.uri);
    // Other open files may depend on what this one defines (an identity, a service account).
    if (before !== text) this.recheckOthers(key);
  }

  /** Re-checks the open documents other than `except` (after a file they may depend on changed). */
  recheckOthers(except?: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.toString() !== except && isManifestDocument(doc)) this.schedule(doc, DEBOUNCE_MS * 2);
    }
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.results.delete(key);
    this.collection.delete(document.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
    this.checked.dispose();
  }
}
