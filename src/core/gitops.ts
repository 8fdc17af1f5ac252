import { isMap, isScalar, isSeq, visit, type Node } from 'yaml';
import { embeddedYaml, fileRangeOf } from './embedded';
import { LABEL_POD_IDENTITY, mapAt, pairOf, scalarString } from './k8s';
import { rangeOf, type K8sObject, type ManifestFile } from './model';

/**
 * Pod identity carried inline by GitOps objects: an Argo CD `Application`'s Helm values (a YAML
 * string, `valuesObject`, `parameters`) and kustomize patches, a Flux `Kustomization`'s patches and a
 * Flux `HelmRelease`'s values. What the cluster receives is rendered from them, so they are
 * pod identity usages as much as a manifest is.
 */

export type HitKind = 'label' | 'csi' | 'agic' | 'keda-provider' | 'keda-chart';

export interface InlineHit {
  kind: HitKind;
  /** File offsets of what to point at (the label key, the value to change). */
  start: number;
  end: number;
  /** The label value or KEDA chart identity (a binding selector), when written out. */
  value: string | undefined;
  /** Where in the object it was found, for messages ("spec.source.helm.values"). */
  where: string;
}

const GROUPS: Record<string, string> = {
  Application: 'argoproj.io',
  Kustomization: 'kustomize.toolkit.fluxcd.io',
  HelmRelease: 'helm.toolkit.fluxcd.io',
};

export const GITOPS_KINDS = Object.keys(GROUPS);

/** True for an Argo CD Application, Flux Kustomization or Flux HelmRelease (by its API group). */
function isGitOpsObject(obj: K8sObject): boolean {
  const group = GROUPS[obj.kind];
  return group !== undefined && obj.apiVersion?.split('/')[0] === group;
}

/** A place that holds inline content: a node, and whether it is YAML text in a string. */
interface Inline {
  node: unknown;
  where: string;
  as: 'yaml-string' | 'yaml' | 'helm-parameters';
}

function inlinesOf(obj: K8sObject): Inline[] {
  const out: Inline[] = [];
  const patches = (seq: unknown, where: string) => {
    if (!isSeq(seq)) return;
    seq.items.forEach((p, i) => {
      if (!isMap(p)) return;
      const patch = p.get('patch', true);
      out.push({ node: patch, where: `${where}[${i}].patch`, as: isScalar(patch) ? 'yaml-string' : 'yaml' });
    });
  };
  const spec = mapAt(obj.node, ['spec']);
  if (!spec) return out;
  switch (obj.kind) {
    case 'Application': {
      const sources: Array<[unknown, string]> = [[spec.get('source', true), 'spec.source']];
      const many = spec.get('sources', true);
      if (isSeq(many)) many.items.forEach((s, i) => sources.push([s, `spec.sources[${i}]`]));
      for (const [source, where] of sources) {
        if (!isMap(source)) continue;
        const helm = mapAt(source, ['helm']);
        if (helm) {
          out.push({ node: helm.get('values', true), where: `${where}.helm.values`, as: isScalar(helm.get('values', true)) ? 'yaml-string' : 'yaml' });
          out.push({ node: helm.get('valuesObject', true), where: `${where}.helm.valuesObject`, as: 'yaml' });
          out.push({ node: helm.get('parameters', true), where: `${where}.helm.parameters`, as: 'helm-parameters' });
        }
        const kustomize = mapAt(source, ['kustomize']);
        if (kustomize) patches(kustomize.get('patches', true), `${where}.kustomize.patches`);
      }
      break;
    }
    case 'Kustomization':
      patches(spec.get('patches', true), 'spec.patches');
      out.push({ node: spec.get('patchesStrategicMerge', true), where: 'spec.patchesStrategicMerge', as: 'yaml' });
      patches(spec.get('patchesJson6902', true), 'spec.patchesJson6902');
      break;
    case 'HelmRelease':
      out.push({ node: spec.get('values', true), where: 'spec.values', as: 'yaml' });
      break;
  }
  return out.filter((i) => i.node !== undefined && i.node !== null);
}

