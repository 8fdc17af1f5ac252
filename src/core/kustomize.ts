import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type YAMLMap } from 'yaml';
import { mapAt, pairOf, scalarString } from './k8s';
import type { ManifestDoc, ManifestFile } from './model';
import { dirOf, joinPath } from './paths';

/**
 * What a `kustomization.yaml` says, read from its parse: the entries kustomize builds from
 * (resources, components, patches of every spelling) and the transformations it applies
 * (namespace, name prefix and suffix, labels, vars). Paths are resolved against the
 * kustomization's folder, in the engine's path keys (`core/paths.ts`).
 */

/** Which objects a patch applies to (kustomize's `target`; `name` is a regular expression there). */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

/** One JSON 6902 operation (`op`, `path`, `value`). */
export interface JsonOp {
  op: string;
  path: string;
  value: unknown;
}

export interface KPatch {
  /** The patch file (resolved), when the patch is not inline. */
  path?: string;
  /** Inline patch text (a `patch: |` entry or an inline strategic merge patch). */
  inline?: string;
  target?: PatchTarget;
  /** `patchesStrategicMerge`, `patchesJson6902`, or `patches` (either, told apart by content). */
  field: 'patches' | 'patchesStrategicMerge' | 'patchesJson6902';
  /** The entry's node in the kustomization. */
  node: Node;
}

export interface KVar {
  name: string;
  kind: string | undefined;
  objectName: string | undefined;
  fieldPath: string;
}

export interface Kustomization {
  /** The kustomization file's path key. */
  path: string;
  dir: string;
  file: ManifestFile;
  doc: ManifestDoc;
  root: YAMLMap;
  /** `resources` and `bases`, resolved: files, or folders holding a kustomization. */
  resources: string[];
  components: string[];
  patches: KPatch[];
  namespace: string | undefined;
  namePrefix: string;
  nameSuffix: string;
  /** `commonLabels` and `labels` entries: their pairs, and whether selectors get them too. */
  labels: Array<{ map: YAMLMap; includeSelectors: boolean; includeTemplates: boolean }>;
  vars: KVar[];
  /** Objects `replacements` read from (kind, name). */
  replacementSources: Array<{ kind: string | undefined; name: string | undefined }>;
  /** Entries that name something outside the workspace (a URL, a missing path). */
  unresolved: string[];
}

