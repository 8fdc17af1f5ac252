import type { Document } from 'yaml';
import type { FileKind } from './fileKinds';
import { markerLines, readRegion, type ManifestDoc, type ManifestFile } from './model';
import { regionsHit, scanHits } from './scan';
import type { Steps } from './steps';
import { eolOf } from './text';

/*
 * An edit costs the edited documents. When a file is parsed again after an edit (`previous`), the
 * documents before the changed text are the same objects, those after it are copies shifted by the
 * length the edit added (same parse, same source), and only the documents in between are split and
 * parsed again. The index reuses the facts, the engine the findings, of documents outside the
 * window; offsets in the window are not mapped, so whatever points into it is worked out again.
 */

/** Where the text changed: `[start, oldEnd)` of the previous text became `[start, newEnd)`. */
export interface EditWindow {
  previous: ManifestFile;
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** A region of the previous file kept whole: its documents (a region's alternatives together), or its skipped span. */
interface OldRegion {
  start: number;
  end: number;
  docs: ManifestDoc[];
  skipped?: { start: number; end: number };
}

export interface Reuse {
  window: EditWindow;
  before: OldRegion[];
  after: OldRegion[];
}

const BLOCK = 2048;

const windows = new WeakMap<ManifestFile, EditWindow>();
const origins = new WeakMap<ManifestDoc, ManifestDoc>();

/** The edit that made `file` from the file it was parsed after, when its documents were reused. */
export function editOf(file: ManifestFile): EditWindow | undefined {
  return windows.get(file);
}

/** Records the edit; the previous file's own edit is forgotten (nothing reads it again, and a chain of versions would stay in memory). */
function recordEdit(file: ManifestFile, window: EditWindow): void {
  windows.delete(window.previous);
  const now = new Set(file.docs);
  for (const d of window.previous.docs) if (now.has(d)) origins.delete(d);
  windows.set(file, window);
}

/** The document of the previous file this one is (the same object, or a shifted copy of it). */
export function originOf(doc: ManifestDoc): ManifestDoc {
  return origins.get(doc) ?? doc;
}

/** The copy of a document of the previous file after the edit: same parse, moved by `delta`. */
export function shiftDoc(doc: ManifestDoc, delta: number, index: number): ManifestDoc {
  if (delta === 0 && index === doc.index) return doc;
  origins.delete(doc);
  // Plain documents only (no if/else alternatives, no define): every field written out, which is cheaper than a spread.
  const moved: ManifestDoc = {
    index,
    start: doc.start + delta,
    end: doc.end + delta,
    hasMarker: doc.hasMarker,
    source: doc.source,
    yaml: doc.yaml,
    errors: doc.errors.length === 0 ? doc.errors : doc.errors.map((e) => ({ ...e, offset: e.offset + delta })),
    objects: [],
  };
  moved.objects = doc.objects.map((o) => ({ kind: o.kind, apiVersion: o.apiVersion, name: o.name, namespace: o.namespace, node: o.node, doc: moved, inList: o.inList }));
  origins.set(moved, doc);
  return moved;
}

/**
 * The regions of `previous` that an edit to `text` left whole, before and after the changed
 * window; undefined when nothing can be reused (no previous, Helm actions, an edit in the first
 * document, where the split of a comment head depends on the text after it).
 */
export function reusable(previous: ManifestFile | undefined, text: string, kind: string): Reuse | undefined {
  if (!previous?.braceless || previous.kind !== kind || previous.docs.some((d) => d.branches || d.define !== undefined)) return undefined;
  const old = previous.text;
  const max = Math.min(old.length, text.length);
  // Common head and tail: compared a block at a time, then a character at a time.
  let p = 0;
  while (p + BLOCK <= max && old.slice(p, p + BLOCK) === text.slice(p, p + BLOCK)) p += BLOCK;
  while (p < max && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  if (p === old.length && p === text.length) return undefined;
  let s = 0;
  while (s + BLOCK <= max - p && old.slice(old.length - s - BLOCK, old.length - s) === text.slice(text.length - s - BLOCK, text.length - s)) s += BLOCK;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  const regions = regionsOf(previous);
  // Kept before: the region and the marker line after it are unchanged. Kept after: from the line feed before its marker.
  let k = 0;
  while (k < regions.length && regions[k].end < old.length && regions[k].end + 4 <= p) k++;
  let j = k;
  while (j < regions.length && !(regions[j].start > 0 && regions[j].start - 1 >= old.length - s)) j++;
  const before = regions.slice(0, k);
  const after = regions.slice(j);
  if (before.length === 0) return undefined;
  const start = before[before.length - 1].end;
  if (!text.startsWith('---', start)) return undefined;
  const oldEnd = after[0]?.start ?? old.length;
  const delta = text.length - old.length;
  if (text.slice(start, oldEnd + delta).includes('{{')) return undefined;
  return { window: { previous, start, oldEnd, newEnd: oldEnd + delta }, before, after };
}

/** The previous file's regions in order: parsed documents (a region's alternatives together) and skipped spans. */
export function regionsOf(file: ManifestFile): OldRegion[] {
  const out: OldRegion[] = [];
  for (const d of file.docs) {
    const last = out[out.length - 1];
    if (last && last.start === d.start) last.docs.push(d);
    else out.push({ start: d.start, end: d.end, docs: [d] });
  }
  for (const s of file.skipped ?? []) out.push({ start: s.start, end: s.end, docs: [], skipped: s });
  return out.sort((a, b) => a.start - b.start);
}

/**
 * After an edit (`reuse`): the documents before and after the changed window are the previous
 * file's (those after it shifted), and only the window is split, scanned and parsed.
 */
export function* parseAround(path: string, text: string, kind: FileKind, reuse: Reuse, scanned: boolean): Steps<ManifestFile> {
  const { window: w, before, after } = reuse;
  // The documents of the window keep their parse where their text did not change (an edit of a marker line, say).
  const reusable = new Map<string, Document.Parsed>(w.previous.docs.filter((d) => d.start >= w.start && d.start < w.oldEnd).map((d) => [d.source, d.yaml]));
  const file: ManifestFile = { path, kind: kind.id, text, masked: { text, actions: [] }, eol: eolOf(text), docs: [], braceless: true };
  let index = 0;
  const keep = (r: Reuse['before'][number], delta: number) => {
    if (r.skipped) (file.skipped ??= []).push(delta === 0 ? r.skipped : { start: r.skipped.start + delta, end: r.skipped.end + delta });
    else file.docs.push(...r.docs.map((d) => shiftDoc(d, delta, index)));
    index++;
  };
  for (const r of before) keep(r, 0);
  const window = text.slice(w.start, w.newEnd);
  const starts = markerLines(window).map((o) => o + w.start);
  const regions = starts.map((start, i) => ({ start, end: starts[i + 1] ?? w.newEnd, hasMarker: true }));
  const hit = scanned ? regionsHit(scanHits(window).map((h) => h + w.start), regions) : undefined;
  for (const [i, region] of regions.entries()) {
    if (hit && !hit[i]) (file.skipped ??= []).push({ start: region.start, end: region.end });
    else {
      file.docs.push(...readRegion(file, undefined, { ...region, index }, reusable));
      yield;
    }
    index++;
  }
  for (const r of after) keep(r, w.newEnd - w.oldEnd);
  recordEdit(file, w);
  return file;
}
