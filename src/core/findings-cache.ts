import { editOf, type EditWindow } from './incremental';
import type { ManifestDoc, ManifestFile } from './model';
import type { FileEdit } from './edits';
import type { AnyRule, Finding, Options, RelatedLocation } from './rule';
import type { WorkspaceIndex } from './workspace';

/*
 * The findings of a document are reused after an edit elsewhere in its file when nothing they
 * read changed: the index's state for the file is the same (`WorkspaceIndex.stateFor`: no update
 * since but ones that only moved facts of this file), the document is the same parse (the same
 * object, or a copy the edit moved), it has no parse error (its message names a line), and every
 * offset of the finding in this file (range, related places, fix edits) lies outside the changed
 * window, so it moves with the text. Anything else is checked again. Only plain manifests: a Helm
 * template's documents are alternatives merged together, and are checked whole.
 */

interface Checked {
  /** Weakly: the findings do not keep the parse of a file the index let go of (parse-store.ts). */
  file: WeakRef<ManifestFile>;
  state: string;
  options: string;
  rules: readonly AnyRule[];
  /** The findings of each document of `file`, by its position in `file.docs`. */
  found: Finding[][];
  /** Per document, the lowest start and highest end of its findings' offsets in this file (`Infinity`, `-Infinity` when none). */
  low: number[];
  high: number[];
}

const checked = new WeakMap<WorkspaceIndex, Map<string, Checked>>();
const plainFiles = new WeakMap<ManifestFile, boolean>();

function plain(file: ManifestFile): boolean {
  let p = plainFiles.get(file);
  if (p === undefined) plainFiles.set(file, (p = file.masked.actions.length === 0 && !file.docs.some((d) => d.branches)));
  return p;
}

/**
 * The findings of a check of `file`: `of(doc, i)` (the document and its position in `file.docs`)
 * gives those kept from the last check, moved to the new text (`reused`), or an empty list for the
 * rules to fill; `keep()` keeps them for the next check.
 */
export function findingsCache(index: WorkspaceIndex, file: ManifestFile, options: Options, rules: readonly AnyRule[]) {
  const optionsKey = JSON.stringify(options);
  const kept = keptFindings(index, file, optionsKey, rules);
  const found: Finding[][] = new Array<Finding[]>(file.docs.length);
  const low: number[] = new Array<number>(file.docs.length);
  const high: number[] = new Array<number>(file.docs.length);
  return {
    of(doc: ManifestDoc, i: number): { found: Finding[]; reused: boolean } {
      const reused = kept(doc, i);
      if (reused) {
        found[i] = reused.found;
        low[i] = reused.low;
        high[i] = reused.high;
        return { found: reused.found, reused: true };
      }
      return { found: (found[i] = []), reused: false };
    },
    keep: () => keepFindings(index, file, optionsKey, rules, found, low, high),
  };
}

interface Kept {
  found: Finding[];
  low: number;
  high: number;
}

function keptFindings(index: WorkspaceIndex, file: ManifestFile, options: string, rules: readonly AnyRule[]): (doc: ManifestDoc, i: number) => Kept | undefined {
  const last = checked.get(index)?.get(file.path);
  const lastFile = last?.file.deref();
  if (!last || !lastFile || !plain(file) || last.state !== index.stateFor(file.path) || last.rules !== rules || last.options !== options) return () => undefined;
  if (lastFile === file) return (doc, i) => (doc.errors.length === 0 && last.found[i] ? { found: last.found[i], low: last.low[i], high: last.high[i] } : undefined);
  const edit = editOf(file);
  if (edit?.previous !== lastFile) return () => undefined;
  // The documents before the window are the same objects, those after it copies in the same order (incremental.ts).
  const old = lastFile.docs;
  let oldAfter = 0;
  while (oldAfter < old.length && old[oldAfter].start < edit.oldEnd) oldAfter++;
  let newAfter = 0;
  while (newAfter < file.docs.length && file.docs[newAfter].start < edit.newEnd) newAfter++;
  if (old.length - oldAfter !== file.docs.length - newAfter) return () => undefined;
  const delta = edit.newEnd - edit.oldEnd;
  return (doc, i) => {
    if (doc.errors.length > 0) return undefined;
    let j: number;
    if (i < newAfter) {
      if (old[i] !== doc) return undefined;
      j = i;
    } else {
      j = i - newAfter + oldAfter;
      // The same parse, moved by the edit.
      if (old[j].yaml !== doc.yaml || old[j].start + delta !== doc.start) return undefined;
    }
    const found = last.found[j];
    if (!found) return undefined;
    const lo = last.low[j];
    const hi = last.high[j];
    // Wholly before the window, or no offset in this file: the findings as they were.
    if (hi <= edit.start || lo === Infinity) return { found, low: lo, high: hi };
    // Wholly after it: every offset in this file moves by the edit's length.
    if (lo > edit.oldEnd) return delta === 0 ? { found, low: lo, high: hi } : { found: found.map((f) => shifted(f, file.path, delta)), low: lo + delta, high: hi + delta };
    const moved: Finding[] = [];
    for (const f of found) {
      const m = moveFinding(f, file.path, edit);
      if (!m) return undefined;
      moved.push(m);
    }
    const [l, h] = bounds(moved, file.path);
    return { found: moved, low: l, high: h };
  };
}

