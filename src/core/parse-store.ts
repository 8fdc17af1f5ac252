import { kindById, parseManifestFileSteps, type ManifestFile } from './model';
import type { PodFact } from './facts';
import { runSteps, type Steps } from './steps';

/*
 * What the workspace index keeps of each file (workspace.ts): its text, kind and skipped spans
 * always; its parse only while the file is open, or one of the files read last within a budget.
 * A parse the store let go of is parsed again from the text when a reader asks for it, unless
 * something else still holds it (a check under way, the kustomize model, a project of the CLI):
 * then that one is given, so that a file has one parse at a time and objects compared by identity
 * stay the same. The facts the index reads of a file point into no parse.
 */

/**
 * How much text (in characters) of files that are not open the store keeps parsed. A parse holds
 * about 20 bytes per character of text: this is some 20 MB of parse trees.
 */
const TREE_BUDGET = 1_000_000;

export interface StoreOptions {
  /** True for a file open in the editor: its parse is kept, whatever its size (the next edit re-parses only around it). */
  isOpen?: (path: string) => boolean;
  /** `TREE_BUDGET` unless given. */
  treeBudget?: number;
}

export interface Stored {
  kind: string;
  text: string;
  /** The spans the pre-scan skipped (`ManifestFile.skipped`); undefined when the file was parsed without the scan. */
  skipped: Array<{ start: number; end: number }> | undefined;
  /** The parse, while the store holds it. */
  held: ManifestFile | undefined;
  /** Once the store let go of the parse: the parse for as long as anything else holds it. */
  ref?: WeakRef<ManifestFile>;
  /** The text of its parsed documents, in characters: what its parse costs the budget (none for a file the pre-scan skipped whole). */
  treeChars: number;
  /** What of `treeChars` counts in the store's total now (none while the file is open). */
  counted: number;
  /** The GUIDs written in the skipped documents, read when first asked (workspace.ts). */
  skippedIds?: string[];
  /** The pods of the skipped documents, with the namespaces they write, read when first asked (workspace.ts). */
  skippedPods?: PodFact[];
}

export class ParseStore {
  private readonly stored = new Map<string, Stored>();
  /** The paths whose parse the store holds, the one read last at the end. */
  private readonly held = new Set<string>();
  /** The `counted` characters of the held parses. */
  private heldChars = 0;
  private readonly isOpen: (path: string) => boolean;
  private readonly treeBudget: number;
  /** How many parses the store let go of were made again from their text. */
  reparsed = 0;

  /** `holdsItself`: true for a file whose parse something else keeps as long as it lives (the kustomize model's reads). */
  constructor(
    options: StoreOptions,
    private readonly holdsItself: (path: string) => boolean,
  ) {
    this.isOpen = options.isOpen ?? (() => false);
    this.treeBudget = options.treeBudget ?? TREE_BUDGET;
  }

  /** Keeps a new version of the file: its text, and its parse as the one read last. */
  set(file: ManifestFile): void {
    this.delete(file.path);
    let treeChars = 0;
    for (const d of file.docs) treeChars += d.source.length;
    this.stored.set(file.path, { kind: file.kind, text: file.text, skipped: file.skipped, held: undefined, treeChars, counted: 0 });
    this.hold(file.path, file);
  }

  delete(path: string): void {
    this.letGo(path);
    this.stored.delete(path);
  }

  /** What is kept of the file (its entry changes with every new version). */
  get(path: string): Stored | undefined {
    return this.stored.get(path);
  }

  entries(): IterableIterator<[string, Stored]> {
    return this.stored.entries();
  }

  paths(): IterableIterator<string> {
    return this.stored.keys();
  }

  /** The parse of the file if one is still held (by the store or a reader), else undefined: nothing is parsed. */
  heldFile(path: string): ManifestFile | undefined {
    const stored = this.stored.get(path);
    return stored && (stored.held ?? stored.ref?.deref());
  }

  /** The parse of the file: the one still held, else one made again from its text; held as the one read last. */
  parse(path: string): ManifestFile | undefined {
    return runSteps(this.parseSteps(path));
  }

  /** `parse` as steps: a parse made again yields after each document. */
  *parseSteps(path: string): Steps<ManifestFile | undefined> {
    const stored = this.stored.get(path);
    if (!stored) return undefined;
    let file = stored.held ?? stored.ref?.deref();
    if (!file) {
      file = yield* parseManifestFileSteps(path, stored.text, undefined, kindById(stored.kind), stored.skipped !== undefined);
      this.reparsed++;
      // A newer version came meanwhile: that one is kept.
      if (this.stored.get(path) !== stored) return file;
    }
    this.hold(path, file);
    return file;
  }

  /** The paths whose parse the store holds itself (open files, the kustomize model's, and the last read within the budget). */
  get heldPaths(): string[] {
    return [...this.held];
  }

  /**
   * Holds the file's parse, as the one read last; past the budget, lets go of the parses of files
   * that are not open, read longest ago. A file the pre-scan skipped whole has no tree: it is held
   * outside the budget.
   */
  private hold(path: string, file: ManifestFile): void {
    const stored = this.stored.get(path)!;
    stored.held = file;
    if (stored.treeChars === 0) return;
    // Asked again while held: only its place in the order changes (whether it is open is asked when the budget is passed).
    const was = this.held.delete(path);
    this.held.add(path);
    if (!was && !this.isOpen(path)) {
      stored.counted = stored.treeChars;
      this.heldChars += stored.counted;
    }
    if (this.heldChars <= this.treeBudget) return;
    let kept = 0;
    for (const p of [...this.held].reverse()) {
      const s = this.stored.get(p)!;
      if (this.isOpen(p) || this.holdsItself(p)) {
        this.heldChars -= s.counted;
        s.counted = 0;
        continue;
      }
      kept += s.treeChars;
      // The file read now stays held, whatever its size: its reader is under way.
      if (kept > this.treeBudget && p !== path) {
        s.ref = new WeakRef(s.held!);
        s.held = undefined;
        this.letGo(p);
      }
    }
  }

  /** The store no longer holds the file's parse itself (a reader may). */
  private letGo(path: string): void {
    const s = this.stored.get(path);
    if (s) {
      this.heldChars -= s.counted;
      s.counted = 0;
    }
    this.held.delete(path);
  }
}
