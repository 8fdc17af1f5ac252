import { Document, isMap, isScalar, isSeq, parseDocument, YAMLMap, type Node } from 'yaml';
import { firstWhere } from './bisect';
import { FILE_KINDS, fileKindOf, MANIFEST_KIND, type FileKind } from './fileKinds';
import { alternativesOf, defineBodies, helmBlocks, hideBranches, maskTemplates, type Alternative, type HelmBranch, type MaskResult } from './helm';
import { podFragmentOf, POD_FRAGMENT_KIND, scalarString, type PodFragment } from './k8s';
import { parseAround, reusable as reusableRegions } from './incremental';
import { mayMatter, regionsHit, scanHits, scannable } from './scan';
import { runSteps, type Steps } from './steps';
import { eolOf } from './text';

/**
 * One YAML document of a file. The document is parsed on its own from `source` (the file's text
 * from `start` to `end`, template actions masked), so node ranges are relative to `start`; use
 * `rangeOf` to turn them into file offsets.
 */
export interface ManifestDoc {
  index: number;
  /** Offset of the document's `---` line (or 0 for the first document). */
  start: number;
  /** Offset where the next document's `---` line starts (or the file's end). */
  end: number;
  /** True when the document is introduced by a `---` line. */
  hasMarker: boolean;
  source: string;
  yaml: Document.Parsed;
  /** Parse errors; a document with errors is reported once and not analysed further. */
  errors: Array<{ message: string; offset: number }>;
  objects: K8sObject[];
  /** Set when the document is read as one of the alternatives of its if/else branches (a Helm template). */
  branches?: DocBranches;
  /** Set for the body of a `define` in a chart's helper file: the name it defines. */
  define?: string;
}

/**
 * A Helm document whose `if`/`with`/`range` blocks have `else` branches is read once per
 * alternative (each combination of branches), the branches it leaves out blanked: every alternative
 * that parses is a `ManifestDoc` of its own, with the same `index`, `start` and `end`, so `rangeOf`
 * and every edit stay real file offsets. The engine merges their findings (`core/alternatives.ts`).
 */
export interface DocBranches {
  /** Which alternative this is: an index into `alternatives`. */
  alternative: number;
  /** The spans each alternative of the document leaves out, in file offsets, whether it parsed or not. */
  alternatives: readonly Alternative[];
  /** False when there were too many combinations to read them all: then no fix is offered in the document. */
  complete: boolean;
}

export interface ManifestFile {
  path: string;
  /** The id of its file kind (`FILE_KINDS`); a file of a text kind has no documents. */
  kind: string;
  text: string;
  masked: MaskResult;
  eol: '\n' | '\r\n';
  docs: ManifestDoc[];
  /**
   * Documents the pre-scan (`core/scan.ts`) left unparsed: nothing in them can take part in a
   * finding. Their spans, in order; `fullFile` parses them when a reader needs every document.
   */
  skipped?: Array<{ start: number; end: number }>;
  /** True when the text holds no `{{` (no Helm action): an edit may reuse its documents (core/incremental.ts). */
  braceless?: boolean;
}

/** A Kubernetes object: a top-level document map with a `kind`, or an item of a `kind: List`. */
export interface K8sObject {
  kind: string;
  apiVersion: string | undefined;
  name: string | undefined;
  /** The namespace written in the manifest, if any. */
  namespace: string | undefined;
  node: YAMLMap;
  doc: ManifestDoc;
  /** True for an item of a `kind: List` (editing it as a whole document would be wrong). */
  inList: boolean;
  /** For a pod fragment of a helper's `define` (kind `POD_FRAGMENT_KIND`): its labels and spec. */
  fragment?: PodFragment;
}

const FILE_KINDS_BY_ID = new Map(FILE_KINDS.map((k) => [k.id, k]));

/** The file kind of an id (`ManifestFile.kind`); a manifest for an id no built-in kind has. */
export function kindById(id: string): FileKind {
  return FILE_KINDS_BY_ID.get(id) ?? MANIFEST_KIND;
}