/** Every pod identity usage that a GitOps object carries inline, with file offsets. */
export function inlinePodIdentity(file: ManifestFile, obj: K8sObject): InlineHit[] {
  if (!isGitOpsObject(obj)) return [];
  const hits: InlineHit[] = [];
  for (const inline of inlinesOf(obj)) {
    const found = (kind: HitKind, value?: string) => (range: [number, number] | undefined) => {
      // Text that is not written as is (a folded block, escapes) is pointed at as a whole.
      const [start, end] = range ?? rangeOf(obj.doc, inline.node as Node);
      hits.push({ kind, start, end, value, where: inline.where });
    };
    if (inline.as === 'helm-parameters') {
      for (const p of parameterHits(inline.node)) found(p.kind, p.value)(rangeOf(obj.doc, p.node));
    } else if (inline.as === 'yaml') {
      for (const h of hitsIn(inline.node as Node)) found(h.kind, h.value)(rangeOf(obj.doc, h.node));
    } else if (isScalar(inline.node)) {
      const embedded = embeddedYaml(obj.doc, file.text, inline.node);
      for (const d of embedded?.docs ?? []) {
        for (const h of d.contents ? hitsIn(d.contents) : []) found(h.kind, h.value)(fileRangeOf(embedded!, h.node));
      }
    }
  }
  return hits;
}

interface NodeHit {
  kind: HitKind;
  node: Node;
  value?: string;
}

const isTrue = (node: unknown) => scalarString(node)?.toLowerCase() === 'true';

/** Pod identity in values or patch objects, at any depth. */
function hitsIn(root: Node): NodeHit[] {
  const hits: NodeHit[] = [];
  visit(root, {
    Pair(_, pair, path) {
      const key = scalarString(pair.key);
      const value = pair.value as Node | null;
      if (key === LABEL_POD_IDENTITY && isScalar(pair.key)) hits.push({ kind: 'label', node: pair.key, value: scalarString(value) });
      else if (key === 'usePodIdentity' && isTrue(value)) hits.push({ kind: 'csi', node: value! });
      else if (key === 'armAuth' && isMap(value)) {
        const type = pairOf(value, 'type')?.value;
        if (scalarString(type) === 'aadPodIdentity') hits.push({ kind: 'agic', node: type! });
      } else if (key === 'podIdentity' && isMap(value)) {
        const provider = pairOf(value, 'provider')?.value;
        if (scalarString(provider)?.toLowerCase() === 'azure') hits.push({ kind: 'keda-provider', node: provider! });
        const identity = mapAt(value, ['activeDirectory'])?.get('identity', true);
        if (isScalar(identity) && scalarString(identity)) hits.push({ kind: 'keda-chart', node: identity, value: scalarString(identity) });
      } else if (key === 'path' && /\/labels\/aadpodidbinding$/.test(scalarString(value) ?? '')) {
        // A JSON 6902 operation that adds or replaces the label.
        const op = path[path.length - 1];
        const opMap = isMap(op) ? op : undefined;
        if (value && opMap && /^(add|replace)$/.test(scalarString(opMap.get('op', true)) ?? '')) hits.push({ kind: 'label', node: value, value: scalarString(opMap.get('value', true)) });
      }
    },
  });
  return hits;
}

/** Argo CD `helm.parameters`: `{name, value}` items whose name is a values path. */
function parameterHits(seq: unknown): NodeHit[] {
  if (!isSeq(seq)) return [];
  return seq.items.flatMap((item): NodeHit[] => {
    if (!isMap(item)) return [];
    const nameNode = item.get('name', true);
    const valueNode = item.get('value', true);
    const name = scalarString(nameNode) ?? '';
    const value = scalarString(valueNode);
    const node = (isScalar(valueNode) ? valueNode : nameNode) as Node;
    if (/(^|\.)aadpodidbinding$/.test(name) && isScalar(nameNode)) return [{ kind: 'label', node: nameNode, value }];
    if (/(^|\.)usePodIdentity$/.test(name) && isTrue(valueNode)) return [{ kind: 'csi', node }];
    if (/(^|\.)armAuth\.type$/.test(name) && value === 'aadPodIdentity') return [{ kind: 'agic', node }];
    if (/(^|\.)podIdentity\.provider$/.test(name) && value?.toLowerCase() === 'azure') return [{ kind: 'keda-provider', node }];
    if (/(^|\.)podIdentity\.activeDirectory\.identity$/.test(name) && value) return [{ kind: 'keda-chart', node, value }];
    return [];
  });
}
