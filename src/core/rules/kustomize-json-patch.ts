import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { FileEdit } from '../edits';
import { dns1123, LABEL_POD_IDENTITY, pairOf, podSiteOf, scalarString, WI_USE } from '../k8s';
import type { KPatch, Kustomization } from '../kustomize';
import { rangeOf, type ManifestDoc, type ManifestFile } from '../model';
import type { Fix, RuleContext } from '../rule';
import { lineStartAt, nextLineStart } from '../text';
import { lineAfter } from '../yaml-edit';
import { accountIn, patchedPodsFix, type Place } from './pod-identity-kustomize';

/**
 * The fix of a JSON 6902 operation that adds the pod label `aadpodidbinding` (in a patch file, or
 * inline in a kustomization): the operation sets `azure.workload.identity/use: "true"` instead,
 * an operation naming the service account follows it when the target runs as `default`, and the
 * target's account gets each build's client id as pod-identity-label's kustomize migration does.
 */

const USE_POINTER = WI_USE.replace('/', '~1');

/** Where one operation is written: its `path` and `value` scalars and the end of its last line, as file offsets. */
export interface OpSite {
  path: [number, number];
  value: [number, number];
  /** Where a following operation goes (the start of the line after the operation). */
  after: number;
  /** The indentation of the operation's `-`. */
  indent: string;
  eol: string;
  /** A node's offset in the operation's own text (the inline patch's, or the file's) as a file offset. */
  toFile: (offset: number) => number | undefined;
}

/** The site of operation `op` (an item of `seq`) of a patch file's document. */
export function opSiteInDoc(file: ManifestFile, doc: ManifestDoc, op: YAMLMap): OpSite | undefined {
  const path = op.get('path', true) as Node | undefined;
  const value = op.get('value', true) as Node | undefined;
  if (!isScalar(path) || !value) return undefined;
  const [start, end] = rangeOf(doc, op);
  const lineStart = lineStartAt(file.text, start);
  const dash = /^( *)- +$/.exec(file.text.slice(lineStart, start));
  if (!dash) return undefined;
  return { path: rangeOf(doc, path), value: rangeOf(doc, value), after: lineAfter(file.text, end), indent: dash[1], eol: file.eol, toFile: (offset) => offset };
}

/**
 * The text of an inline patch (`patch: |` in a kustomization) parsed on its own, and the map of
 * its offsets back to the file's through the block scalar's indentation. Undefined for a scalar
 * of another style, or text that does not parse.
 */
export function inlineBody(file: ManifestFile, doc: ManifestDoc, node: Scalar): { parsed: Document.Parsed; toFile: (offset: number) => number | undefined } | undefined {
  if (node.type !== 'BLOCK_LITERAL' || typeof node.value !== 'string') return undefined;
  const [start, end] = rangeOf(doc, node);
  const bodyStart = nextLineStart(file.text, start);
  const body = file.text.slice(bodyStart, end);
  const indent = /^ */.exec(body)![0].length;
  const fileLines: number[] = [];
  for (let at = bodyStart; at < end; at = nextLineStart(file.text, at)) fileLines.push(at);
  const text = node.value;
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
  const toFile = (offset: number): number | undefined => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) line++;
    const at = fileLines[line];
    return at === undefined ? undefined : at + indent + (offset - lineStarts[line]);
  };
  const parsed = parseDocument(text);
  return parsed.errors.length ? undefined : { parsed, toFile };
}

/** The sites of the operations of an inline patch, offsets mapped back to the file's. */
export function opSitesInline(file: ManifestFile, doc: ManifestDoc, node: Scalar): Array<{ op: YAMLMap; site: OpSite | undefined }> {
  const inline = inlineBody(file, doc, node);
  const ops = inline?.parsed.contents;
  if (!inline || !isSeq(ops)) return [];
  const { toFile } = inline;
  return ops.items.flatMap((op) => {
    if (!isMap(op)) return [];
    const path = op.get('path', true) as Node | undefined;
    const value = op.get('value', true) as Node | undefined;
    const r = (n: Node | undefined): [number, number] | undefined => {
      const s = n?.range ? toFile(n.range[0]) : undefined;
      const e = n?.range ? toFile(n.range[1]) : undefined;
      return s !== undefined && e !== undefined ? [s, e] : undefined;
    };
    const p = isScalar(path) ? r(path) : undefined;
    const v = value ? r(value) : undefined;
    const opStart = op.range ? toFile(op.range[0]) : undefined;
    const opEnd = op.range ? toFile(Math.max(op.range[0], op.range[1] - 1)) : undefined;
    const dash = opStart !== undefined ? /^( *)- +$/.exec(file.text.slice(lineStartAt(file.text, opStart), opStart)) : null;
    const site = p && v && dash && opEnd !== undefined ? { path: p, value: v, after: lineAfter(file.text, opEnd + 1), indent: dash[1], eol: file.eol, toFile } : undefined;
    return [{ op, site }];
  });
}

