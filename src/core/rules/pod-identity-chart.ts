import { isMap, isScalar, type Scalar } from 'yaml';
import type { FileEdit, TextEdit } from '../edits';
import { chartOf, isTemplateOf, lookupValue, renderedFrom, renderScalar, valueAt, valueRefOf, valuesFileName, type Chart, type RenderedValue, type ValueAt } from '../chart';
import { annotationsOf, pairOf, PLACEHOLDER_CLIENT_ID, scalarString, WI_CLIENT_ID, WI_USE, type PodSite } from '../k8s';
import { rangeOf } from '../model';
import type { IdentityLookup } from '../lookup';
import type { RelatedLocation, RuleContext } from '../rule';
import { annotateIn, siblingPath } from '../service-account';
import { withIdentityMarker } from '../addon-fill';
import type { LabelPair } from './pod-identity-migration';
import { indentStep, insertAtPath, insertPair, rawText, removeEntry, removePair, replacePair, templatedNode, type EditTarget } from '../yaml-edit';

/**
 * The chart side of pod-identity-label's migration (docs/rules/pod-identity-label.md, "Helm
 * charts"): a templated `aadpodidbinding` read from the chart's values, the client id written
 * where a `helm create` chart keeps its ServiceAccount's annotations, and the old value removed
 * once nothing else reads it.
 */

type Planned = Array<TextEdit | FileEdit | undefined>;

/** A templated label that the chart's values render: the chart, the value, where it was read. */
export interface ChartLabel {
  chart: Chart;
  selector: string;
  rendered: RenderedValue;
  /** The values files it was read from ("orders/values.yaml"), or "its default". */
  from: string;
}

/**
 * A pod's `aadpodidbinding`: `{}` when it is written out, `chart` when it is templated and its
 * chart's values render it, else `unknown`, the message of a finding without a fix.
 */
export function readTemplatedLabel(ctx: RuleContext, t: EditTarget, pair: LabelPair, subject: string): { chart?: ChartLabel; unknown?: string } {
  const value = pair.value;
  if (!templatedNode(t, value) && !templatedNode(t, pair.key)) return {};
  const read = !templatedNode(t, pair.key) && isScalar(value) ? chartLabel(ctx, t, value) : undefined;
  if (read && !('problem' in read)) return { chart: read };
  return {
    unknown:
      `${subject} binds a pod identity through a templated aadpodidbinding label, so its identity is unknown` +
      (read ? `: ${read.problem}. ` : '. ') +
      `No fix: it would have to rewrite template text. In the chart, replace the label with ${WI_USE}: "true" and run the pod ` +
      `under a service account annotated with ${WI_CLIENT_ID}.`,
  };
}

/** What a templated `aadpodidbinding` value renders to in its chart, or why that is unknown. */
function chartLabel(ctx: RuleContext, t: EditTarget, value: Scalar): ChartLabel | { problem: string } {
  const chart = chartOf(ctx.index, t.file.path);
  if (!chart || !isTemplateOf(chart, t.file.path)) return { problem: 'the file is in no chart\'s templates/ (no Chart.yaml above it), so its values are unknown' };
  const rendered = renderScalar(chart, rawText(t, value));
  if ('problem' in rendered) return rendered;
  return { chart, selector: rendered.value, rendered, from: renderedFrom(rendered) };
}

/** `{{ include "<chart>.serviceAccountName" . }}`: helm create's name of the chart's account. */
const INCLUDE_ACCOUNT = /^\{\{-?\s*include\s+"([^"]+\.serviceAccountName)"\s+\.\s*-?\}\}$/;
const DEFINE_ACCOUNT = /\{\{-?\s*define\s+"([^"]+\.serviceAccountName)"\s*-?\}\}/;

export interface ChartAccount {
  edits: Planned;
  related: RelatedLocation[];
  creates: string[];
  placeholder: boolean;
  note: string;
  /** Why the account cannot be given the client id (then there is no fix). */
  problem?: string;
}

