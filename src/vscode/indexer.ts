import * as vscode from 'vscode';
import { fileKindOf, isOfKind, ourFileKinds, searchGlobs } from '../core/fileKinds';
import { RULE_FILE_KINDS } from '../core/ruleFileKinds';
import { mayMatter } from '../core/scan';
import type { WorkspaceIndex } from '../core/workspace';
import { loadCore, loadedCore } from './coreLoader';
import type { Settings } from './settings';
import { runSliced } from './slices';

/** The kinds of the files some rule reads: the files the index reads. */
const OUR_KINDS = ourFileKinds([{ fileKinds: RULE_FILE_KINDS }]);
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
 *
 * Until the analysis is loaded (src/vscode/coreLoader.ts) there is no index: files are read and
 * only pre-scanned. The first one in which the scan finds something of identity loads it, and the
 * workspace is read again, into the index.
 */
export class Indexer implements vscode.Disposable {
  /** The index; undefined until the analysis is loaded. */
  private index: WorkspaceIndex | undefined;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the key (URI string) of a file whose facts changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  private generation = 0;
  /** The latest read or removal of each file: an older read still under way is outdated. */
  private readonly latest = new Map<string, object>();
  /** Files deleted from disk since they were last created or changed there (`wasDeleted`). */
  private readonly deleted = new Set<string>();
  private excludes: string | undefined;
  /** Resolves when the current build is done. */
  ready: Promise<void> = Promise.resolve();

  constructor(private settings: Settings, private readonly isOpen: (key: string) => boolean) {
    // Few watchers (each walks the workspace); what they see is ours if its kind is.
    for (const glob of SEARCH_GLOBS) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      watcher.onDidCreate((uri) => isOurs(uri) && this.refresh(uri, true), undefined, this.disposables);
      watcher.onDidChange((uri) => isOurs(uri) && this.refresh(uri, true), undefined, this.disposables);
      watcher.onDidDelete((uri) => this.forget(uri), undefined, this.disposables);
      this.disposables.push(watcher);
    }
    // A deleted folder matches none of those globs: its files leave the index through this one
    // (deletions only, of anything that is not itself one of our files).
    const folders = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    folders.onDidDelete((uri) => !isOurs(uri) && this.holdsIndexed(uri) && this.forget(uri), undefined, this.disposables);
    this.disposables.push(folders, this.status);
    this.status.name = 'Workload identity index';
  }

  /** The index, if the analysis is loaded. */
  get loaded(): WorkspaceIndex | undefined {
    return this.index;
  }

  /**
   * The index. The first time, this loads the analysis and reads the workspace into the index
   * (`ready` resolves when that is done): what a command that needs the analysis asks for.
   */
  get core(): WorkspaceIndex {
    if (!this.index) void this.rebuild(this.settings, true);
    return this.index!;
  }

  /** The index once the workspace is read into it (the analysis is loaded if it was not). */
  async indexed(): Promise<WorkspaceIndex> {
    void this.core;
    await this.ready;
    return this.core;
  }

  /** (Re)builds the index from scratch, e.g. after a settings change; with `load`, loads the analysis first. */
  rebuild(settings: Settings, load = false): Promise<void> {
    this.settings = settings;
    const core = load ? loadCore() : loadedCore();
    this.index = core && new core.WorkspaceIndex(settings.options.defaultNamespace, { isOpen: this.isOpen });
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
        // A newer build (a settings change, the analysis loaded) replaces this one: done when it is.
        if (generation !== this.generation) return this.ready;
        await Promise.all(uris.slice(i, i + CHUNK).map((uri) => this.read(uri)));
        this.status.text = `$(sync~spin) Workload identity: indexed ${Math.min(i + CHUNK, uris.length)}/${uris.length}`;
      }
    } finally {
      if (generation === this.generation) this.status.hide();
    }
    if (generation !== this.generation) return this.ready;
    this.changed.fire('*');
  }

  private async read(uri: vscode.Uri): Promise<boolean> {
    const key = uri.toString();
    if (this.isOpen(key)) return false;
    const index = this.index;
    const token = {};
    this.latest.set(key, token);
    // Once the document is opened its text is the linter's; after a rebuild this index is gone;
    // after a newer read or a deletion of the file this read's text is old.
    const outdated = () => this.isOpen(key) || index !== this.index || this.latest.get(key) !== token;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > this.settings.maxFileSize) {
        index?.remove(key);
        return index !== undefined;
      }
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (outdated()) return false;
      const kind = fileKindOf(uri.path);
      if (kind && !isOfKind(kind, text)) {
        // A JSON file that is no ARM template: not ours.
        index?.remove(key);
        return index !== undefined;
      }
      if (!index) {
        // The analysis is not loaded: this file, pre-scanned, loads it if something in it can matter.
        if (mayMatter(text)) void this.rebuild(this.settings, true);
        return false;
      }
      const core = loadCore();
      const parsed = await runSliced(core.parseManifestFileSteps(key, text, index.heldFile(key)), outdated);
      return parsed !== undefined && (await runSliced(index.updateSteps(parsed.value), outdated)) !== undefined;
    } catch {
      // Unreadable (deleted meanwhile, permissions): leave it out of the index.
      if (!outdated()) index?.remove(key);
      return index !== undefined;
    }
  }

  private async refresh(uri: vscode.Uri, onDisk = false): Promise<void> {
    if (onDisk) this.deleted.delete(uri.toString());
    // A file created under an excluded folder stays out, as it would at a rebuild.
    if (this.excludes && vscode.languages.match({ pattern: this.excludes }, { uri, languageId: '' } as vscode.TextDocument)) return;
    if (await this.read(uri)) this.changed.fire(uri.toString());
  }

  /** True when files under the folder `uri` are in the index. */
  private holdsIndexed(uri: vscode.Uri): boolean {
    const folder = folderKey(uri);
    return (this.index?.paths ?? []).some((p) => p.startsWith(folder));
  }

  /** A file or folder was deleted: its files leave the index, and reads of them under way are dropped. */
  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const folder = folderKey(uri);
    for (const path of new Set([key, ...(this.index?.paths ?? []).filter((p) => p.startsWith(folder)), ...[...this.latest.keys()].filter((p) => p.startsWith(folder))])) {
      this.latest.set(path, {});
      this.deleted.add(path);
      this.index?.remove(path);
    }
    this.changed.fire(key);
  }

  /**
   * True when the file was deleted from disk (and not created again since). A document of it that
   * holds no unsaved text is no longer the user's: VS Code may keep it for minutes after its editor
   * closed, and it must not bring the file back into the index.
   */
  wasDeleted(key: string): boolean {
    return this.deleted.has(key);
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

/** The prefix of the keys of the files under a folder. */
function folderKey(uri: vscode.Uri): string {
  const key = uri.toString();
  return key.endsWith('/') ? key : `${key}/`;
}
