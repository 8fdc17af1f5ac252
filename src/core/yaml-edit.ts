import { isMap, isScalar, Scalar, stringify, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import type { TextEdit } from './edits';
import { isTemplated } from './helm';
import { pairOf } from './k8s';
import { markerLines, type ManifestDoc, type ManifestFile } from './model';
import { columnAt, lineEndAt, lineStartAt, nextLineStart } from './text';

/**
 * Minimal text edits on a parsed manifest. Each returns `undefined` when the edit cannot be made
 * without guessing (aliases, template actions in the way, odd layouts): the caller then reports
 * the finding without a fix. Nothing here re-serialises a document.
 */
export interface EditTarget {
  file: ManifestFile;
  doc: ManifestDoc;
}

type AnyPair = Pair<unknown, unknown>;

export function nodeRange(doc: ManifestDoc, node: unknown): [number, number, number] | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? [doc.start + r[0], doc.start + r[1], doc.start + r[2]] : undefined;
}

/** True when the node's text contains a template action (its real value is unknown). */
export function templatedNode(t: EditTarget, node: unknown): boolean {
  const r = nodeRange(t.doc, node);
  return r !== undefined && isTemplated(t.file.masked.actions, r[0], r[1]);
}

/** The real text of a templated scalar (without its quotes). */
export function rawText(t: EditTarget, node: Scalar): string {
  const r = nodeRange(t.doc, node) ?? [0, 0];
  const raw = t.file.text.slice(r[0], r[1]).trim();
  return node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? raw.slice(1, -1) : raw;
}

/** What `stringify` wrote for recent values (a fix-all of many workloads writes the same names and client ids again and again). */
const plainTexts = new Map<string, string>();
const PLAIN_TEXTS_KEPT = 1000;

/** The YAML text for `value` in the style of `like` (plain, single or double quoted). */
export function scalarText(value: string, style: Scalar.Type | undefined = 'PLAIN'): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  let plain = plainTexts.get(value);
  if (plain === undefined) {
    plain = stringify(value, { lineWidth: 0 }).replace(/\r?\n$/, '');
    if (plainTexts.size >= PLAIN_TEXTS_KEPT) plainTexts.clear();
    plainTexts.set(value, plain);
  }
  return plain.includes('\n') ? JSON.stringify(value) : plain;
}

