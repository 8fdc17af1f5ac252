import { isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { sortEdits, type TextEdit } from '../edits';
import {
  containerNames,
  GUID,
  mapAt,
  pairOf,
  PLACEHOLDER_CLIENT_ID,
  podSiteOf,
  readsAsNonString,
  scalarString,
  WI_CLIENT_ID,
  WI_INJECT_PROXY,
  WI_PROXY_PORT,
  WI_SKIP_CONTAINERS,
  WI_TENANT_ID,
  WI_TOKEN_EXPIRATION,
  WI_USE,
  WORKLOAD_KINDS,
  type PodSite,
} from '../k8s';
import { YAML_FILE_KINDS } from '../fileKinds';
import { rangeOf } from '../model';
import { fixLabel, serviceAccountLabel } from '../labels';
import type { Fix, Rule, RuleContext } from '../rule';
import { holdsTemplate, insertMapPair, insertPair, removeEntry, removePair, replaceScalar, templatedNode, type EditTarget } from '../yaml-edit';

/**
 * The values workload identity reads from annotations: the ServiceAccount's client id, tenant id
 * and token lifetime, and the pod's proxy-sidecar switches. The webhook rejects or ignores bad
 * values at admission time, far from the manifest that wrote them.
 */
export const wiAnnotationValues: Rule = {
  id: 'wi-annotation-values',
  description: 'A workload identity annotation has a value the webhook rejects or misreads, or a pod annotation is written as a label.',
  severity: 'warning',
  kinds: ['ServiceAccount', ...WORKLOAD_KINDS],
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    const t: EditTarget = { file: ctx.file, doc: ctx.doc };
    for (const obj of ctx.objects) {
      if (obj.kind === 'ServiceAccount') {
        const annotations = mapAt(obj.node, ['metadata', 'annotations']);
        const label = serviceAccountLabel('Update', ctx.index.namespaceOf(obj), obj.name ?? '(unnamed)');
        if (annotations) checkValues(ctx, t, annotations, serviceAccountChecks, label);
        continue;
      }
      const site = podSiteOf(obj);
      if (!site?.metadata) continue;
      const label = fixLabel('Migrate', ctx.index, obj);
      checkSidecarLabels(ctx, t, site, label);
      const annotations = mapAt(site.metadata, ['annotations']);
      if (annotations) {
        checkValues(ctx, t, annotations, podChecks(ctx, t, site, label), label);
        checkHostNetwork(ctx, t, site, annotations);
      }
    }
  },
};

type WiPair = Pair<Scalar, Node | null>;
interface Problem {
  message: string;
  fix?: Fix;
}
/** What is wrong with one annotation's value (as written, template-free), if anything. */
type Check = (value: string, pair: WiPair) => Problem | undefined;

const PREFIX = 'azure.workload.identity/';
const SIDECAR_KEYS = [WI_SKIP_CONTAINERS, WI_INJECT_PROXY, WI_PROXY_PORT];

function guid(name: string, what: string): Check {
  return (value) => {
    if (GUID.test(value)) return undefined;
    if (value === PLACEHOLDER_CLIENT_ID) return { message: `Replace the placeholder with the managed identity's ${what} (${name}).` };
    return { message: `${name} ${value === '' ? 'is empty' : `"${value}" is not a GUID`}: it must be the managed identity's ${what}.` };
  };
}