/** The migration fix of one label operation of `patch` (listed by `by`); undefined when it cannot be made safely. */
export function jsonLabelFix(ctx: RuleContext, by: Kustomization, patch: KPatch, op: YAMLMap, site: OpSite | undefined, file: string): Fix | undefined {
  const found = labelOf(op);
  if (!site || !found) return undefined;
  const { template, label } = found;
  const places: Place[] = ctx.index.kustomize.buildsReading(by).flatMap((build) =>
    build.objects.filter((bo) => bo.patches.some((a) => a.patch === patch)).map((bo) => ({ build, bo })),
  );
  const podSite = places.length ? podSiteOf(places[0].bo.obj) : undefined;
  if (!podSite || places.some((p) => podSiteOf(p.bo.obj)?.path.join('/') !== podSite.path.join('/')) || `/${podSite.path.join('/')}` !== template) return undefined;
  const inherited = [...new Set(places.map((p) => accountIn(p, podSite, false)))];
  const account = inherited.length === 1 && inherited[0] ? inherited[0] : dns1123(label);
  if (!account || inherited.length > 1) return undefined;
  const edits: Array<FileEdit | undefined> = [];
  if (found.pair) {
    // The label is a pair inside the operation's value (a labels or metadata map): its key and value change.
    const r = (n: Node) => (n.range ? [site.toFile(n.range[0]), site.toFile(n.range[1])] : []);
    const [ks, ke] = r(found.pair.key);
    const [vs, ve] = r(found.pair.value);
    if (ks === undefined || ke === undefined || vs === undefined || ve === undefined || ctx.file.text.slice(ks, ke) !== LABEL_POD_IDENTITY) return undefined;
    edits.push({ file, start: ks, end: ke, text: WI_USE }, { file, start: vs, end: ve, text: '"true"' });
  } else {
    if (ctx.file.text.slice(site.path[1] - LABEL_POD_IDENTITY.length, site.path[1]) !== LABEL_POD_IDENTITY) return undefined;
    edits.push({ file, start: site.path[1] - LABEL_POD_IDENTITY.length, end: site.path[1], text: USE_POINTER }, { file, start: site.value[0], end: site.value[1], text: '"true"' });
  }
  if (!inherited[0]) {
    const i = site.indent;
    edits.push({ file, start: site.after, end: site.after, text: `${i}- op: add${site.eol}${i}  path: ${template}/spec/serviceAccountName${site.eol}${i}  value: ${account}${site.eol}` });
  }
  return patchedPodsFix(ctx, places, podSite, account, by, edits, 'its JSON 6902 patch sets the use label');
}

/**
 * The pod label an operation adds, and the template it sits under: at the label's own pointer
 * (`…/metadata/labels/aadpodidbinding`), or as a pair inside the value the operation adds at
 * `…/metadata/labels`, `…/metadata` or the template itself. Undefined for anything else.
 */
export function labelOf(op: YAMLMap): { template: string; label: string; pair?: { key: Scalar; value: Scalar } } | undefined {
  const verb = scalarString(op.get('op', true));
  const pointer = scalarString(op.get('path', true)) ?? '';
  const value = op.get('value', true) as Node | undefined;
  if (verb !== 'add' && verb !== 'replace') return undefined;
  const own = `/metadata/labels/${LABEL_POD_IDENTITY}`;
  if (pointer.endsWith(own)) {
    const label = scalarString(value);
    return label ? { template: pointer.slice(0, -own.length), label } : undefined;
  }
  for (const [suffix, inner] of [['/metadata/labels', []], ['/metadata', ['labels']], ['/template', ['metadata', 'labels']]] as const) {
    if (!pointer.endsWith(suffix)) continue;
    let map: unknown = value;
    for (const k of inner) map = isMap(map) ? map.get(k, true) : undefined;
    const pair = isMap(map) ? pairOf(map, LABEL_POD_IDENTITY) : undefined;
    const label = scalarString(pair?.value);
    if (!pair || !isScalar(pair.key) || !isScalar(pair.value) || !label) return undefined;
    const template = suffix === '/template' ? pointer : pointer.slice(0, -suffix.length);
    return { template, label, pair: { key: pair.key, value: pair.value } };
  }
  return undefined;
}
