import * as vscode from 'vscode';
import { fileKindOf, isOfKind, ourFileKinds, searchGlobs } from '../core/fileKinds';
import { parseManifestFileSteps } from '../core/model';
import { RULES } from '../core/rules';
import { WorkspaceIndex } from '../core/workspace';
import type { Settings } from './settings';
import { runSliced } from './slices';

/** The kinds of the files some rule reads: the files the index reads. */
const OUR_KINDS = ourFileKinds(RULES);
const SEARCH_GLOBS = searchGlobs(OUR_KINDS);

function isOurs(uri: vscode.Uri): boolean {
  const kind = fileKindOf(uri.path);
  return kind !== undefined && OUR_KINDS.includes(kind);
}
const CHUNK = 25;

/**
 * The workspace index of the editor: every YAML file of the workspace, read in the background in
 * chunks and parsed in time slices (a document per step, so the extension host never blocks for
 * long, however big a file), kept current by a file watcher. Open
 * documents are authoritative: the linter puts their text in, and the watcher leaves them alone.
 */
export class Indexer implements vscode.Disposable {
  core: WorkspaceIndex;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the key (URI string) of a file whose facts changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  private generation = 0;
  /** The latest read or removal of each file: an older read still under way is outdated. */
  private readonly latest = new Map<string, object>();
  private excludes: string | undefined;
  /** Resolves when the current build is done. */
  ready: Promise<void> = Promise.resolve();

  constructor(private settings: Settings, private readonly isOpen: (key: string) => boolean) {
    this.core = new WorkspaceIndex(settings.options.defaultNamespace);
    // Few watchers (each walks the workspace); what they see is ours if its kind is.
    for (const glob of SEARCH_GLOBS) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      watcher.onDidCreate((uri) => isOurs(uri) && this.refresh(uri), undefined, this.disposables);
      watcher.onDidChange((uri) => isOurs(uri) && this.refresh(uri), undefined, this.disposables);
      watcher.onDidDelete((uri) => this.forget(uri), undefined, this.disposables);
      this.disposables.push(watcher);
    }
    this.disposables.push(this.status);
    this.status.name = 'Workload identity index';
  }

  /** (Re)builds the index from scratch, e.g. after a settings change. */
  rebuild(settings: Settings): Promise<void> {
    this.settings = settings;
    this.core = new WorkspaceIndex(settings.options.defaultNamespace);
    const generation = ++this.generation;
    this.ready = this.build(generation);
    return this.ready;
  }

  private async build(generation: number): Promise<void> {
    const include = [...SEARCH_GLOBS, ...this.settings.include];
    // An explicit exclude replaces files.exclude in findFiles: merge them so both apply.
    const filesExclude = Object.entries(vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude') ?? {})
      .filter(([, on]) => on === true)
      .map(([glob]) => glob);
    const exclude = this.settings.exclude.length ? `{${[...filesExclude, ...this.settings.exclude].join(',')}}` : undefined;
    this.excludes = exclude;
    const found = await Promise.all(include.map((glob, i) => vscode.workspace.findFiles(glob, exclude).then((uris) => (i < SEARCH_GLOBS.length ? uris.filter(isOurs) : uris))));
    const uris = [...new Map(found.flat().map((u) => [u.toString(), u])).values()];
    this.status.text = `$(sync~spin) Workload identity: indexing ${uris.length} files`;
    this.status.show();
    try {
      for (let i = 0; i < uris.length; i += CHUNK) {
        if (generation !== this.generation) return;
        await Promise.all(uris.slice(i, i + CHUNK).map((uri) => this.read(uri)));
        this.status.text = `$(sync~spin) Workload identity: indexed ${Math.min(i + CHUNK, uris.length)}/${uris.length}`;
      }
    } finally {
      if (generation === this.generation) this.status.hide();
    }
    this.changed.fire('*');
  }

  private async read(uri: vscode.Uri): Promise<boolean> {
    const key = uri.toString();
    if (this.isOpen(key)) return false;
    const core = this.core;
    const token = {};
    this.latest.set(key, token);
    // Once the document is opened its text is the linter's; after a rebuild this index is gone;
    // after a newer read or a deletion of the file this read's text is old.
    const outdated = () => this.isOpen(key) || core !== this.core || this.latest.get(key) !== token;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > this.settings.maxFileSize) {
        core.remove(key);
        return true;
      }
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (outdated()) return false;
      const kind = fileKindOf(uri.path);
      if (kind && !isOfKind(kind, text)) {
        // A JSON file that is no ARM template: not ours.
        core.remove(key);
        return true;
      }
      const parsed = await runSliced(parseManifestFileSteps(key, text, core.parsedFile(key)), outdated);
      return parsed !== undefined && (await runSliced(core.updateSteps(parsed.value), outdated)) !== undefined;
    } catch {
      // Unreadable (deleted meanwhile, permissions): leave it out of the index.
      if (!outdated()) core.remove(key);
      return true;
    }
  }

  private async refresh(uri: vscode.Uri): Promise<void> {
    // A file created under an excluded folder stays out, as it would at a rebuild.
    if (this.excludes && vscode.languages.match({ pattern: this.excludes }, { uri, languageId: '' } as vscode.TextDocument)) return;
    if (await this.read(uri)) this.changed.fire(uri.toString());
  }

  /** A file or folder was deleted: its files leave the index, and reads of them under way are dropped. */
  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const folder = key.endsWith('/') ? key : `${key}/`;
    for (const path of new Set([key, ...this.core.paths.filter((p) => p.startsWith(folder)), ...[...this.latest.keys()].filter((p) => p.startsWith(folder))])) {
      this.latest.set(path, {});
      this.core.remove(path);
    }
    this.changed.fire(key);
  }

  /** Reads a file again from disk (an open document was closed: its unsaved text is gone). */
  reload(uri: vscode.Uri): void {
    void this.refresh(uri);
  }

  dispose(): void {
    this.generation++;
    for (const d of this.disposables) d.dispose();
  }
}