function integerIn(value: string, min: number, max: number): boolean {
  return /^[0-9]+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

const serviceAccountChecks: Record<string, Check> = {
  [WI_CLIENT_ID]: guid(WI_CLIENT_ID, 'client id'),
  [WI_TENANT_ID]: guid(WI_TENANT_ID, 'tenant id'),
  [WI_TOKEN_EXPIRATION]: (value) =>
    integerIn(value, 3600, 86400)
      ? undefined
      : { message: `${WI_TOKEN_EXPIRATION} is "${value}": it must be a whole number of seconds from 3600 to 86400, written as a string ("3600").` },
};

function podChecks(ctx: RuleContext, t: EditTarget, site: PodSite, label: string): Record<string, Check> {
  return {
    [WI_PROXY_PORT]: (value) =>
      integerIn(value, 1, 65535) ? undefined : { message: `${WI_PROXY_PORT} is "${value}": it must be a port number from 1 to 65535, written as a string ("8000").` },
    [WI_SKIP_CONTAINERS]: (value) => {
      // Containers rendered by a template are unknown: nothing can be said about their names.
      if (holdsTemplate(t, site.template, ['spec'])) return undefined;
      const names = containerNames(site.spec);
      const missing = value.split(';').map((n) => n.trim()).filter((n) => n !== '' && !names.includes(n));
      if (missing.length === 0) return undefined;
      return {
        message:
          `${WI_SKIP_CONTAINERS} names ${missing.map((n) => `"${n}"`).join(', ')}, which ${missing.length === 1 ? 'is not a container' : 'are not containers'} of this pod ` +
          `(${names.join(', ') || 'none'}), so the containers it meant to skip are still injected. Separate names with ";".`,
      };
    },
    [WI_INJECT_PROXY]: (value, pair) => {
      if (value.toLowerCase() !== 'false') return undefined;
      return {
        message:
          `${WI_INJECT_PROXY} is "false", but the webhook injects the proxy sidecar whenever the annotation is present, whatever its value. ` +
          'Remove the annotation to go without the sidecar.',
        fix: ctx.fix({ title: `Remove annotation ${WI_INJECT_PROXY} from ${site.owner.kind} ${site.owner.name ?? '(unnamed)'}`, label, edits: [removeEntry(t, site.metadata!, 'annotations', pair)] }),
      };
    },
  };
}

/**
 * Every workload identity annotation of `map` (except `use`, which is wi-use-label's): its value
 * checked by key, then whether Kubernetes reads it as a string at all.
 */
function checkValues(ctx: RuleContext, t: EditTarget, map: YAMLMap, checks: Record<string, Check>, label: string): void {
  for (const item of map.items) {
    const pair = item as WiPair;
    const key = scalarString(pair.key);
    if (!key?.startsWith(PREFIX) || key === WI_USE || !isScalar(pair.value) || templatedNode(t, pair.value)) continue;
    const text = ctx.file.text.slice(...rangeOf(ctx.doc, pair.value));
    const problem = checks[key]?.(scalarString(pair.value) ?? '', pair);
    if (problem) {
      ctx.report({ node: pair.value, message: problem.message, fix: problem.fix });
    } else if (readsAsNonString(pair.value)) {
      ctx.report({
        node: pair.value,
        message:
          `${key}: ${text} is not a string (YAML reads it as a ${typeof pair.value.value === 'number' ? 'number' : 'boolean'}), ` +
          `and Kubernetes rejects annotation values that are not strings. Quote it: "${text}".`,
        fix: ctx.fix({ title: 'Quote the annotation value', label, edits: [replaceScalar(t, pair.value, text, 'QUOTE_DOUBLE')] }),
      });
    }
  }
}

/**
 * The sidecar switches are read from the pod's annotations only; as labels they do nothing. One
 * fix moves all of them, so that two moves never race to create `annotations:`.
 */
function checkSidecarLabels(ctx: RuleContext, t: EditTarget, site: PodSite, label: string): void {
  const labels = mapAt(site.metadata!, ['labels']);
  const misplaced = labels ? SIDECAR_KEYS.flatMap((key) => pairOf(labels, key) ?? []) : [];
  if (!labels || misplaced.length === 0) return;
  const annotations = mapAt(site.metadata!, ['annotations']);
  const fix = moveToAnnotations(ctx, t, site, labels, misplaced, label);
  for (const pair of misplaced) {
    const key = String(pair.key.value);
    const already = annotations && pairOf(annotations, key);
    ctx.report({
      node: pair.key,
      message:
        `${key} is written as a label; the webhook reads it only from the pod's annotations, so this does nothing. ` +
        (already ? 'The annotation is already there: remove the label.' : "Move it to the pod template's annotations."),
      fix,
    });
  }
}

function moveToAnnotations(ctx: RuleContext, t: EditTarget, site: PodSite, labels: YAMLMap, pairs: WiPair[], label: string): Fix | undefined {
  const metadata = site.metadata!;
  if (pairs.some((p) => p.value !== null && templatedNode(t, p.value)) || holdsTemplate(t, site.template, ['metadata', 'annotations'])) return undefined;
  const annotations = mapAt(metadata, ['annotations']);
  const moved = pairs.filter((p) => !(annotations && pairOf(annotations, String(p.key.value))));
  const entries = moved.map((p): [string, string] => [String(p.key.value), valueText(ctx, p)]);
  let inserts: Array<TextEdit | undefined> = [];
  if (annotations) inserts = entries.map(([k, v]) => insertPair(t, annotations, k, v));
  else if (entries.length > 0) inserts = pairOf(metadata, 'annotations') ? [undefined] : [insertMapPair(t, metadata, 'annotations', entries)];
  const removals = removeAll(t, metadata, labels, pairs);
  const title = moved.length === 0 ? 'Remove the labels (the annotations are already there)' : 'Move the sidecar keys to the pod annotations';
  return removals ? ctx.fix({ title, label, edits: [...removals, ...inserts] }) : undefined;
}

/** Removes `pairs` from `labels` (the whole `labels:` when they are all it holds), or undefined. */
function removeAll(t: EditTarget, metadata: YAMLMap, labels: YAMLMap, pairs: WiPair[]): TextEdit[] | undefined {
  if (pairs.length === 1) {
    const edit = removeEntry(t, metadata, 'labels', pairs[0]);
    return edit && [edit];
  }
  const holder = pairOf(metadata, 'labels');
  const whole = holder && pairs.length === labels.items.length ? removePair(t, metadata, holder) : undefined;
  if (whole && !t.file.text.slice(whole.start, whole.end).includes('#')) return [whole];
  const edits = sortEdits(pairs.map((p) => removePair(t, labels, p)).filter((e): e is TextEdit => e !== undefined));
  const overlap = edits.some((e, i) => i > 0 && e.start < edits[i - 1].end);
  return edits.length === pairs.length && !overlap ? edits : undefined;
}

/** The value as an annotation takes it: its own text, quoted when Kubernetes would not read a string. */
function valueText(ctx: RuleContext, pair: WiPair): string {
  if (!pair.value) return '""';
  const text = ctx.file.text.slice(...rangeOf(ctx.doc, pair.value));
  return readsAsNonString(pair.value) ? JSON.stringify(text) : text === '' ? '""' : text;
}

/** The proxy sidecar refuses pods on the host network, and it is injected whenever its annotation is present. */
function checkHostNetwork(ctx: RuleContext, t: EditTarget, site: PodSite, annotations: YAMLMap): void {
  const inject = pairOf(annotations, WI_INJECT_PROXY);
  const host = site.spec ? pairOf(site.spec, 'hostNetwork') : undefined;
  if (!inject || !host || !isScalar(host.value) || templatedNode(t, host.value) || host.value.value !== true) return;
  const [start, end] = rangeOf(ctx.doc, inject.key);
  ctx.report({
    node: host.value,
    message:
      `This pod runs on the host network and asks for the workload identity proxy sidecar (${WI_INJECT_PROXY}), which refuses hostNetwork pods. ` +
      'Drop hostNetwork, or drop the sidecar and use an Azure SDK that reads the federated token itself.',
    related: [{ file: ctx.file.path, start, end, message: `${WI_INJECT_PROXY} asks for the sidecar` }],
  });
}
