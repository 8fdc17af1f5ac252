import { isScalar, type Scalar } from 'yaml';
import { inlinePodIdentity } from '../gitops';
import { labelsOf, LABEL_POD_IDENTITY, mapAt, pairOf, podSiteOf, scalarString } from '../k8s';
import { editOf, originOf } from '../incremental';
import { rangeOf, type K8sObject, type ManifestDoc, type ManifestFile } from '../model';
import type { RelatedLocation } from '../rule';
import { specPair, type BindingFact, type Located, type PodFact } from '../facts';
import { runSteps, type Steps } from '../steps';
import { prepareDerived, type WorkspaceIndex } from '../workspace';
import { rawText, templatedNode, type EditTarget } from '../yaml-edit';
import { kedaPodIdentitySelectors } from './pod-identity-chart-values';
import { misspeltBindingLabels } from './pod-identity-label-typo';

/**
 * Who in the workspace still depends on a pod identity object, for rule pod-identity-resource.
 * The index knows literal labels and names; this adds what it records as unknown (template
 * actions) and what it does not read (Helm values that label a chart's pods). Names written by
 * template actions already read as their real text (see the model).
 */

export function label(obj: { kind: string; name?: string; namespace?: string }): string {
  return `${obj.kind} ${obj.namespace ? `${obj.namespace}/` : ''}${obj.name ?? ''}`.trim();
}

export { rawText } from '../yaml-edit';