/**
 * The pod's account in a chart that follows `helm create`: `serviceAccount.create`, `.name` and
 * `.annotations` in values.yaml, and a ServiceAccount template that renders
 * `.Values.serviceAccount.annotations`. The client id goes under `serviceAccount.annotations`, and
 * the pod runs as `{{ include "<chart>.serviceAccountName" . }}` (written when it names no account
 * or `default`). Undefined when the file is no chart template, the chart does not follow that
 * convention, or the pod names an account of its own.
 */
export function helmCreateAccount(ctx: RuleContext, t: EditTarget, site: PodSite, lookup: IdentityLookup): ChartAccount | undefined {
  const chart = chartOf(ctx.index, t.file.path);
  const spec = site.spec;
  if (!chart?.values || !spec || !isTemplateOf(chart, t.file.path)) return undefined;
  const values = valueAt(chart.values, ['serviceAccount']);
  const account = values && isMap(values.pair.value) ? values.pair.value : undefined;
  if (!values || !account || !['create', 'name', 'annotations'].every((k) => pairOf(account, k))) return undefined;
  const template = chart.templates.find((f) => /kind:\s*ServiceAccount\b/.test(f.text) && f.text.includes('.Values.serviceAccount.annotations'));
  if (!template) return undefined;
  const named = ['serviceAccountName', 'serviceAccount'].flatMap((k) => pairOf(spec, k) ?? []);
  const edits: Planned = [];
  if (named.length === 1 && templatedNode(t, named[0].value)) {
    if (!isScalar(named[0].value) || !INCLUDE_ACCOUNT.test(rawText(t, named[0].value))) return undefined;
  } else if (named.some((p) => !['', 'default', undefined].includes(scalarString(p.value)))) {
    return undefined;
  } else {
    const helper = chart.templates.map((f) => DEFINE_ACCOUNT.exec(f.text)?.[1]).find((h) => h !== undefined);
    if (!helper || named.length > 1) return undefined;
    const text = `{{ include "${helper}" . }}`;
    edits.push(named.length ? replacePair(t, named[0], String(named[0].key.value), text) : insertPair(t, spec, 'serviceAccountName', text, 'first'));
  }

  const valuesName = valuesFileName(chart.values);
  const where = `serviceAccount.annotations in ${valuesName}, which ${template.path.slice(chart.prefix.length).replace(/\\/g, '/')} renders`;
  const base = { edits, creates: [`${chart.values.path}#serviceAccount.annotations`], related: [at(values, `serviceAccount values of chart ${chart.name}`)], note: `The client id goes under ${where}.` };
  const create = lookupValue(chart, ['serviceAccount', 'create']);
  if (create.kind !== 'value' || create.value !== 'true') {
    return { ...base, placeholder: false, problem: `serviceAccount.create is not true in ${valuesName}, so the chart does not make the account its pods run as: annotate that account where it is made` };
  }
  const current = scalarString(annotationsOf(account)?.get(WI_CLIENT_ID, true));
  if (current && lookup.clientId && current.toLowerCase() !== lookup.clientId.toLowerCase()) {
    return { ...base, placeholder: false, problem: `the chart's account already carries client id ${current} (serviceAccount.annotations in ${valuesName}), another identity's` };
  }
  const result = annotateIn({ file: chart.values, doc: values.doc }, account, lookup);
  if ('unsafe' in result) return { ...base, placeholder: false, problem: `serviceAccount.annotations in ${valuesName} cannot be edited safely` };
  // Its own group: the chart's account serves all its workloads.
  const label = `Annotate chart values serviceAccount.annotations (${valuesName})`;
  edits.push(...result.edits.map((e) => ({ ...e, file: chart.values!.path, label })));
  return { ...base, placeholder: result.placeholder };
}