/** The first object of the file that starts at `start` (a fact's place), of `kind` when given. */
export function objectAt(file: ManifestFile, start: number, kind?: string): K8sObject | undefined {
  const docs = file.docs;
  // The documents are in order of their start (a document's alternatives share it): from the first that ends after `start`.
  for (let i = firstWhere(docs.length, (d) => docs[d].end > start); i < docs.length && docs[i].start <= start; i++) {
    const doc = docs[i];
    if (start >= doc.end) continue;
    for (const obj of doc.objects) if ((kind === undefined || obj.kind === kind) && rangeOf(doc, obj.node)[0] === start) return obj;
  }
  return undefined;
}

/** A `---` marker at a line's start: at offset 0 or after a line feed (a BOM may come first). */
const MARKER_LINE = /(^|\n)\uFEFF?---(?=[ \t\r\n]|$)/g;

/** Offsets of the `---` lines of a text, in one scan (not a slice per line): a file of many documents is split in a few ms. */
export function markerLines(text: string): number[] {
  return [...text.matchAll(MARKER_LINE)].map((m) => (m.index ?? 0) + m[1].length);
}

/** Offsets where documents start: 0 and every `---` line (a marker is only ever at column 0). */
export function documentStarts(text: string): Array<{ offset: number; marker: boolean }> {
  const starts = markerLines(text).map((offset) => ({ offset, marker: true }));
  if (starts.length === 0 || starts[0].offset !== 0) {
    // Text before the first marker is a document of its own only if it holds more than comments.
    const head = text.slice(0, starts[0]?.offset ?? text.length);
    if (starts.length === 0 || hasContent(head)) starts.unshift({ offset: 0, marker: false });
    else starts[0] = { offset: 0, marker: true };
  }
  return starts;
}

function hasContent(source: string): boolean {
  return source.split(/\r?\n/).some((line) => {
    const t = line.replace(/^\uFEFF/, '').trim();
    return t !== '' && !t.startsWith('#') && !t.startsWith('%');
  });
}

function parseSource(source: string): Document.Parsed {
  return parseDocument(source, { prettyErrors: false, uniqueKeys: false, strict: false });
}

/**
 * Splits a file into documents and parses each on its own. With `previous` (the same file before
 * an edit), a document whose text did not change reuses its parse: an edit re-parses only the
 * documents it touched.
 */
export function parseManifestFile(path: string, text: string, previous?: ManifestFile, kind?: FileKind, scan = true): ManifestFile {
  return runSteps(parseManifestFileSteps(path, text, previous, kind, scan));
}

/**
 * `parseManifestFile` as steps: yields after each document. The file is of `kind`, by default the
 * kind its path names (a manifest when it names none); a file of a text kind is not parsed. With
 * `scan` (the default), a plain manifest's documents that the pre-scan finds nothing in are not
 * parsed (`ManifestFile.skipped`); `fullFile` reads them.
 */
export function* parseManifestFileSteps(path: string, text: string, previous?: ManifestFile, kind = fileKindOf(path) ?? MANIFEST_KIND, scan = true): Steps<ManifestFile> {
  if (kind.syntax === 'text') return { path, kind: kind.id, text, masked: { text, actions: [] }, eol: eolOf(text), docs: [] };
  // After an edit of a text without `{{`, only the changed window is read again (core/incremental.ts).
  const reuse = reusableRegions(previous, text, kind.id);
  const braceless = reuse !== undefined || !text.includes('{{');
  const scanned = scan && braceless && scannable(kind.id, path);
  // Nothing anywhere: one scan of the text, no split, no parse.
  if (scanned && !mayMatter(text)) return { path, kind: kind.id, text, masked: { text, actions: [] }, eol: eolOf(text), docs: [], skipped: text ? [{ start: 0, end: text.length }] : [], braceless };
  if (reuse) return carryFullParses(previous, yield* parseAround(path, text, kind, reuse, scanned));
  const reusable = new Map(previous?.docs.map((d) => [d.source, d.yaml]));
  const masked = maskTemplates(text);
  const blocks = masked.actions.length > 0 ? helmBlocks(text, masked.actions) : undefined;
  const file: ManifestFile = { path, kind: kind.id, text, masked, eol: eolOf(text), docs: [], braceless };
  const regions = regionsOf(kind, masked.text, blocks);
  const hit = scanned ? regionsHit(scanHits(text), regions) : undefined;
  for (const [index, region] of regions.entries()) {
    if (hit && !hit[index]) {
      (file.skipped ??= []).push({ start: region.start, end: region.end });
      continue;
    }
    file.docs.push(...readRegion(file, blocks, { ...region, index }, reusable));
    yield;
  }
  return carryFullParses(previous, file);
}

