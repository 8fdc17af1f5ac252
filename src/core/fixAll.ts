import { applyEdits, EditComposer, type LabelledEdit, type TextEdit } from './edits';
import { DerivedReads, FileChange, keysChanged, readsOf, RECHECK_ALL, type Round } from './fixDeps';
import { editsByFile, oneCreatorEach, pickCompatibleAcrossFiles } from './fixPasses';
import type { ManifestDoc, ManifestFile } from './model';
import type { Finding, Fix } from './rule';
import type { WorkspaceIndex } from './workspace';

/*
 * Fix-all in rounds that re-analyse only what changed. The first round analyses every document
 * once and applies every fix that fits with the others. A later round analyses again only the
 * documents that a fix changed or created, those whose fix waited (a clash, or an object another
 * fix creates), and those that read a fact a fix changed (a ServiceAccount it created, the pods a
 * migration moved off a binding); every other document keeps its findings, their offsets moved
 * past the edits. Each round takes the same fixes as a full re-check would, so the result is the
 * fixpoint of whole passes, at the cost of the documents that take part.
 */

/** How fix-all reads findings: the check path (engine.ts), in the pieces fix-all reuses. */
export interface Checker {
  /** The findings of one document (all its alternatives), before suppression. */
  document(file: ManifestFile, docs: readonly ManifestDoc[], index: WorkspaceIndex): Finding[];
  /** The findings of the text rules on the file, before suppression. */
  text(file: ManifestFile, index: WorkspaceIndex): Finding[];
  /** The file's findings as `checkFile` gives them, from all of them before suppression. */
  finish(file: ManifestFile, found: Finding[]): Finding[];
}

/** What fix-all works on: a workspace (a `Project`) or the editor's one file over its index. */
export interface FixAllHost {
  index: WorkspaceIndex;
  checker: Checker;
  /** The files whose fixes are taken, in the order they are taken. */
  paths: readonly string[];
  file(path: string): ManifestFile | undefined;
  /**
   * Gives a file its new text: parses it (unchanged documents keep their parse) and updates the
   * index. `edits`, when given, made the text from the file's current one (a round's edits).
   */
  set(path: string, text: string, edits?: readonly TextEdit[]): void;
  /** Which fixes are taken (the editor's fix-all: those that stay in its file); all when absent. */
  takes?(fix: Fix): boolean;
}

/** What fix-all keeps of one document's analysis (or of a file's text rules). */
interface Part {
  /** What its rules read of the index (see `readsOf`). */
  reads: Set<string>;
  /** It offered a fix (applied or waiting): it is analysed again in the next round. */
  fixed: boolean;
}

interface Analysis {
  file: ManifestFile;
  parts: Map<number, Part>;
  text: Part;
  /** The fixes of the file's findings, in the order of its findings. */
  fixes: Fix[];
}

type Observer = (path: string, start: number | 'text') => void;
const observers = new Set<Observer>();

/**
 * Calls `observer` for every document fix-all analyses (its file and start offset; `'text'` for
 * a file's text rules) until the returned function is called. Tests count analyses with it.
 */
export function observeFixAllAnalyses(observer: Observer): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * Runs fix-all rounds until a round has nothing left to apply. `onRound` sees each round's edits
 * per file before they are applied; `onLimit` is called (and must throw) when `maxRounds` rounds
 * leave fixes to apply.
 */
export function runFixRounds(host: FixAllHost, maxRounds: number, onRound: ((byFile: Map<string, LabelledEdit[]>) => void) | undefined, onLimit: (rounds: number) => never): void {
  const analyses = new Map<string, Analysis>();
  const derived = new DerivedReads();
  let round: Round | undefined;
  // In path order, whatever order the files were added in: which of several workloads creates a
  // shared ServiceAccount must not depend on how the workspace was read.
  const paths = [...host.paths].sort();
  for (let pass = 0; ; pass++) {
    const fixes: Fix[] = [];
    for (const path of paths) {
      const file = host.file(path);
      if (!file) continue;
      const analysis = analyse(host, file, analyses.get(path), round, derived);
      analyses.set(path, analysis);
      for (const fix of analysis.fixes) if (host.takes?.(fix) ?? true) fixes.push(fix);
    }
    const byFile = editsByFile(pickCompatibleAcrossFiles(oneCreatorEach(fixes)));
    const texts = new Map([...byFile].map(([path, edits]) => [path, applyEdits(host.file(path)?.text ?? '', edits)] as const));
    for (const [path, text] of texts) if (text === host.file(path)?.text) byFile.delete(path);
    if (byFile.size === 0) return;
    if (pass === maxRounds) onLimit(pass);
    onRound?.(byFile);
    round = applyRound(host, byFile, texts, derived);
  }
}