/**
 * Removes the values a replaced label read (`podIdentity.binding`) from the chart's own values
 * files, when no template of the chart reads them (or a map above them) any more: the label's
 * own actions, which the fix rewrites, do not count.
 */
export function removeReadValues(label: ChartLabel, t: EditTarget, pair: LabelPair): Planned {
  const { chart } = label;
  const file = t.file.path;
  const replaced: [number, number] = [rangeOf(t.doc, pair.key)[0], rangeOf(t.doc, pair.value as Scalar)[1]];
  const edits: Planned = [];
  for (const { ref, lookup } of label.rendered.refs) {
    if (readElsewhere(chart, ref.path, file, replaced)) continue;
    for (const source of lookup.sources) {
      if (source.file !== chart.values && !chart.overrides.includes(source.file)) continue;
      const t: EditTarget = { file: source.file, doc: source.doc };
      const parent = source.maps[source.maps.length - 2];
      const edit = parent ? removeEntry(t, parent, ref.path[ref.path.length - 2], source.pair) : removePair(t, source.maps[0], source.pair);
      edits.push(edit && { ...edit, file: source.file.path });
    }
  }
  return edits;
}

/** True when a template of the chart reads `.Values.<path>`, a map above it, or `.Values` as a whole. */
function readElsewhere(chart: Chart, path: readonly string[], file: string, replaced: [number, number]): boolean {
  const keys = path.map((_, i) => path.slice(0, i + 1).join('.').replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  const above = keys.slice(0, -1).reverse();
  // `.Values.a.b.c`; `.Values`, `.Values.a`, `.Values.a.b` used whole (`with`, `toYaml`); `index .Values …`.
  const reader = new RegExp(`\\.Values\\.${keys[keys.length - 1]}(?![\\w-])|\\.Values(?:\\.(?:${above.join('|') || '(?!)'}))?(?![\\w.-])|\\bindex\\s+\\$?\\.Values\\b`, 'g');
  return chart.templates.some((f) => [...f.text.matchAll(reader)].some((m) => f.path !== file || m.index < replaced[0] || m.index >= replaced[1]));
}

function at(value: ValueAt, message: string): RelatedLocation {
  const [start, end] = [value.doc.start + (value.pair.key.range?.[0] ?? 0), value.doc.start + (value.pair.key.range?.[1] ?? 0)];
  return { file: value.file.path, start, end, message };
}

/** The key of an account's client id under `workloadIdentity.clientIds`: a Go template field name (`orders-api` → `ordersApi`). */
function clientIdKey(account: string): string {
  const key = account.replace(/[^A-Za-z0-9]+([A-Za-z0-9]?)/g, (_, c: string) => c.toUpperCase());
  return /^[A-Za-z_]/.test(key) ? key : `sa${key}`;
}

/**
 * A new ServiceAccount for a pod of a chart that keeps no ServiceAccount values of its own (no
 * `helm create` convention), in a new template `templates/<account>-serviceaccount.yaml` whose
 * client id is a chart value, so that each release (`-f values-prod.yaml`) renders its own: the
 * value the chart's own AzureIdentity already reads its `clientID` from, when it does (nothing is
 * copied, and a release that overrides it keeps doing so); otherwise a new value,
 * `workloadIdentity.clientIds.<account>` in the chart's `values.yaml`. Undefined when the file is
 * no chart template, or the chart has no `values.yaml` to hold a new value. The edits carry no
 * label: the caller gives both the account's, so that they are applied (or left out) together.
 */
export function newChartAccount(ctx: RuleContext, t: EditTarget, namespace: Scalar | undefined, account: string, lookup: IdentityLookup): ChartAccount | undefined {
  const chart = chartOf(ctx.index, t.file.path);
  if (!chart || !isTemplateOf(chart, t.file.path)) return undefined;
  const reused = identityValue(ctx, chart, lookup);
  const added = reused ? undefined : newClientIdValue(chart, account, lookup);
  const path = reused ?? added?.path;
  if (!path) return undefined;
  const step = ' '.repeat(indentStep(t));
  const lines = ['apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `${step}name: ${account}`];
  if (namespace) lines.push(`${step}namespace: ${rawText(t, namespace)}`);
  lines.push(`${step}annotations:`, `${step}${step}${WI_CLIENT_ID}: {{ .Values.${path.join('.')} | quote }}`);
  let name = `${account}-serviceaccount.yaml`;
  for (let i = 2; ctx.index.textOf(siblingPath(t.file.path, name)) !== undefined; i++) name = `${account}-serviceaccount-${i}.yaml`;
  const file = siblingPath(t.file.path, name);
  const template = `new template ${name}`;
  return {
    edits: [...(added?.edits ?? []), { file, start: 0, end: 0, text: lines.join(t.file.eol) + t.file.eol }],
    related: [],
    creates: added ? [`${chart.values!.path}#workloadIdentity.clientIds`] : [],
    placeholder: added?.placeholder ?? false,
    note: reused
      ? `The client id is the chart's value .Values.${reused.join('.')}, which its AzureIdentity reads too; a ${template} renders it on the account.`
      : `The client id goes into ${valuesFileName(chart.values!)} as workloadIdentity.clientIds.${path[path.length - 1]} (a release may set its own), rendered by a ${template}.`,
  };
}

/** The `.Values` path the identity's `clientID` is rendered from, when the identity is a template of the same chart. */
function identityValue(ctx: RuleContext, chart: Chart, lookup: IdentityLookup): string[] | undefined {
  const identity = lookup.identity;
  const text = identity?.templated?.clientID;
  const ref = text !== undefined ? valueRefOf(text) : undefined;
  if (!identity || !ref || ref.fallback !== undefined || !isTemplateOf(chart, identity.file)) return undefined;
  const own = chartOf(ctx.index, identity.file);
  return own?.root === chart.root && ref.path.every((k) => /^[A-Za-z_]\w*$/.test(k)) ? ref.path : undefined;
}

/** `workloadIdentity.clientIds.<account>` in the chart's `values.yaml`: the edit that sets it, unless it is set. */
function newClientIdValue(chart: Chart, account: string, lookup: IdentityLookup): { path: string[]; edits: Planned; placeholder: boolean } | undefined {
  const values = chart.values;
  if (!values) return undefined;
  const root = values.docs[0]?.yaml.contents;
  const path = ['workloadIdentity', 'clientIds', clientIdKey(account)];
  const existing = lookupValue(chart, path);
  if (existing.kind === 'value' && existing.value !== undefined) return { path, edits: [], placeholder: false };
  const id = JSON.stringify(lookup.clientId ?? PLACEHOLDER_CLIENT_ID);
  const t = { file: values, doc: values.docs[0] };
  const step = ' '.repeat(indentStep(t));
  const nested = `workloadIdentity:${values.eol}${step}clientIds:${values.eol}${step}${step}${path[2]}: ${id}${values.eol}`;
  // A values.yaml with no map (empty, or only comments) gets the value at its end.
  const insert = isMap(root) && root.items.length > 0
    ? insertAtPath(t, root, path.slice(0, 2), path[2], id)
    : root === null || root === undefined
      ? { start: values.text.length, end: values.text.length, text: `${values.text && !values.text.endsWith('\n') ? values.eol : ''}${nested}` }
      : undefined;
  if (!insert) return { path, edits: [undefined], placeholder: false };
  const marked = lookup.clientId ? insert : withIdentityMarker(insert, values.text, lookup.identity?.resourceID);
  const at = marked.text.indexOf(id);
  const edit: FileEdit = { ...marked, file: values.path, ...(lookup.clientId ? {} : { placeholders: [{ offset: at + 1, length: PLACEHOLDER_CLIENT_ID.length }] }) };
  return { path, edits: [edit], placeholder: !lookup.clientId };
}