const full = new WeakMap<ManifestFile, ManifestFile>();
/** Parses of the previous version's skipped documents, for `fullFile` of the new one to reuse (by text). */
const fullParses = new WeakMap<ManifestFile, Map<string, Document.Parsed>>();

/** When every document of `previous` was parsed (`fullFile`), the new version's `fullFile` reuses those parses. */
export function carryFullParses(previous: ManifestFile | undefined, file: ManifestFile): ManifestFile {
  const whole = previous && (full.get(previous) ?? fullParses.get(previous));
  if (!whole || !file.skipped?.length) return file;
  fullParses.set(file, whole instanceof Map ? whole : new Map(whole.docs.map((d) => [d.source, d.yaml])));
  return file;
}

/**
 * The file with every document parsed: itself when the pre-scan skipped none, else a copy whose
 * documents are the ones already parsed (the same objects, so facts and findings that point at
 * them still do) and the skipped ones, parsed now. Kept for as long as the file is.
 */
export function fullFile(file: ManifestFile): ManifestFile {
  return runSteps(fullFileSteps(file));
}

/** `fullFile` as steps: a step per document parsed. Work dropped half-way leaves nothing behind. */
export function* fullFileSteps(file: ManifestFile): Steps<ManifestFile> {
  if (!file.skipped?.length) return file;
  const known = full.get(file);
  if (known) return known;
  const byStart = new Map<number, ManifestDoc[]>();
  for (const d of file.docs) byStart.set(d.start, [...(byStart.get(d.start) ?? []), d]);
  const kind = kindById(file.kind);
  const done: ManifestFile = { ...file, docs: [], skipped: undefined };
  delete done.skipped;
  // A copy: what is parsed here must not grow the map later versions carry on.
  const reusable = new Map<string, Document.Parsed>(fullParses.get(file));
  for (const [index, region] of regionsOf(kind, file.masked.text, undefined).entries()) {
    const parsed = byStart.get(region.start);
    if (parsed) done.docs.push(...parsed);
    else {
      done.docs.push(...readRegion(done, undefined, { ...region, index }, reusable));
      yield;
    }
  }
  // Made meanwhile by a caller that could not wait: that one is kept.
  const first = full.get(file);
  if (first) return first;
  fullParses.delete(file);
  full.set(file, done);
  return done;
}

interface Region {
  index: number;
  start: number;
  end: number;
  hasMarker: boolean;
  define?: string;
}

/**
 * Where the documents are: between `---` lines; in a helper file (`FileKind.defines`), the bodies
 * of its `define` blocks only, since Helm renders nothing else of it.
 */
function regionsOf(kind: FileKind, masked: string, blocks: HelmBranch | undefined): Array<Omit<Region, 'index'>> {
  if (kind.defines) return blocks ? defineBodies(blocks).map((d) => ({ start: d.start, end: d.end, hasMarker: false, define: d.name })) : [];
  const starts = documentStarts(masked);
  return starts.map((s, i) => ({ start: s.offset, end: starts[i + 1]?.offset ?? masked.length, hasMarker: s.marker }));
}

/**
 * The documents of one region: one, or one per alternative of its if/else branches that parses
 * (`DocBranches`). When none parses, the region is read whole, as if every branch rendered.
 */
