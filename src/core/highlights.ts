import { isScalar, type Document, type Node, type YAMLMap } from 'yaml';
import { isTemplated } from './helm';
import {
  annotationsOf,
  labelSelectorsOf,
  labelsOf,
  LABEL_POD_IDENTITY,
  mapAt,
  metadataOf,
  pairOf,
  podSiteOf,
  POD_IDENTITY_GROUP,
  selectorHits,
  WI_CLIENT_ID,
  WI_INJECT_PROXY,
  WI_PROXY_PORT,
  WI_SKIP_CONTAINERS,
  WI_TENANT_ID,
  WI_TOKEN_EXPIRATION,
  WI_USE,
} from './k8s';
import { rangeOf, type K8sObject, type ManifestDoc, type ManifestFile } from './model';
import { runSteps, type Steps } from './steps';
import { csiPodIdentity, usePodIdentity } from './rules/csi-pod-identity';
import { azureProvider, podIdentityBlocks } from './keda';
import { kedaPodIdentityProvider } from './rules/keda-pod-identity-provider';
import { podIdentityLabel } from './rules/pod-identity-label';
import { isPodIdentityGroup, podIdentityResource } from './rules/pod-identity-resource';
import { wiUseLabel } from './rules/wi-use-label';
import type { EditTarget } from './yaml-edit';

// The kinds live in a module of their own: the editor's main bundle declares them without this one.
import type { HighlightKind } from './highlightKinds';
export { HIGHLIGHT_KINDS, type HighlightKind } from './highlightKinds';

/** A span of one line to colour: file offsets, quotes excluded. */
export interface Highlight {
  start: number;
  end: number;
  kind: HighlightKind;
}

const WI_KEYS = new Set([WI_USE, WI_CLIENT_ID, WI_TENANT_ID, WI_TOKEN_EXPIRATION, WI_SKIP_CONTAINERS, WI_INJECT_PROXY, WI_PROXY_PORT]);
const POD_IDENTITY_ANNOTATION = new RegExp(`^${POD_IDENTITY_GROUP.replace(/\./g, '\\.')}/[A-Za-z0-9_.-]+$`);

/**
 * The spans to colour in a file: pod identity usages and workload identity keys, found in the
 * parsed model where the rules look for them, and only in the objects of the kinds each rule
 * checks. A document that is not a Kubernetes object (a GitHub workflow, a compose file, chart
 * values) gets none, and neither do comments, block scalars or strings that merely mention a key.
 * Documents the pre-scan skipped have nothing to colour (every key coloured holds a word it looks for).
 */
export function highlightsOf(file: ManifestFile): Highlight[] {
  return runSteps(highlightsSteps(file));
}

/** A document's spans, by its parse, as offsets from its start: a document an edit only moved is not read again. */
const ofParses = new WeakMap<Document.Parsed, { source: string; spans: Highlight[] }>();

/** `highlightsOf` as steps: a step every 50 documents (the editor runs it in time slices). */
export function* highlightsSteps(file: ManifestFile): Steps<Highlight[]> {
  const found = new Map<number, Highlight>();
  // Template text decides what is coloured: a Helm file's documents are read each time.
  const cacheable = file.masked.actions.length === 0;
  for (const [i, doc] of file.docs.entries()) {
    if (i % 50 === 49) yield;
    const kept = cacheable ? ofParses.get(doc.yaml) : undefined;
    let spans: Highlight[];
    if (kept && kept.source === doc.source) spans = kept.spans;
    else {
      spans = [];
      const add = (node: unknown, kind: HighlightKind) => {
        const h = spanOf(file, doc, node, kind);
        if (h) spans.push({ start: h.start - doc.start, end: h.end - doc.start, kind });
      };
      const t: EditTarget = { file, doc };
      for (const obj of doc.objects) highlightObject(t, obj, add);
      if (cacheable) ofParses.set(doc.yaml, { source: doc.source, spans });
    }
    for (const h of spans) if (!found.has(h.start + doc.start)) found.set(h.start + doc.start, { start: h.start + doc.start, end: h.end + doc.start, kind: h.kind });
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

type Add = (node: unknown, kind: HighlightKind) => void;

function highlightObject(t: EditTarget, obj: K8sObject, add: Add): void {
  const checks = (rule: { kinds: readonly string[] }) => rule.kinds.includes(obj.kind);
  const site = podSiteOf(obj);
  const own = metadataOf(obj);
  const metadatas = [own, ...(site?.metadata && site.metadata !== own ? [site.metadata] : [])];

  if (checks(podIdentityLabel)) {
    if (site) for (const m of metadatas) keysOf(labelsOf(m), (key) => key === LABEL_POD_IDENTITY, 'podIdentityLabel', add);
    selectorKeys(obj.node, LABEL_POD_IDENTITY, 'podIdentityLabel', add);
  }
  if (checks(wiUseLabel)) {
    const isWi = (key: string) => WI_KEYS.has(key);
    for (const m of metadatas) {
      keysOf(labelsOf(m), isWi, 'workloadIdentityKey', add);
      keysOf(annotationsOf(m), isWi, 'workloadIdentityKey', add);
    }
    if (site && site.path.length > 0) {
      const selector = mapAt(obj.node, [...site.path.slice(0, -1), 'selector']);
      if (selector) for (const key of WI_KEYS) selectorHits(selector, key, obj.kind === 'ReplicationController').forEach((n) => add(n, 'workloadIdentityKey'));
    }
  }
  if (checks(podIdentityResource) && isPodIdentityGroup(t, obj)) {
    add(pairOf(obj.node, 'kind')?.value, 'podIdentityKind');
    if (obj.apiVersion?.split('/')[0] === POD_IDENTITY_GROUP) add(pairOf(obj.node, 'apiVersion')?.value, 'podIdentityApiVersion');
    keysOf(annotationsOf(own), (key) => POD_IDENTITY_ANNOTATION.test(key), 'podIdentityAnnotation', add);
  }
  if (checks(csiPodIdentity)) {
    const params = mapAt(obj.node, ['spec', 'parameters']);
    const use = params && usePodIdentity(t, params);
    if (use) {
      add(use.key, 'podIdentityCsi');
      add(use.value, 'podIdentityCsi');
    }
  }
  if (checks(kedaPodIdentityProvider)) {
    for (const { block } of podIdentityBlocks(t, obj)) add(azureProvider(t, block), 'podIdentityKedaProvider');
  }
}

function keysOf(map: YAMLMap | undefined, match: (key: string) => boolean, kind: HighlightKind, add: Add): void {
  for (const pair of map?.items ?? []) {
    if (isScalar(pair.key) && typeof pair.key.value === 'string' && match(pair.key.value)) add(pair.key, kind);
  }
}

/** `key` in every label selector of an object (`selector`, `labelSelector`, `podSelector`, at any depth). */
function selectorKeys(root: Node, key: string, kind: HighlightKind, add: Add): void {
  for (const { key: under, selector } of labelSelectorsOf(root)) selectorHits(selector, key, under === 'selector').forEach((n) => add(n, kind));
}

/** The span of a scalar on one line, inside its quotes; none for other nodes or template text. */
function spanOf(file: ManifestFile, doc: ManifestDoc, node: unknown, kind: HighlightKind): Highlight | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  let [start, end] = rangeOf(doc, node);
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') [start, end] = [start + 1, end - 1];
  const text = file.text.slice(start, end);
  if (end <= start || /[\r\n]/.test(text) || isTemplated(file.masked.actions, start, end) || text.includes('{{')) return undefined;
  return { start, end, kind };
}
