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
  const taken: TextEdit[] = [];
  const picked: number[] = [];
  groups.forEach((group, i) => {
    // Two inserts at one offset from different fixes have no defined order: a clash too.
    const clash = group.some((e) => taken.some((t) => overlaps(t, e) || (e.start === e.end && t.start === e.start)));
    if (clash) return;
    taken.push(...group);
    picked.push(i);
  });
  return picked;
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
