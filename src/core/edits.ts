/**
 * Edits are plain data: replace `text[start, end)` with `text`. Every fix in the project is a list
 * of these, and `applyEdits` is the one function that applies them.
 */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Spans inside `text` that a human must fill in (snippet tab stops in the editor). */
  placeholders?: Placeholder[];
  /**
   * The edit appends whole documents, ending in a line break, at the end of a file that ends in
   * one. Such appends from different fixes may share an offset in one pass of fix-all: they go in
   * fix order, one after another, which is what one append per pass would give.
   */
  appendsDocuments?: boolean;
}

export interface Placeholder {
  /** Offset inside the edit's `text`. */
  offset: number;
  length: number;
}

/** An edit addressed to a file, so that one fix may touch another file of the workspace. */
export interface FileEdit extends TextEdit {
  file: string;
}

export class OverlappingEditsError extends Error {
  constructor(a: TextEdit, b: TextEdit) {
    super(`overlapping edits [${a.start}, ${a.end}) and [${b.start}, ${b.end})`);
    this.name = 'OverlappingEditsError';
  }
}

/** Sorts by position; two inserts at one offset keep their given order. */
export function sortEdits<T extends TextEdit>(edits: readonly T[]): T[] {
  return edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order)
    .map((e) => e.edit);
}

/** Touching edits are fine, as are two inserts at one offset; sharing a character is not. */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Applies edits to `text`. Throws `OverlappingEditsError` rather than guess at overlapping ones. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = sortEdits(edits);
  let out = '';
  let cursor = 0;
  let previous: TextEdit | undefined;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
      throw new RangeError(`edit [${edit.start}, ${edit.end}) outside text of length ${text.length}`);
    }
    if (previous && edit.start < previous.end) {
      throw new OverlappingEditsError(previous, edit);
    }
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
    previous = edit;
  }
  return out + text.slice(cursor);
}

/**
 * Picks whole groups of edits (one group = one fix) that do not overlap any group picked before,
 * in the order given, and returns their indices. Fix-all applies a fix completely or not at all.
 */
export function pickCompatible(groups: readonly (readonly TextEdit[])[]): number[] {
  // Taken edits sorted by start; an edit can only clash with those that start at most the
  // longest taken span before it, so each check looks at a few neighbours, not at all of them.
  const taken: TextEdit[] = [];
  let longest = 0;
  const clashes = (e: TextEdit): boolean => {
    for (let i = upperBound(taken, e.end) - 1; i >= 0 && taken[i].start >= e.start - longest; i--) {
      if (overlaps(taken[i], e) || insertClash(taken[i], e)) return true;
    }
    return false;
  };
  const picked: number[] = [];
  groups.forEach((group, i) => {
    if (group.some(clashes)) return;
    for (const e of group) {
      taken.splice(upperBound(taken, e.start), 0, e);
      longest = Math.max(longest, e.end - e.start);
    }
    picked.push(i);
  });
  return picked;
}

/** Index of the first edit of `sorted` (by start) that starts after `offset`. */
function upperBound(sorted: readonly TextEdit[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Two inserts at one offset from different fixes have no defined order, so they clash, unless
 * both append documents: those go in fix order (`applyEdits` keeps the order given).
 */
function insertClash(taken: TextEdit, e: TextEdit): boolean {
  if (e.start !== e.end || taken.start !== e.start) return false;
  return !(e.appendsDocuments && taken.appendsDocuments && taken.start === taken.end);
}

/** One edit that turns `before` into `after`: the span between their common prefix and suffix. */
export function diffEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { start, end: before.length - tail, text: after.slice(start, after.length - tail) };
}