/** The lowest start and highest end of the findings' offsets in `path`: range, related places, fix edits. */
function bounds(found: readonly Finding[], path: string): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const add = (p: { file: string; start: number; end: number }) => {
    if (p.file !== path) return;
    if (p.start < lo) lo = p.start;
    if (p.end > hi) hi = p.end;
  };
  for (const f of found) {
    add(f);
    if (f.related) for (const r of f.related) add(r);
    if (f.fix) for (const e of f.fix.edits) add(e);
  }
  return [lo, hi];
}

/** Keeps nothing of the file for the next check (a check of it that read no document). */
export function forgetFindings(index: WorkspaceIndex, path: string): void {
  checked.get(index)?.delete(path);
}

/** Keeps the findings of each document of a plain manifest for the next check. */
function keepFindings(index: WorkspaceIndex, file: ManifestFile, options: string, rules: readonly AnyRule[], found: Finding[][], low: number[], high: number[]): void {
  let files = checked.get(index);
  if (!files) checked.set(index, (files = new Map<string, Checked>()));
  if (!plain(file)) {
    files.delete(file.path);
    return;
  }
  for (let i = 0; i < found.length; i++) if (found[i] && low[i] === undefined) [low[i], high[i]] = bounds(found[i], file.path);
  files.set(file.path, { file: new WeakRef(file), state: index.stateFor(file.path), options, rules, found, low, high });
}

/** A finding of a document after the changed window, every offset of it in `path` moved by `delta`. */
function shifted(f: Finding, path: string, delta: number): Finding {
  const moved: Finding = { ...f, start: f.start + delta, end: f.end + delta };
  if (f.related) moved.related = f.related.map((r) => (r.file === path ? movedRelated(r, delta) : r));
  if (f.fix) moved.fix = { ...f.fix, edits: f.fix.edits.map((e) => (e.file === path ? movedEdit(e, delta) : e)) };
  return moved;
}

/*
 * Copies moved by `delta`, written out field by field: an edit of a keystroke moves thousands of
 * them, and a spread of objects of several shapes is several times slower.
 */
function movedRelated(r: RelatedLocation, delta: number): RelatedLocation {
  return { file: r.file, start: r.start + delta, end: r.end + delta, message: r.message };
}

function movedEdit(e: FileEdit, delta: number): FileEdit {
  const moved: FileEdit = { start: e.start + delta, end: e.end + delta, text: e.text, file: e.file };
  if (e.appendsDocuments !== undefined) moved.appendsDocuments = e.appendsDocuments;
  if (e.placeholders !== undefined) moved.placeholders = e.placeholders;
  if (e.replacesActions !== undefined) moved.replacesActions = e.replacesActions;
  if (e.label !== undefined) moved.label = e.label;
  return moved;
}

/**
 * Where a range of the previous text lies: before the changed window (0), after it (1), or
 * reaching into it (-1). An insertion point right after the window counts as in it: what it
 * inserts may depend on the character before it, which the edit changed.
 */
function side(w: EditWindow, start: number, end: number): number {
  return end <= w.start ? 0 : start > w.oldEnd || (start === w.oldEnd && end > start) ? 1 : -1;
}

/** The finding with its offsets in `path` moved past the edit (itself when none moves); undefined when one lies in the changed window. */
function moveFinding(f: Finding, path: string, w: EditWindow): Finding | undefined {
  let moves = side(w, f.start, f.end);
  if (moves < 0) return undefined;
  const { related, fix } = f;
  if (related) {
    for (const r of related) {
      if (r.file !== path) continue;
      const s = side(w, r.start, r.end);
      if (s < 0) return undefined;
      moves += s;
    }
  }
  if (fix) {
    for (const e of fix.edits) {
      if (e.file !== path) continue;
      const s = side(w, e.start, e.end);
      if (s < 0) return undefined;
      moves += s;
    }
  }
  const delta = w.newEnd - w.oldEnd;
  // Wholly before the window, or an edit that kept the length: the finding as it was.
  if (moves === 0 || delta === 0) return f;
  const after = (p: { file: string; start: number; end: number }) => p.file === path && p.start >= w.oldEnd && p.end > w.start;
  const moved: Finding = { ...f };
  if (after(f)) {
    moved.start = f.start + delta;
    moved.end = f.end + delta;
  }
  if (related) moved.related = related.map((r) => (after(r) ? movedRelated(r, delta) : r));
  if (fix) moved.fix = { ...fix, edits: fix.edits.map((e) => (after(e) ? movedEdit(e, delta) : e)) };
  return moved;
}