export function readRegion(file: ManifestFile, blocks: HelmBranch | undefined, region: Region, reusable: Map<string, Document.Parsed>): ManifestDoc[] {
  const whole = file.masked.text.slice(region.start, region.end);
  const { alternatives, complete } = blocks ? alternativesOf(blocks, region.start, region.end) : { alternatives: [], complete: true };
  if (alternatives.length > 1) {
    const read = alternatives.map((hidden, alternative) => {
      const source = hideBranches(whole, hidden.map(([a, b]): [number, number] => [a - region.start, b - region.start]));
      return readDocument(file, region, source, reusable, { alternative, alternatives, complete });
    });
    const parsed = read.filter((d) => d.errors.length === 0);
    if (parsed.length > 0) return parsed;
  }
  return [readDocument(file, region, whole, reusable)];
}

function readDocument(file: ManifestFile, region: Region, source: string, reusable: Map<string, Document.Parsed>, branches?: DocBranches): ManifestDoc {
  let yaml = reusable.get(source);
  if (!yaml) reusable.set(source, (yaml = parseSource(source)));
  const doc: ManifestDoc = {
    index: region.index,
    start: region.start,
    end: region.end,
    hasMarker: region.hasMarker,
    source,
    yaml,
    errors: yaml.errors.map((e) => ({ message: e.message, offset: region.start + e.pos[0] })),
    objects: [],
    ...(branches ? { branches } : {}),
    ...(region.define !== undefined ? { define: region.define } : {}),
  };
  if (doc.errors.length === 0) doc.objects = objectsOf(doc, file.text.slice(region.start, region.end));
  return doc;
}

export function rangeOf(doc: ManifestDoc, node: Node): [number, number] {
  const r = node.range ?? [0, 0, 0];
  return [doc.start + r[0], doc.start + r[1]];
}

/** `original` is the document's real text: names written by template actions are read from it. */
function objectsOf(doc: ManifestDoc, original: string): K8sObject[] {
  const root = doc.yaml.contents;
  if (!isMap(root)) return [];
  const top = toObject(doc, original, root, false);
  if (!top) return doc.define !== undefined ? fragmentsOf(doc, root) : [];
  const items = root.get('items', true);
  if (/List$/.test(top.kind) && isSeq(items)) {
    return items.items.flatMap((item) => {
      const o = isMap(item) ? toObject(doc, original, item, true) : undefined;
      return o ? [o] : [];
    });
  }
  return [top];
}

/** A `define` body without a `kind` that holds a pod's labels: checked as a pod fragment. */
function fragmentsOf(doc: ManifestDoc, root: YAMLMap): K8sObject[] {
  const fragment = podFragmentOf(root);
  if (!fragment) return [];
  return [{ kind: POD_FRAGMENT_KIND, apiVersion: undefined, name: doc.define, namespace: undefined, node: root, doc, inList: false, fragment }];
}

function toObject(doc: ManifestDoc, original: string, node: YAMLMap, inList: boolean): K8sObject | undefined {
  const kind = stringAt(node, 'kind');
  if (!kind) return undefined;
  const meta = node.get('metadata', true);
  return {
    kind,
    apiVersion: stringAt(node, 'apiVersion'),
    name: isMap(meta) ? nameAt(meta, 'name', doc, original) : undefined,
    namespace: isMap(meta) ? nameAt(meta, 'namespace', doc, original) : undefined,
    node,
    doc,
    inList,
  };
}

/** The string value of a scalar child (numbers and booleans as written), else undefined. */
function stringAt(map: YAMLMap, key: string): string | undefined {
  return scalarString(map.get(key, true));
}

/**
 * A name or namespace. When template actions wrote it, the masked value would be underscores:
 * the real text (`{{ .Release.Name }}-web`) is returned instead, which reads well in messages and
 * never equals a literal name.
 */
function nameAt(map: YAMLMap, key: string, doc: ManifestDoc, original: string): string | undefined {
  const v = map.get(key, true);
  const value = stringAt(map, key);
  if (value === undefined || !isScalar(v) || !v.range || !original.includes('{{')) return value;
  const real = original.slice(v.range[0], v.range[1]);
  return real === doc.source.slice(v.range[0], v.range[1]) ? value : real.replace(/^(["'])(.*)\1$/s, '$2');
}
