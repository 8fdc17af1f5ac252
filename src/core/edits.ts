/**
 * Edits are plain data: replace `text[start, end)` with `text`. Every fix in the project is a list
 * of these, and `applyEdits` is the one function that applies them. A field added here must be
 * copied by `movedEdit` (findings-cache.ts), which writes moved edits out field by field.
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
  /**
   * The edit replaces whole Helm template actions on purpose (a templated label whose value the
   * fix read from the chart's values). Without it, a fix whose edit touches an action is refused.
   */
  replacesActions?: boolean;
}

export interface Placeholder {
  /** Offset inside the edit's `text`. */
  offset: number;
  length: number;
}

/** An edit addressed to a file, so that one fix may touch another file of the workspace. */
export interface FileEdit extends TextEdit {
  file: string;
  /**
   * What this edit does when it is not what its fix does as a whole (`Fix.label`): an edit that
   * creates another object ("Create ServiceAccount orders/orders-identity") has a group of its own.
   */
  label?: string;
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

/** An edit with the label of the group it belongs to ("Migrate Deployment orders/orders-api"). */
export interface LabelledEdit extends TextEdit {
  label: string;
}

/**
 * A piece of the current text: a span of the original text (`id` -1), text inserted by an edit,
 * or a span of the original that an edit deleted (no current text). Pieces of one edit (`id`)
 * are always next to one another.
 */
type Piece = { id: -1; from: number; to: number } | { id: number; text: string } | { id: number; from: number; to: number; deleted: true };

const currentLength = (p: Piece): number => ('text' in p ? p.text.length : 'deleted' in p ? 0 : p.to - p.from);

/**
 * Follows a text through rounds of edits (each round in the coordinates of the text the round
 * before left) and gives the result as edits of the original text, each with its label. An edit
 * that touches text an earlier edit inserted (or spans a deletion) becomes part of that earlier
 * edit, which keeps its label; inserts at one spot stay separate, in order; everything else stays
 * the edit it was. So `applyEdits(original, edits())` is the current text, and so is any subset
 * of them applied without overlap.
 */
export class EditComposer {
  private pieces: Piece[];
  private readonly labels: string[] = [];

  constructor(readonly original: string) {
    this.pieces = original.length > 0 ? [{ id: -1, from: 0, to: original.length }] : [];
  }

  /** Applies one round, as `applyEdits` would (inserts at one offset in the order given). */
  apply(edits: readonly LabelledEdit[]): void {
    const sorted = sortEdits(edits);
    const length = this.pieces.reduce((n, p) => n + currentLength(p), 0);
    sorted.forEach((e, i) => {
      if (e.start < 0 || e.end > length || e.start > e.end) throw new RangeError(`edit [${e.start}, ${e.end}) outside text of length ${length}`);
      if (i > 0 && e.start < sorted[i - 1].end) throw new OverlappingEditsError(sorted[i - 1], e);
    });
    // Last first: an edit changes no offset before its start. Of inserts at one offset, the
    // later one is placed first, and the earlier then goes before it.
    // Ids in text order, so that a later edit spanning two joins them under the first one's label.
    const base = this.labels.length;
    this.labels.push(...sorted.map((e) => e.label));
    for (let i = sorted.length - 1; i >= 0; i--) this.applyOne(sorted[i], base + i);
  }

  private applyOne(e: LabelledEdit, newId: number): void {
    if (e.start === e.end && e.text === '') return;
    const from = this.split(e.start, e.start === e.end ? 'before' : 'after');
    const to = e.start === e.end ? from : this.split(e.end, 'before');
    const covered = this.pieces.slice(from, to);
    const left = this.pieces[from - 1];
    const right = this.pieces[to];
    // One of the edits it touches (the first), or inside one (an insert between two of its pieces).
    const ids = [...new Set(covered.filter((p) => p.id >= 0).map((p) => p.id))];
    if (covered.length === 0 && left && right && left.id >= 0 && left.id === right.id) ids.push(left.id);
    let id: number;
    if (ids.length === 0) {
      id = newId;
    } else {
      id = Math.min(...ids);
      const merged = new Set(ids);
      this.pieces = this.pieces.map((p) => (p.id >= 0 && p.id !== id && merged.has(p.id) ? ({ ...p, id } as Piece) : p));
    }
    const deleted: Piece[] = covered.flatMap((p): Piece[] => ('text' in p ? [] : [{ id, from: p.from, to: p.to, deleted: true }]));
    const inserted: Piece[] = e.text === '' ? [] : [{ id, text: e.text }];
    this.pieces.splice(from, to - from, ...deleted, ...inserted);
  }

  /**
   * Splits the pieces at a current offset and returns the index of the piece that starts there.
   * Where pieces without text sit at that offset, `before` returns the first of them, `after`
   * the piece after them.
   */
  private split(offset: number, where: 'before' | 'after'): number {
    let at = 0;
    for (let i = 0; i < this.pieces.length; i++) {
      const p = this.pieces[i];
      const len = currentLength(p);
      if (at === offset && (where === 'before' || len > 0)) return i;
      if (offset < at + len) {
        const cut = offset - at;
        const parts: Piece[] =
          'text' in p
            ? [{ id: p.id, text: p.text.slice(0, cut) }, { id: p.id, text: p.text.slice(cut) }]
            : [{ id: -1, from: p.from, to: p.from + cut }, { id: -1, from: p.from + cut, to: p.to }];
        this.pieces.splice(i, 1, ...parts);
        return i + 1;
      }
      at += len;
    }
    return this.pieces.length;
  }

  /** The current text. */
  get text(): string {
    return this.pieces.map((p) => ('text' in p ? p.text : 'deleted' in p ? '' : this.original.slice(p.from, p.to))).join('');
  }

  /** The edits of the original text that give the current text, in order, without overlap. */
  edits(): LabelledEdit[] {
    const out: LabelledEdit[] = [];
    let pos = 0;
    let open: LabelledEdit | undefined;
    let openId = -1;
    for (const p of this.pieces) {
      if (p.id !== openId && open) {
        if (open.text !== this.original.slice(open.start, open.end)) out.push(open);
        open = undefined;
      }
      openId = p.id;
      if (p.id === -1) {
        pos = (p as { to: number }).to;
        continue;
      }
      open ??= { start: pos, end: pos, text: '', label: this.labels[p.id] };
      if ('text' in p) open.text += p.text;
      else {
        pos = p.to;
        open.end = pos;
      }
    }
    if (open && open.text !== this.original.slice(open.start, open.end)) out.push(open);
    return out;
  }
}
