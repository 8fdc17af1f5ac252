import { isSeq, type Node, type YAMLMap } from 'yaml';
import type { TextEdit } from './edits';
import { pairOf } from './k8s';
import { lineStartAt, nextLineStart } from './text';
import { hasAnchor, insertKeyWithBody, keyColumn, lineAfter, nodeRange, templatedNode, type EditTarget } from './yaml-edit';

/** Minimal edits of block and flow sequences: a kustomization's `resources` and `patches` lists. */

/** How far the map's block sequences put their dashes right of their keys (0 or 2, as the file does; 0 when it shows none). */
function seqOffset(t: EditTarget, map: YAMLMap, column: number): number {
  for (const pair of map.items) {
    if (!isSeq(pair.value) || pair.value.flow || !pair.value.items.length) continue;
    const r = nodeRange(t.doc, pair.value.items[0]);
    const dash = r && /^( *)- +$/.exec(t.file.text.slice(lineStartAt(t.file.text, r[0]), r[0]));
    if (dash) return Math.max(0, dash[1].length - column);
  }
  return 0;
}

/**
 * Appends an item (`itemText`: `x.yaml`, `path: x.yaml`, or several lines of one map item, `\n`
 * between them; or several such items) to the sequence under `key` of `map` (a kustomization's
 * `resources`, say), in the sequence's own indentation; creates `key:` with the items when the
 * map has no such key. Undefined when `key` holds something else (an empty value, a map, an
 * alias) or the layout is unusual.
 */
export function appendSeqItem(t: EditTarget, map: YAMLMap, key: string, itemText: string | readonly string[]): TextEdit | undefined {
  const text = t.file.text;
  const items = typeof itemText === 'string' ? [itemText] : itemText;
  const eol = t.file.eol;
  const written = (column: number) => items.map((item) => `${' '.repeat(column)}- ${item.split('\n').join(`${eol}${' '.repeat(column + 2)}`)}${eol}`).join('');
  const pair = pairOf(map, key);
  if (!pair) {
    if (map.flow) return undefined;
    const column = keyColumn(t, map);
    return column === undefined ? undefined : insertKeyWithBody(t, map, key, `${eol}${written(column + seqOffset(t, map, column)).slice(0, -eol.length)}`);
  }
  const seq = pair.value;
  if (!isSeq(seq) || seq.items.length === 0 || templatedNode(t, seq)) return undefined;
  const r = nodeRange(t.doc, seq);
  if (!r) return undefined;
  if (seq.flow) {
    if (text[r[1] - 1] !== ']' || items.some((item) => item.includes(': ') || item.includes('\n'))) return undefined;
    return { start: r[1] - 1, end: r[1] - 1, text: items.map((item) => `, ${item}`).join('') };
  }
  const last = nodeRange(t.doc, seq.items[seq.items.length - 1]);
  if (!last) return undefined;
  const lineStart = lineStartAt(text, last[0]);
  const dash = text.slice(lineStart, last[0]).match(/^( *)- +$/);
  if (!dash) return undefined;
  const at = lineAfter(text, last[1]);
  const needsBreak = at === text.length && !text.endsWith('\n');
  return { start: at, end: at, text: `${needsBreak ? eol : ''}${written(dash[1].length)}` };
}

/**
 * Removes one item of a sequence. Block style: the lines from its `- ` to its end (comments
 * before the next item stay); flow style: the item and one neighbouring comma.
 */
export function removeSeqItem(t: EditTarget, items: readonly Node[], item: Node, flow: boolean): TextEdit | undefined {
  const text = t.file.text;
  const i = items.indexOf(item);
  const r = item.range;
  if (i < 0 || !r || hasAnchor(item)) return undefined;
  const [start, end] = [t.doc.start + r[0], t.doc.start + r[1]];
  if (flow) {
    const next = items[i + 1]?.range;
    if (next) return { start, end: t.doc.start + next[0], text: '' };
    const prev = items[i - 1]?.range;
    return prev ? { start: t.doc.start + prev[1], end, text: '' } : undefined;
  }
  const lineStart = lineStartAt(text, start);
  if (!/^[ ]*-[ ]+$/.test(text.slice(lineStart, start))) return undefined;
  const after = end > 0 && text[end - 1] === '\n' ? end : nextLineStart(text, end);
  const rest = text.slice(end, after).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  return { start: lineStart, end: after, text: '' };
}