/** Replaces a scalar's value, keeping its quoting style. */
export function replaceScalar(t: EditTarget, node: unknown, value: string, style?: Scalar.Type): TextEdit | undefined {
  if (!isScalar(node) || templatedNode(t, node)) return undefined;
  const r = nodeRange(t.doc, node);
  if (!r) return undefined;
  const type = style ?? (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE' ? node.type : 'PLAIN');
  if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') return undefined;
  // Anchors or tags before the value stay: only the value's own characters are replaced.
  const source = t.file.text.slice(r[0], r[1]);
  const lead = source.match(/^(?:[&!][^\s]*\s+)*/)?.[0] ?? '';
  return { start: r[0] + lead.length, end: r[1], text: scalarText(value, type) };
}

/** The column of the first key of a block map. */
export function keyColumn(t: EditTarget, map: YAMLMap): number | undefined {
  const first = map.items[0];
  const r = first ? nodeRange(t.doc, first.key) : undefined;
  return r ? columnAt(t.file.text, r[0]) : undefined;
}

/** How many spaces the document indents a nested block by (2 unless it shows otherwise). */
export function indentStep(t: EditTarget): number {
  const lines = t.doc.source.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1];
    const line = lines[i];
    if (!/:\s*(#.*)?$/.test(prev) || line.trim() === '' || line.trim().startsWith('#')) continue;
    const a = prev.match(/^ */)![0].length;
    const b = line.match(/^ */)![0].length;
    if (b > a && !line.trim().startsWith('-')) return b - a;
  }
  return 2;
}

/** Where a pair's value ends (for block collections and block scalars: after their last line break). */
function pairEnd(t: EditTarget, pair: AnyPair): number | undefined {
  const v = nodeRange(t.doc, pair.value);
  if (v) return v[1];
  const k = nodeRange(t.doc, pair.key);
  return k ? k[1] : undefined;
}

/** Start of the line after the one `end` is on, or `end` itself when it already starts a line. */
export function lineAfter(text: string, end: number): number {
  return end > 0 && text[end - 1] === '\n' ? end : nextLineStart(text, end);
}

/**
 * Inserts `key: value` into a map: as its first pair (`first`) or after its last pair. Block maps
 * get a line of their own at the map's indentation; flow maps stay on one line.
 */
export function insertPair(t: EditTarget, map: YAMLMap, key: string, valueText: string, where: 'first' | 'last' = 'last'): TextEdit | undefined {
  const text = t.file.text;
  const pairText = `${key}: ${valueText}`;
  if (map.flow) {
    const r = nodeRange(t.doc, map);
    if (!r || text[r[1] - 1] !== '}') return undefined;
    if (map.items.length === 0) return { start: r[1] - 1, end: r[1] - 1, text: pairText };
    if (where === 'first') {
      const spaced = text[r[0] + 1] === ' ';
      return { start: r[0] + 1, end: r[0] + 1, text: spaced ? ` ${pairText},` : `${pairText}, ` };
    }
    const last = pairEnd(t, map.items[map.items.length - 1]);
    return last === undefined ? undefined : { start: last, end: last, text: `, ${pairText}` };
  }
  if (map.items.length === 0) return undefined;
  const column = keyColumn(t, map);
  if (column === undefined) return undefined;
  if (where === 'first') {
    const r = nodeRange(t.doc, map.items[0].key)!;
    return { start: r[0], end: r[0], text: `${pairText}${t.file.eol}${' '.repeat(column)}` };
  }
  const end = pairEnd(t, map.items[map.items.length - 1]);
  if (end === undefined) return undefined;
  const at = lineAfter(text, end);
  const needsBreak = at === text.length && !text.endsWith('\n');
  return { start: at, end: at, text: `${needsBreak ? t.file.eol : ''}${' '.repeat(column)}${pairText}${t.file.eol}` };
}

/**
 * Inserts `key:` with `body` below it (lines, each beginning with the file's line break) into a
 * block map, placed as `insertPair` places a pair.
 */
export function insertKeyWithBody(t: EditTarget, map: YAMLMap, key: string, body: string, where: 'first' | 'last' = 'last'): TextEdit | undefined {
  const edit = insertPair(t, map, key, '', where);
  if (!edit) return undefined;
  // insertPair wrote `key: ` + eol/indent; the body goes right after `key:`.
  const marker = `${key}: `;
  const i = edit.text.indexOf(marker);
  return { ...edit, text: edit.text.slice(0, i) + `${key}:${body}` + edit.text.slice(i + marker.length) };
}

/**
 * Inserts `key:` holding a nested block map of `entries` into `map` (for `labels:` or
 * `annotations:` that do not exist yet). Flow maps get a nested flow map.
 */
export function insertMapPair(t: EditTarget, map: YAMLMap, key: string, entries: Array<[string, string]>, where: 'first' | 'last' = 'last'): TextEdit | undefined {
  if (map.flow) return insertPair(t, map, key, `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`, where);
  const column = keyColumn(t, map);
  if (column === undefined) return undefined;
  const inner = ' '.repeat(column + indentStep(t));
  return insertKeyWithBody(t, map, key, entries.map(([k, v]) => `${t.file.eol}${inner}${k}: ${v}`).join(''), where);
}

/**
 * Fills the empty flow map `{}` of `pair` (a pair of `parent`) with entries in one edit: as a block
 * under the key when `parent` is a block map and nothing but a comment follows `{}` on its line
 * (`annotations: {}  # note` becomes `annotations:  # note` and the entries below), else inside
 * the braces.
 */
export function fillEmptyMap(t: EditTarget, parent: YAMLMap, pair: AnyPair, entries: Array<[string, string]>): TextEdit | undefined {
  const { text, eol } = t.file;
  const [k, r] = [nodeRange(t.doc, pair.key), nodeRange(t.doc, pair.value)];
  if (!k || !r || !isMap(pair.value) || !pair.value.flow || pair.value.items.length || text[r[1] - 1] !== '}') return undefined;
  const lineEnd = lineEndAt(text, r[1]);
  const rest = text.slice(r[1], lineEnd);
  const between = text.slice(k[1], r[0]);
  if (parent.flow || !/^[ \t]*:[ \t]*$/.test(between) || !/^[ \t]*(#.*)?$/.test(rest)) {
    return { start: r[0] + 1, end: r[1] - 1, text: entries.map(([key, v]) => `${key}: ${v}`).join(', ') };
  }
  const inner = ' '.repeat(columnAt(text, k[0]) + indentStep(t));
  return { start: k[1], end: lineEnd, text: `:${rest}${entries.map(([key, v]) => `${eol}${inner}${key}: ${v}`).join('')}` };
}

/**
 * Removes a pair. Block style: the whole lines it covers (its trailing comment goes with it);
 * flow style: the pair and one neighbouring comma. Undefined when the pair shares its first line
 * with something else (a `- ` sequence dash, another key).
 */
export function removePair(t: EditTarget, map: YAMLMap, pair: AnyPair): TextEdit | undefined {
  const text = t.file.text;
  const k = nodeRange(t.doc, pair.key);
  const end = pairEnd(t, pair);
  if (!k || end === undefined || templatedNode(t, pair.key)) return undefined;
  if (map.flow) {
    const index = map.items.indexOf(pair);
    if (index < 0) return undefined;
    const next = map.items[index + 1];
    if (next) {
      const n = nodeRange(t.doc, next.key);
      return n ? { start: k[0], end: n[0], text: '' } : undefined;
    }
    const prev = map.items[index - 1];
    if (prev) {
      const p = pairEnd(t, prev);
      return p === undefined ? undefined : { start: p, end, text: '' };
    }
    return { start: k[0], end, text: '' };
  }
  const lineStart = lineStartAt(text, k[0]);
  if (text.slice(lineStart, k[0]).trim() !== '') return undefined;
  const after = lineAfter(text, end);
  const rest = text.slice(end, after).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  return { start: lineStart, end: after, text: '' };
}

/** Replaces a whole pair (key and value) with `key: value` text on the same spot. */
export function replacePair(t: EditTarget, pair: AnyPair, key: string, valueText: string): TextEdit | undefined {
  const k = nodeRange(t.doc, pair.key);
  const end = pairEnd(t, pair);
  if (!k || end === undefined || templatedNode(t, pair.key)) return undefined;
  if (pair.value !== null && !(isScalar(pair.value) && !pair.value.type?.startsWith('BLOCK'))) return undefined;
  return { start: k[0], end, text: `${key}: ${valueText}` };
}

/**
 * Deletes a whole document, its `---` line included, but keeps what belongs to the file rather
 * than the document: the byte order mark, and comments above the file's first `---` line.
 */
export function removeDocument(t: EditTarget): TextEdit {
  const { text } = t.file;
  let start = t.doc.start === 0 && text.startsWith('\uFEFF') ? 1 : t.doc.start;
  if (t.doc.index === 0 && t.doc.hasMarker) {
    const marker = markerLines(text.slice(start, t.doc.end))[0];
    if (marker !== undefined) start += marker;
  }
  return { start, end: t.doc.end, text: '' };
}

/** Appends a new document after `t.doc`, with its own `---` line. `lines` are unindented. */
export function appendDocument(t: EditTarget, lines: string[]): TextEdit {
  const { text, eol } = t.file;
  const at = t.doc.end;
  const needsBreak = at > 0 && text[at - 1] !== '\n';
  const edit = { start: at, end: at, text: `${needsBreak ? eol : ''}---${eol}${lines.join(eol)}${eol}` };
  // Appended after another append, this one would not need the break it starts with: only
  // appends without one may follow each other in one pass.
  return at === text.length && !needsBreak ? { ...edit, appendsDocuments: true } : edit;
}

/**
 * Inserts `key: value` into the map at `path` below `map`, creating the maps of `path` that do not
 * exist yet (`labels:` under a pod template's `metadata`, say) in the file's indentation, or in
 * flow style inside a flow map; `where` places the new pair first or last in its map. Undefined
 * when a step of `path` exists but is not a map (an empty `labels:`, an alias), when the target
 * already has `key`, or when the insertion is unsafe.
 */
export function insertAtPath(
  t: EditTarget,
  map: YAMLMap,
  path: readonly string[],
  key: string,
  valueText: string,
  where: 'first' | 'last' = 'last',
): TextEdit | undefined {
  let parent = map;
  let depth = 0;
  for (; depth < path.length; depth++) {
    const pair = pairOf(parent, path[depth]);
    if (!pair) break;
    if (!isMap(pair.value)) return undefined;
    parent = pair.value;
  }
  if (depth === path.length) {
    if (pairOf(parent, key)) return undefined;
    return insertPair(t, parent, key, valueText, where);
  }
  const [first, ...rest] = path.slice(depth);
  if (parent.flow) return insertPair(t, parent, first, [...rest, key].reduceRight((inner, k) => `{${k}: ${inner}}`, valueText), where);
  const column = keyColumn(t, parent);
  if (column === undefined) return undefined;
  const step = indentStep(t);
  const body = [...rest, key]
    .map((k, i) => `${t.file.eol}${' '.repeat(column + step * (i + 1))}${k}:${i === rest.length ? ` ${valueText}` : ''}`)
    .join('');
  return insertKeyWithBody(t, parent, first, body, where);
}

/**
 * Removes `pair` from the map `parent[key]` (an annotation from `annotations`, say). When it is
 * that map's only pair and no comment sits inside the map (from after `key` to the map's end),
 * the whole `key:` goes, so no empty map is left behind. A comment after a flow map's `}` goes
 * with its line, as in `removePair`.
 */
export function removeEntry(t: EditTarget, parent: YAMLMap, key: string, pair: AnyPair): TextEdit | undefined {
  const holder = pairOf(parent, key);
  const map = holder?.value;
  if (!holder || !isMap(map) || !map.items.includes(pair)) return undefined;
  const own = removePair(t, map, pair);
  if (!own || map.items.length > 1) return own;
  const whole = removePair(t, parent, holder);
  const inside = [nodeRange(t.doc, holder.key)?.[1], nodeRange(t.doc, map)?.[1]];
  if (!whole || inside[0] === undefined || inside[1] === undefined) return own;
  const rest = t.file.text.slice(inside[0], own.start) + t.file.text.slice(own.end, inside[1]);
  return rest.includes('#') ? own : whole;
}

/**
 * True when the map at `path` below `map` may hold more than its text shows: a template action
 * sits in its text (`{{- include "labels" . | nindent 8 }}`), or, when the path stops early, in
 * the text of the nearest map that exists (an action there may render the missing map). Adding a
 * key there could then duplicate one the template renders.
 */
export function holdsTemplate(t: EditTarget, map: YAMLMap, path: readonly string[]): boolean {
  let region = nodeRange(t.doc, map);
  let parent: unknown = map;
  for (const key of path) {
    const pair = isMap(parent) ? pairOf(parent, key) : undefined;
    if (!pair) break;
    const k = nodeRange(t.doc, pair.key);
    const v = nodeRange(t.doc, pair.value);
    if (k) region = [k[0], k[1], v?.[2] ?? k[2]];
    parent = pair.value;
  }
  return region !== undefined && isTemplated(t.file.masked.actions, region[0], region[2]);
}

export function hasAnchor(node: Node): boolean {
  let found = false;
  visit(node, (_key, n) => {
    if ((n as { anchor?: string }).anchor) found = true;
  });
  return found;
}

