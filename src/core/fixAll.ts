import { applyEdits, type LabelledEdit } from './edits';
import { FileChange, keysChanged, mapFindings, readsOf, RECHECK_ALL, snapshot, type Round } from './fixDeps';
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
  /** Gives a file its new text: parses it (unchanged documents keep their parse) and updates the index. */
  set(path: string, text: string): void;
  /** Which fixes are taken (the editor's fix-all: those that stay in its file); all when absent. */
  takes?(fix: Fix): boolean;
}

/** The findings of one document (or of a file's text rules) and what they were worked out from. */
interface Part {
  start: number;
  end: number;
  findings: Finding[];
  /** What the rules read of the index (see `readsOf`). */
  reads: Set<string>;
  /** Analysed again in the next round whatever changed: it offered a fix, or it cannot be moved. */
  again: boolean;
}

interface Analysis {
  file: ManifestFile;
  parts: Map<number, Part>;
  text: Part | undefined;
  findings: Finding[];
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
  let round: Round | undefined;
  // In path order, whatever order the files were added in: which of several workloads creates a
  // shared ServiceAccount must not depend on how the workspace was read.
  const paths = [...host.paths].sort();
  for (let pass = 0; ; pass++) {
    const fixes: Fix[] = [];
    for (const path of paths) {
      const file = host.file(path);
      if (!file) continue;
      const analysis = analyse(host, file, analyses.get(path), round);
      analyses.set(path, analysis);
      for (const f of analysis.findings) if (f.fix && (host.takes?.(f.fix) ?? true)) fixes.push(f.fix);
    }
    const byFile = editsByFile(pickCompatibleAcrossFiles(oneCreatorEach(fixes)));
    const texts = new Map([...byFile].map(([path, edits]) => [path, applyEdits(host.file(path)?.text ?? '', edits)] as const));
    for (const [path, text] of texts) if (text === host.file(path)?.text) byFile.delete(path);
    if (byFile.size === 0) return;
    if (pass === maxRounds) onLimit(pass);
    onRound?.(byFile);
    round = applyRound(host, byFile, texts);
  }
}

/** Applies a round's edits and tells what they changed, for the next round to re-analyse. */
function applyRound(host: FixAllHost, byFile: Map<string, LabelledEdit[]>, texts: Map<string, string>): Round {
  const before = snapshot(host.index);
  const paths = host.index.paths.length;
  const changes = [...byFile].map(([path, edits]) => {
    const old = host.file(path);
    host.set(path, texts.get(path)!);
    return new FileChange(old, host.file(path)!, edits);
  });
  const files = new Map(changes.map((c) => [c.path, c]));
  return { files, keys: keysChanged(host.index, changes, before, host.index.paths.length !== paths) };
}

/** The file's findings, re-analysing only the documents the last round may have changed. */
function analyse(host: FixAllHost, file: ManifestFile, previous: Analysis | undefined, round: Round | undefined): Analysis {
  const change = round?.files.get(file.path);
  const known = previous && round && !round.keys.has(RECHECK_ALL) && (change ? change.old === previous.file : previous.file === file);
  const reuse = (part: Part | undefined, start: number): Part | undefined => {
    if (!known || !part || part.again || [...part.reads].some((k) => round.keys.has(k))) return undefined;
    const findings = mapFindings(part.findings, round.files, { file: file.path, start: part.start, end: part.end });
    return findings && { ...part, start, end: start + part.end - part.start, findings };
  };
  const parts = new Map<number, Part>();
  for (const docs of documentsOf(file)) {
    const start = docs[0].start;
    const oldStart = change ? change.oldStartOf(start) : start;
    const part =
      reuse(oldStart === undefined ? undefined : previous?.parts.get(oldStart), start) ??
      analysed(file, start, (index) => host.checker.document(file, docs, index), host.index, docs.some((d) => d.errors.length > 0 || d.branches !== undefined));
    parts.set(start, part);
  }
  const text = (change ? undefined : reuse(previous?.text, 0)) ?? analysed(file, 'text', (index) => host.checker.text(file, index), host.index, false);
  const found = [...text.findings, ...[...parts.values()].flatMap((p) => p.findings)];
  return { file, parts, text, findings: host.checker.finish(file, found) };
}

function analysed(file: ManifestFile, at: number | 'text', check: (index: WorkspaceIndex) => Finding[], index: WorkspaceIndex, volatile: boolean): Part {
  for (const observer of observers) observer(file.path, at);
  const reads = new Set<string>();
  const findings = check(readsOf(index, reads));
  // Where a document could not be parsed its finding names a line: it moves with the text.
  return { start: at === 'text' ? 0 : at, end: at === 'text' ? file.text.length : file.docs.find((d) => d.start === at)!.end, findings, reads, again: volatile || findings.some((f) => f.fix) };
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