/** Applies a round's edits and tells what they changed, for the next round to re-analyse. */
function applyRound(host: FixAllHost, byFile: Map<string, LabelledEdit[]>, texts: Map<string, string>, derived: DerivedReads): Round {
  const values = derived.values(host.index);
  const paths = host.index.paths.length;
  const changes = [...byFile].map(([path, edits]) => {
    const old = host.file(path);
    host.set(path, texts.get(path)!, edits);
    return new FileChange(old, host.file(path)!, edits);
  });
  const files = new Map(changes.map((c) => [c.path, c]));
  const keys = keysChanged(host.index, changes, host.index.paths.length !== paths);
  if (!keys.has(RECHECK_ALL)) for (const id of derived.changedValues(host.index, values)) keys.add(id);
  return { files, keys };
}

/**
 * The fixes of the file's findings, re-analysing only the documents the last round may have
 * changed. A document that offered no fix, did not change, and read nothing that changed offers
 * none now either: its findings (which fix-all does not need) are not worked out again.
 */
function analyse(host: FixAllHost, file: ManifestFile, previous: Analysis | undefined, round: Round | undefined, derived: DerivedReads): Analysis {
  const change = round?.files.get(file.path);
  const known = previous && round && !round.keys.has(RECHECK_ALL) && (change ? change.old === previous.file : previous.file === file);
  const keep = (part: Part | undefined): part is Part => {
    if (!known || !part || part.fixed) return false;
    for (const k of part.reads) if (round.keys.has(k)) return false;
    return true;
  };
  const found: Finding[] = [];
  const analysed = (at: number | 'text', check: (index: WorkspaceIndex) => Finding[]): Part => {
    for (const observer of observers) observer(file.path, at);
    const reads = new Set<string>();
    const findings = check(readsOf(host.index, reads, derived));
    found.push(...findings);
    return { reads, fixed: findings.some((f) => f.fix) };
  };
  const parts = new Map<number, Part>();
  for (const docs of documentsOf(file)) {
    const start = docs[0].start;
    const oldStart = change ? change.oldStartOf(start) : start;
    const part = oldStart === undefined ? undefined : previous?.parts.get(oldStart);
    parts.set(start, keep(part) ? part : analysed(start, (index) => host.checker.document(file, docs, index)));
  }
  const text = !change && keep(previous?.text) ? previous.text : analysed('text', (index) => host.checker.text(file, index));
  return { file, parts, text, fixes: host.checker.finish(file, found).flatMap((f) => (f.fix ? [f.fix] : [])) };
}

/** The file's documents, each with its if/else alternatives (which share one `index`). */
function documentsOf(file: ManifestFile): ManifestDoc[][] {
  const out: ManifestDoc[][] = [];
  for (const [i, doc] of file.docs.entries()) {
    if (i > 0 && file.docs[i - 1].index === doc.index) out[out.length - 1].push(doc);
    else out.push([doc]);
  }
  return out;
}

/**
 * Fix-all gives up after this many rounds. Rounds do not grow with the size of the workspace:
 * each round applies every fix that does not clash with another (appended documents included), so
 * the count is the length of the longest chain of fixes that wait for one another (pods move, then
 * their bindings go, then the identities), a handful. Reaching it means a bug, and says so.
 */
export const MAX_FIX_PASSES = 100;

/**
 * Fix-all stopped at `MAX_FIX_PASSES` with fixes still to apply. What it did is whole fixes, so
 * `changed` (path to new text, as fix-all returns it) is sound, but not everything was fixed.
 */
export class FixAllIncompleteError extends Error {
  constructor(
    readonly passes: number,
    readonly changed: Map<string, string>,
  ) {
    super(`Fix-all stopped after ${passes} passes with fixes still to apply; run it again to apply the rest.`);
    this.name = 'FixAllIncompleteError';
  }
}

/**
 * Fix-all as labelled edits per changed or created file, in path order: `run` runs it (and
 * returns the changed files' texts), calling back with each round's edits before they are applied.
 */
export function composeChanges(
  run: (onRound: (byFile: Map<string, LabelledEdit[]>) => void) => Map<string, string>,
  textOf: (path: string) => string | undefined,
  existed: ReadonlySet<string>,
): FixAllChange[] {
  const composers = new Map<string, EditComposer>();
  const changed = run((byFile) => {
    for (const [path, edits] of byFile) {
      let composer = composers.get(path);
      if (!composer) composers.set(path, (composer = new EditComposer(textOf(path) ?? '')));
      composer.apply(edits);
    }
  });
  return [...changed.keys()].sort().map((path) => {
    const composer = composers.get(path)!;
    const after = changed.get(path)!;
    // The composition is the preview's truth: it must give what fix-all wrote.
    if (composer.text !== after) throw new Error(`Fix-all edits of ${path} do not compose to its fixed text.`);
    return { path, before: existed.has(path) ? composer.original : undefined, after, edits: composer.edits() };
  });
}

/** What fix-all did to one file, as edits of the text before it. */
export interface FixAllChange {
  path: string;
  /** The text before fix-all; undefined for a file that fix-all created. */
  before: string | undefined;
  /** The text after: `applyEdits(before ?? '', edits)`. */
  after: string;
  /**
   * Edits of `before` (of the empty text for a created file), in order, without overlap. Each is
   * one edit a fix made, widened by the later edits that touched the text it wrote; inserts at
   * one spot stay separate. Leaving out every edit of some labels gives a partial migration.
   */
  edits: LabelledEdit[];
}
