import { isMap, isScalar, isSeq, parseDocument, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { FileEdit, TextEdit } from '../edits';
import { namespaceIn, nameOf } from '../builds';
import { dns1123, LABEL_POD_IDENTITY, podSiteOf, scalarString, WI_USE } from '../k8s';
import type { KPatch, Kustomization } from '../kustomize';
import { rangeOf, type ManifestDoc, type ManifestFile } from '../model';
import type { Fix, RuleContext } from '../rule';
import { lineStartAt, nextLineStart } from '../text';
import { lineAfter } from '../yaml-edit';
import { accountIn, bindingLabelIn, lookupInBuild, planAccounts, type BuildPlan, type Place } from './pod-identity-kustomize';

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
}

/** The site of operation `op` (an item of `seq`) of a patch file's document. */
export function opSiteInDoc(file: ManifestFile, doc: ManifestDoc, op: YAMLMap): OpSite | undefined {
  const path = op.get('path', true) as Node | undefined;
  const value = op.get('value', true) as Node | undefined;
  if (!isScalar(path) || !isScalar(value)) return undefined;
  const [start, end] = rangeOf(doc, op);
  const lineStart = lineStartAt(file.text, start);
  const dash = /^( *)- +$/.exec(file.text.slice(lineStart, start));
  if (!dash) return undefined;
  return { path: rangeOf(doc, path), value: rangeOf(doc, value), after: lineAfter(file.text, end), indent: dash[1], eol: file.eol };
}

/**
 * The sites of the operations of an inline patch (`patch: |` in a kustomization): its text is
 * parsed on its own and each offset mapped back through the block scalar's indentation.
 */
export function opSitesInline(file: ManifestFile, doc: ManifestDoc, node: Scalar): Array<{ op: YAMLMap; site: OpSite | undefined }> {
  if (node.type !== 'BLOCK_LITERAL' || typeof node.value !== 'string') return [];
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
  if (parsed.errors.length || !isSeq(parsed.contents)) return [];
  return parsed.contents.items.flatMap((op) => {
    if (!isMap(op)) return [];
    const path = op.get('path', true) as Node | undefined;
    const value = op.get('value', true) as Node | undefined;
    const r = (n: Node | undefined): [number, number] | undefined => {
      const s = n?.range ? toFile(n.range[0]) : undefined;
      const e = n?.range ? toFile(n.range[1]) : undefined;
      return s !== undefined && e !== undefined ? [s, e] : undefined;
    };
    const p = isScalar(path) ? r(path) : undefined;
    const v = isScalar(value) ? r(value) : undefined;
    const opStart = op.range ? toFile(op.range[0]) : undefined;
    const opEnd = op.range ? toFile(Math.max(op.range[0], op.range[1] - 1)) : undefined;
    const dash = opStart !== undefined ? /^( *)- +$/.exec(file.text.slice(lineStartAt(file.text, opStart), opStart)) : null;
    const site = p && v && dash && opEnd !== undefined ? { path: p, value: v, after: lineAfter(file.text, opEnd + 1), indent: dash[1], eol: file.eol } : undefined;
    return [{ op, site }];
  });
}

/** The migration fix of one label operation of `patch` (listed by `by`); undefined when it cannot be made safely. */
export function jsonLabelFix(ctx: RuleContext, by: Kustomization, patch: KPatch, op: YAMLMap, site: OpSite | undefined, file: string): Fix | undefined {
  const pointer = scalarString(op.get('path', true)) ?? '';
  const suffix = `/metadata/labels/${LABEL_POD_IDENTITY}`;
  const label = scalarString(op.get('value', true));
  if (!site || !pointer.endsWith(suffix) || !label) return undefined;
  const template = pointer.slice(0, -suffix.length);
  const places: Place[] = ctx.index.kustomize.buildsReading(by).flatMap((build) =>
    build.objects.filter((bo) => bo.patches.some((a) => a.patch === patch)).map((bo) => ({ build, bo })),
  );
  const podSite = places.length ? podSiteOf(places[0].bo.obj) : undefined;
  if (!podSite || places.some((p) => podSiteOf(p.bo.obj)?.path.join('/') !== podSite.path.join('/')) || `/${podSite.path.join('/')}` !== template) return undefined;
  const plans: BuildPlan[] = places.map((place) => {
    const namespace = namespaceIn(place.bo) ?? ctx.options.defaultNamespace;
    return { place, namespace, lookup: lookupInBuild(ctx, place, bindingLabelIn(place, podSite), namespace) };
  });
  const inherited = [...new Set(places.map((p) => accountIn(p, podSite, false)))];
  const account = inherited.length === 1 && inherited[0] ? inherited[0] : dns1123(label);
  if (!account || inherited.length > 1) return undefined;
  if (ctx.file.text.slice(site.path[1] - LABEL_POD_IDENTITY.length, site.path[1]) !== LABEL_POD_IDENTITY) return undefined;
  const edits: Array<TextEdit | FileEdit | undefined> = [
    { file, start: site.path[1] - LABEL_POD_IDENTITY.length, end: site.path[1], text: USE_POINTER },
    { file, start: site.value[0], end: site.value[1], text: '"true"' },
  ];
  if (!inherited[0]) {
    const i = site.indent;
    edits.push({ file, start: site.after, end: site.after, text: `${i}- op: add${site.eol}${i}  path: ${template}/spec/serviceAccountName${site.eol}${i}  value: ${account}${site.eol}` });
  }
  const targetFile = ctx.index.file(places[0].bo.file);
  if (!targetFile) return undefined;
  const accounts = planAccounts(ctx, { file: targetFile, doc: places[0].bo.obj.doc }, plans, account, () => by);
  edits.push(...accounts.edits);
  const what = `${places[0].bo.obj.kind} ${nameOf(places[0].bo)}`;
  return ctx.fix({
    title: `Migrate ${what} to workload identity (its JSON 6902 patch sets the use label)`,
    label: `Migrate ${places[0].bo.obj.kind} ${[...new Set(plans.map((p) => p.namespace))].join(',')}/${nameOf(places[0].bo)}`,
    edits,
    creates: accounts.creates,
    needsInput: accounts.placeholder,
  });
}
