import { editOf, originOf, type EditWindow } from './incremental';
import type { ManifestDoc, ManifestFile } from './model';
import type { AnyRule, Finding, Options } from './rule';
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
  file: ManifestFile;
  state: string;
  options: Options;
  rules: readonly AnyRule[];
  byDoc: Map<ManifestDoc, Finding[]>;
}

const checked = new WeakMap<WorkspaceIndex, Map<string, Checked>>();

function plain(file: ManifestFile): boolean {
  return file.masked.actions.length === 0 && !file.docs.some((d) => d.branches);
}

/**
 * The findings of a check of `file`: `of(doc)` gives those kept from the last check, moved to the
 * new text (`reused`), or an empty list for the rules to fill; `keep()` keeps them for the next check.
 */
export function findingsCache(index: WorkspaceIndex, file: ManifestFile, options: Options, rules: readonly AnyRule[]) {
  const kept = keptFindings(index, file, options, rules);
  const byDoc = new Map<ManifestDoc, Finding[]>();
  return {
    of(doc: ManifestDoc): { found: Finding[]; reused: boolean } {
      const reused = kept(doc);
      const found = reused ?? [];
      byDoc.set(doc, found);
      return { found, reused: reused !== undefined };
    },
    keep: () => keepFindings(index, file, options, rules, byDoc),
  };
}

function keptFindings(index: WorkspaceIndex, file: ManifestFile, options: Options, rules: readonly AnyRule[]): (doc: ManifestDoc) => Finding[] | undefined {
  const last = checked.get(index)?.get(file.path);
  if (!last || !plain(file) || last.state !== index.stateFor(file.path) || last.rules !== rules || JSON.stringify(last.options) !== JSON.stringify(options)) return () => undefined;
  const edit = last.file === file ? undefined : editOf(file);
  if (last.file !== file && edit?.previous !== last.file) return () => undefined;
  return (doc) => {
    const found = doc.errors.length === 0 ? last.byDoc.get(originOf(doc)) : undefined;
    if (!found || !edit) return found;
    let moved: Finding[] | undefined;
    for (let i = 0; i < found.length; i++) {
      const m = moveFinding(found[i], file.path, edit);
      if (!m) return undefined;
      // The list is copied only once a finding moves: most documents keep theirs as they were.
      if (m !== found[i]) moved ??= found.slice(0, i);
      moved?.push(m);
    }
    return moved ?? found;
  };
}

/** Keeps the findings of each document of a plain manifest for the next check. */
function keepFindings(index: WorkspaceIndex, file: ManifestFile, options: Options, rules: readonly AnyRule[], byDoc: Map<ManifestDoc, Finding[]>): void {
  let files = checked.get(index);
  if (!files) checked.set(index, (files = new Map<string, Checked>()));
  if (plain(file)) files.set(file.path, { file, state: index.stateFor(file.path), options, rules, byDoc });
  else files.delete(file.path);
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
  const place = <T extends { file: string; start: number; end: number }>(p: T): T => (after(p) ? { ...p, start: p.start + delta, end: p.end + delta } : p);
  const moved: Finding = { ...f };
  if (after(f)) {
    moved.start = f.start + delta;
    moved.end = f.end + delta;
  }
  if (related) moved.related = related.map(place);
  if (fix) moved.fix = { ...fix, edits: fix.edits.map(place) };
  return moved;
}