/** The kustomization a file holds: its first document, a map whose `kind` (if written) is Kustomization or Component. */
export function readKustomization(file: ManifestFile): Kustomization | undefined {
  const doc = file.docs.find((d) => isMap(d.yaml.contents) && d.errors.length === 0);
  const root = doc?.yaml.contents;
  if (!doc || !isMap(root)) return undefined;
  const kind = scalarString(root.get('kind', true));
  if (kind !== undefined && kind !== 'Kustomization' && kind !== 'Component') return undefined;
  const apiVersion = scalarString(root.get('apiVersion', true));
  // A Flux Kustomization object (kustomize.toolkit.fluxcd.io) is a cluster object, not a kustomize file.
  if (apiVersion?.includes('toolkit.fluxcd.io')) return undefined;
  const dir = dirOf(file.path);
  const strings = (key: string): string[] => seqOf(root, key).flatMap((n) => (scalarString(n) !== undefined ? [scalarString(n)!] : []));
  const unresolved: string[] = [];
  const local = (entry: string): string[] => {
    if (/^[a-z]+:\/\/|^git@|^github\.com\//i.test(entry) || entry.includes('?ref=')) {
      unresolved.push(entry);
      return [];
    }
    return [joinPath(dir, entry)];
  };
  const patches: KPatch[] = [];
  for (const node of seqOf(root, 'patches')) {
    if (!isMap(node)) continue;
    const path = scalarString(node.get('path', true));
    patches.push({ field: 'patches', node, path: path ? local(path)[0] : undefined, inline: scalarString(node.get('patch', true)), target: targetOf(mapAt(node, ['target'])) });
  }
  for (const node of seqOf(root, 'patchesStrategicMerge')) {
    const text = scalarString(node);
    if (text === undefined) continue;
    patches.push(text.includes('\n') || text.includes(': ') ? { field: 'patchesStrategicMerge', node, inline: text } : { field: 'patchesStrategicMerge', node, path: local(text)[0] });
  }
  for (const node of seqOf(root, 'patchesJson6902')) {
    if (!isMap(node)) continue;
    const path = scalarString(node.get('path', true));
    patches.push({ field: 'patchesJson6902', node, path: path ? local(path)[0] : undefined, inline: scalarString(node.get('patch', true)), target: targetOf(mapAt(node, ['target'])) });
  }
  const labels: Kustomization['labels'] = [];
  const common = mapAt(root, ['commonLabels']);
  if (common) labels.push({ map: common, includeSelectors: true, includeTemplates: true });
  for (const node of seqOf(root, 'labels')) {
    const pairs = isMap(node) ? mapAt(node, ['pairs']) : undefined;
    if (!pairs || !isMap(node)) continue;
    const flag = (key: string) => isScalar(node.get(key, true)) && (node.get(key, true) as { value: unknown }).value === true;
    labels.push({ map: pairs, includeSelectors: flag('includeSelectors'), includeTemplates: flag('includeSelectors') || flag('includeTemplates') });
  }
  const vars = seqOf(root, 'vars').flatMap((node): KVar[] => {
    const name = isMap(node) ? scalarString(node.get('name', true)) : undefined;
    if (!name || !isMap(node)) return [];
    const objref = mapAt(node, ['objref']);
    return [{
      name,
      kind: objref ? scalarString(objref.get('kind', true)) : undefined,
      objectName: objref ? scalarString(objref.get('name', true)) : undefined,
      fieldPath: scalarString(mapAt(node, ['fieldref'])?.get('fieldpath', true)) ?? 'metadata.name',
    }];
  });
  const replacementSources = seqOf(root, 'replacements').flatMap((node) => {
    const source = isMap(node) ? mapAt(node, ['source']) : undefined;
    return source ? [{ kind: scalarString(source.get('kind', true)), name: scalarString(source.get('name', true)) }] : [];
  });
  return {
    path: file.path,
    dir,
    file,
    doc,
    root,
    resources: [...strings('resources'), ...strings('bases')].flatMap(local),
    components: strings('components').flatMap(local),
    patches,
    namespace: scalarString(root.get('namespace', true)) || undefined,
    namePrefix: scalarString(root.get('namePrefix', true)) ?? '',
    nameSuffix: scalarString(root.get('nameSuffix', true)) ?? '',
    labels,
    vars,
    replacementSources,
    unresolved,
  };
}

function seqOf(root: YAMLMap, key: string): Node[] {
  const value = pairOf(root, key)?.value;
  return isSeq(value) ? (value.items as Node[]) : [];
}

function targetOf(map: YAMLMap | undefined): PatchTarget | undefined {
  if (!map) return undefined;
  const get = (key: string) => scalarString(map.get(key, true));
  return { group: get('group'), version: get('version'), kind: get('kind'), name: get('name'), namespace: get('namespace'), labelSelector: get('labelSelector') };
}

/** An inline patch's documents (parsed on their own; their offsets are not the kustomization's). */
export function inlinePatchDocs(text: string): unknown[] {
  return parseAllDocuments(text).flatMap((d) => ('errors' in d && d.errors.length === 0 ? [d.toJS() as unknown] : []));
}

/** The operations of a JSON 6902 patch (a list of `{op, path, value}`), or undefined when it is no such list. */
export function jsonOpsOf(value: unknown): JsonOp[] | undefined {
  if (!Array.isArray(value) || !value.every((o) => o && typeof o === 'object' && typeof (o as JsonOp).op === 'string' && typeof (o as JsonOp).path === 'string')) return undefined;
  return value as JsonOp[];
}