/** What a templated value can render to: each action stands for any text. */
function templatePattern(t: EditTarget, node: Scalar): RegExp {
  const parts = rawText(t, node).split(/\{\{[\s\S]*?\}\}/).map(escapeRegExp);
  return new RegExp(`^${parts.join('.*')}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Exactly this value. */
function exactly(value: string): RegExp {
  return new RegExp(`^${escapeRegExp(value)}$`);
}

function at(where: Located, message: string): RelatedLocation {
  return { file: where.file, start: where.start, end: where.end, message };
}

function owner(p: PodFact): string {
  return label({ kind: p.ownerKind, name: p.ownerName, namespace: p.namespace });
}

function bindingLabel(b: BindingFact): string {
  return label({ kind: 'AzureIdentityBinding', name: b.name, namespace: b.namespace });
}

/** Users of a pod identity object; none for kinds nothing refers to. */
export function usersOf(index: WorkspaceIndex, file: ManifestFile, obj: K8sObject): RelatedLocation[] {
  const start = rangeOf(obj.doc, obj.node)[0];
  const refs = referencesIn(index);
  switch (obj.kind) {
    case 'AzureIdentity': {
      const self = index.identityAt(file.path, start);
      if (!self) return [];
      return [
        ...index.bindingsForIdentity(self).map((b) => at(b, `still used by ${bindingLabel(b)}`)),
        ...refs.identityNames.filter((r) => r.pattern.test(self.name)).map((r) => at(r, `${r.shown} ${r.how}`)),
      ];
    }
    case 'AzureIdentityBinding': {
      const t: EditTarget = { file, doc: obj.doc };
      const selectorNode = specPair(mapAt(obj.node, ['spec']), 'selector')?.value;
      if (isScalar(selectorNode) && templatedNode(t, selectorNode)) {
        // A templated selector may select any labelled pod that fits it.
        const pattern = templatePattern(t, selectorNode);
        return [
          ...index.labelledPods.filter((p) => pattern.test(p.bindingLabel!)).map((p) => at(p, `${owner(p)} may be selected by it`)),
          ...refs.podLabels.map((r) => at(r, `${r.shown} ${r.how}`)),
        ];
      }
      // A binding without a selector selects no pod.
      const selector = index.bindingAt(file.path, start)?.selector;
      if (selector === undefined) return [];
      return [
        ...index.podsWithBindingLabel(selector).map((p) => at(p, `still used by ${owner(p)}`)),
        ...refs.podLabels.filter((r) => r.pattern.test(selector)).map((r) => at(r, `${r.shown} ${r.how}`)),
      ];
    }
    case 'AzurePodIdentityException':
      return [
        ...index.labelledPods.map((p) => at(p, `pod identity still used by ${owner(p)}`)),
        ...refs.podLabels.map((r) => at(r, `pod identity still used: ${r.shown} ${r.how}`)),
        ...index.bindings.map((b) => at(b, `pod identity still used: ${bindingLabel(b)}`)),
      ];
    default:
      return [];
  }
}

/** A reference the index does not resolve: a templated label or name, or a chart's values. */
interface Reference extends Located {
  shown: string;
  /** Why it counts, after "<shown>" (the related location names the file). */
  how: string;
  /** The values it can take. */
  pattern: RegExp;
}

interface References {
  /** Pod labels `aadpodidbinding` the index does not know: templated, or set through chart values. */
  podLabels: Reference[];
  /** Templated `azureIdentity` names of bindings. */
  identityNames: Reference[];
}

const cache = new WeakMap<ManifestFile, References>();

/** The references of every file the index holds, once per state of the index. */
function referencesIn(index: WorkspaceIndex): References {
  return index.derived(referencesIn, () => runSteps(allReferences(index)));
}

// Worked out before a check, in steps: the first check of a big file does not read every document in one go.
prepareDerived(referencesIn, allReferences);

function* allReferences(index: WorkspaceIndex): Steps<References> {
  const all: References = { podLabels: [], identityNames: [] };
  for (const path of index.paths) {
    const file = index.parsedFile(path);
    // Most files of a big tree: the pre-scan skipped every document, so nothing is read of them.
    if (!file || file.docs.length === 0) continue;
    let refs = cache.get(file);
    if (!refs) cache.set(file, (refs = yield* referencesOf(file, index)));
    all.podLabels.push(...refs.podLabels);
    all.identityNames.push(...refs.identityNames);
  }
  // A templated value that the chart's values render is known to the index: no wildcard.
  const unknown = <F extends Located>(refs: Reference[], facts: () => F[], value: (f: F) => string | undefined) => {
    if (refs.length === 0) return refs;
    // The first fact at each place, as a search from the start would find it.
    const first = new Map<string, F>();
    for (const f of facts()) if (!first.has(`${f.start}\u0000${f.file}`)) first.set(`${f.start}\u0000${f.file}`, f);
    return refs.filter((r) => {
      const fact = first.get(`${r.start}\u0000${r.file}`);
      return !fact || value(fact) === undefined;
    });
  };
  return { podLabels: unknown(all.podLabels, () => index.labelledPods, (p) => p.bindingLabel), identityNames: unknown(all.identityNames, () => index.bindings, (b) => b.identityName) };
}

/** Each document's references, read once per parse of it (a document an edit only moved gets its origin's, moved). */
const ofDocs = new WeakMap<ManifestDoc, { file: ManifestFile; refs: References }>();

function* referencesOf(file: ManifestFile, index: WorkspaceIndex): Steps<References> {
  return referencesAfterEdit(file, index) ?? (yield* referencesOfDocs(file, file.docs, index));
}

/**
 * After an edit of a file without template text whose previous version's references are known:
 * those before the changed window as they were, those after it moved, and the window's documents
 * read again. No document outside the window is visited.
 */
function referencesAfterEdit(file: ManifestFile, index: WorkspaceIndex): References | undefined {
  const edit = editOf(file);
  const before = edit && cache.get(edit.previous);
  if (!edit || !before || file.masked.actions.length > 0 || edit.previous.masked.actions.length > 0) return undefined;
  const delta = edit.newEnd - edit.oldEnd;
  const window = runSteps(
    referencesOfDocs(
      file,
      file.docs.filter((d) => d.start >= edit.start && d.start < edit.newEnd),
      index,
    ),
  );
  const around = (list: Reference[], inWindow: Reference[]): Reference[] => {
    const out: Reference[] = [];
    for (const r of list) if (r.end <= edit.start) out.push(r);
    out.push(...inWindow);
    for (const r of list) if (r.start >= edit.oldEnd) out.push(delta === 0 ? r : { ...r, start: r.start + delta, end: r.end + delta });
    return out;
  };
  return { podLabels: around(before.podLabels, window.podLabels), identityNames: around(before.identityNames, window.identityNames) };
}

/** The references of `docs`: a step every hundred documents read. */
function* referencesOfDocs(file: ManifestFile, docs: readonly ManifestDoc[], index: WorkspaceIndex): Steps<References> {
  const refs: References = { podLabels: [], identityNames: [] };
  let read = 0;
  for (const doc of docs) {
    if (++read % 100 === 0) yield;
    const origin = originOf(doc);
    const known = ofDocs.get(doc) ?? ofDocs.get(origin);
    if (known && (known.file.path === file.path || known.file === file) && known.file.masked.actions.length === 0 && file.masked.actions.length === 0) {
      const move = (r: Reference): Reference => ({ ...r, start: r.start + doc.start - origin.start, end: r.end + doc.start - origin.start });
      const none = known.refs.podLabels.length === 0 && known.refs.identityNames.length === 0;
      const mine = ofDocs.has(doc) || none ? known.refs : { podLabels: known.refs.podLabels.map(move), identityNames: known.refs.identityNames.map(move) };
      // Kept for the moved copy too: the next edit finds it there, not by its origin (which is forgotten).
      if (!ofDocs.has(doc)) ofDocs.set(doc, { file, refs: mine });
      refs.podLabels.push(...mine.podLabels);
      refs.identityNames.push(...mine.identityNames);
      continue;
    }
    const mine = referencesOfDoc(file, doc, index);
    ofDocs.set(doc, { file, refs: mine });
    refs.podLabels.push(...mine.podLabels);
    refs.identityNames.push(...mine.identityNames);
  }
  // The if/else alternatives of a document share most of their objects: each reference once.
  const once = (list: Reference[], seen = new Set<string>()) => list.filter((r) => !seen.has(`${r.start}:${r.end}:${r.how}`) && !!seen.add(`${r.start}:${r.end}:${r.how}`));
  return { podLabels: once(refs.podLabels), identityNames: once(refs.identityNames) };
}

function referencesOfDoc(file: ManifestFile, doc: ManifestDoc, index: WorkspaceIndex): References {
  const refs: References = { podLabels: [], identityNames: [] };
  {
    const t: EditTarget = { file, doc };
    for (const node of kedaPodIdentitySelectors(doc)) {
      const [start, end] = rangeOf(doc, node);
      const selector = String(node.value);
      const pattern = templatedNode(t, node) ? templatePattern(t, node) : exactly(selector);
      refs.podLabels.push({ file: file.path, start, end, shown: 'KEDA chart values', how: `label the KEDA operator aadpodidbinding: ${selector}`, pattern });
    }
    for (const obj of doc.objects) {
      const [start, end] = rangeOf(doc, obj.node);
      const shown = label({ kind: obj.kind, name: obj.name, namespace: index.namespaceOf(obj) });
      // A misspelt label binds nothing, but it is the trace of the identity the pod meant: that stays.
      for (const miss of misspeltBindingLabels(obj)) {
        const value = templatedNode(t, miss.pair.value) ? undefined : scalarString(miss.pair.value);
        const pattern = value === undefined ? /^/ : exactly(value);
        refs.podLabels.push({ file: file.path, start, end, shown, how: `has the misspelt ${miss.where === 'labels' ? 'label' : 'annotation'} ${miss.key}: ${value ?? '(templated)'} that meant it`, pattern });
      }
      // Values and patches inline in an Argo CD Application or a Flux object label the pods they render.
      for (const hit of inlinePodIdentity(file, obj)) {
        if ((hit.kind === 'label' || hit.kind === 'keda-chart') && hit.value) {
          refs.podLabels.push({ file: file.path, start: hit.start, end: hit.end, shown, how: `carries aadpodidbinding: ${hit.value} inline in ${hit.where}`, pattern: exactly(hit.value) });
        }
      }
      if (file.masked.actions.length === 0) continue;
      const add = (list: Reference[], node: unknown, how: string) => {
        if (isScalar(node) && templatedNode(t, node)) list.push({ file: file.path, start, end, shown, how, pattern: templatePattern(t, node) });
      };
      if (obj.kind === 'AzureIdentityBinding') {
        add(refs.identityNames, specPair(mapAt(obj.node, ['spec']), 'azureIdentity')?.value, 'names a templated identity that may be this one');
      }
      const labels = labelsOf(podSiteOf(obj)?.metadata);
      add(refs.podLabels, labels ? pairOf(labels, LABEL_POD_IDENTITY)?.value : undefined, 'has a templated aadpodidbinding label that may select it');
    }
  }
  return refs;
}
