import type { Document } from 'yaml';
import type { TextEdit } from './edits';
import { regionsOf, shiftDoc } from './incremental';
import { carryFullParses, documentStarts, markerLines, readRegion, type ManifestFile } from './model';
import { regionsHit, scanHits, scannable } from './scan';
import { eolOf } from './text';

/*
 * Fix-all's parse of a file after one round's edits, which fall all over the file (core/incremental.ts
 * reads one changed window, from the first change to the last: here, the whole file). The edits are
 * known, so the documents no edit touches are the previous file's, moved by what the edits before
 * them added (the same parse, as after an edit in the editor), and only the runs of documents that
 * edits touch are split, scanned and parsed again. The result is the file a full parse gives.
 */

/**
 * The file `previous` becomes with `edits` applied (`text`), reusing what no edit touched;
 * undefined when it cannot be reused (Helm text, if/else alternatives, `define` bodies, a file
 * with nothing parsed): then parse it whole.
 */
export function parseAfterEdits(previous: ManifestFile, text: string, edits: readonly TextEdit[], scan = true): ManifestFile | undefined {
  if (!previous.braceless || previous.docs.length === 0 || previous.docs.some((d) => d.branches || d.define !== undefined)) return undefined;
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let grown = 0;
  const grownTo = sorted.map((e) => (grown += e.text.length - (e.end - e.start)));
  // The first edit that does not end before `offset`: edits are in order and do not overlap, so their ends are in order too.
  const firstEndingAfter = (offset: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].end > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  /** How far an offset that no edit reaches moves: what the edits before it added. */
  const moved = (offset: number) => {
    const i = firstEndingAfter(offset);
    return i === 0 ? 0 : grownTo[i - 1];
  };
  const regions = regionsOf(previous);
  // A region is kept when every edit ends before the line feed ahead of its `---` line, or starts
  // after the `---` line that follows it: its text and both marker lines are unchanged.
  const touched = regions.map((r) => {
    const i = firstEndingAfter(r.start - 1);
    return i < sorted.length && sorted[i].start < r.end + 4;
  });
  const file: ManifestFile = { path: previous.path, kind: previous.kind, text, masked: { text, actions: [] }, eol: eolOf(text), docs: [], braceless: true };
  const scanned = scan && scannable(previous.kind, previous.path);
  let index = 0;
  for (let r = 0; r < regions.length; ) {
    if (!touched[r]) {
      const region = regions[r++];
      const delta = moved(region.start);
      if (region.skipped) (file.skipped ??= []).push(delta === 0 ? region.skipped : { start: region.skipped.start + delta, end: region.skipped.end + delta });
      else for (const d of region.docs) file.docs.push(shiftDoc(d, delta, index));
      index++;
      continue;
    }
    // A run of touched regions: its new text is split, scanned and parsed again.
    const first = r;
    while (r < regions.length && touched[r]) r++;
    const start = regions[first].start + moved(regions[first].start);
    const end = r < regions.length ? regions[r].start + moved(regions[r].start) : text.length;
    const window = text.slice(start, end);
    // Text kept as it was holds no `{{` (the previous file had none): a window that has one is Helm text now.
    if (window.includes('{{')) return undefined;
    const reusable = new Map<string, Document.Parsed>();
    for (let k = first; k < r; k++) for (const d of regions[k].docs) reusable.set(d.source, d.yaml);
    const spans = spansOf(window, start, end);
    if (!spans) return undefined;
    const hit = scanned ? regionsHit(scanHits(window).map((h) => h + start), spans) : undefined;
    for (const [i, span] of spans.entries()) {
      if (hit && !hit[i]) (file.skipped ??= []).push({ start: span.start, end: span.end });
      else file.docs.push(...readRegion(file, undefined, { ...span, index }, reusable));
      index++;
    }
  }
  if (file.docs.length === 0) return undefined;
  return carryFullParses(previous, file);
}

/**
 * Where the documents of a window of the new text are: at its `---` lines (one starts it). At the
 * file's start, text before the first `---` line is a document of its own only if it holds more
 * than comments (`documentStarts`): that needs a `---` line in the window to end it.
 */
function spansOf(window: string, start: number, end: number): Array<{ start: number; end: number; hasMarker: boolean }> | undefined {
  const markers = markerLines(window);
  if (start === 0) {
    if (markers.length === 0) return undefined;
    const starts = documentStarts(window);
    return starts.map((s, i) => ({ start: s.offset, end: starts[i + 1]?.offset ?? end, hasMarker: s.marker }));
  }
  if (markers[0] !== 0) return undefined;
  return markers.map((m, i) => ({ start: start + m, end: markers[i + 1] !== undefined ? start + markers[i + 1] : end, hasMarker: true }));
}

