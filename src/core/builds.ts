import { isMap } from 'yaml';
import { mapAt, scalarString, TEMPLATE_PATHS } from './k8s';
import { inlinePatchDocs, jsonOpsOf, readKustomization, type JsonOp, type KPatch, type Kustomization, type PatchTarget } from './kustomize';
import type { K8sObject, ManifestFile } from './model';
import { pathKey } from './paths';

/**
 * What kustomize builds from the workspace: for every leaf kustomization (one that no other
 * kustomization includes), the objects it renders, each with where it comes from (its file and
 * the kustomizations that include it, innermost first), the name and namespace it gets, and the
 * patches applied to it. Fixes reason about these rendered objects and edit the file that owns
 * each part of them.
 */

/** Kinds without a namespace: kustomize's namespace does not apply to them. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass',
  'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'ClusterTriggerAuthentication',
]);

/** A patch applied to an object: a patch file's document, inline patch data, or JSON 6902 operations. */
export interface AppliedPatch {
  by: Kustomization;
  patch: KPatch;
  object?: K8sObject;
  data?: unknown;
  ops?: JsonOp[];
  /** Labels added by `commonLabels`/`labels` (as data at the paths they reach), not a patch. */
  labels?: boolean;
}

/** One object as a build renders it. */
export interface BuildObject {
  obj: K8sObject;
  file: string;
  /** The kustomizations that include it, the one listing its file first, the leaf last. */
  chain: Kustomization[];
  /** Its name and namespace as written, then after each kustomization of `chain`. */
  names: string[];
  namespaces: Array<string | undefined>;
  patches: AppliedPatch[];
}

export interface Build {
  leaf: Kustomization;
  objects: BuildObject[];
  /** Every kustomization (and component) the build reads. */
  members: Set<Kustomization>;
}

export const nameOf = (bo: BuildObject): string => bo.names[bo.names.length - 1];
export const namespaceIn = (bo: BuildObject): string | undefined => bo.namespaces[bo.namespaces.length - 1];

/** The name `bo` has when `k`'s own patches apply (after the kustomizations below `k`). */
export function nameBefore(bo: BuildObject, k: Kustomization): string {
  const i = bo.chain.indexOf(k);
  return bo.names[i < 0 ? bo.names.length - 1 : i];
}

export class KustomizeModel {
  readonly kustomizations: Kustomization[] = [];
  private readonly byDir = new Map<string, Kustomization>();
  private readonly memo = new Map<Kustomization, BuildObject[]>();
  private readonly building = new Set<Kustomization>();
  private members = new Set<Kustomization>();
  readonly builds: Build[] = [];
  private readonly places = new Map<K8sObject, Array<{ build: Build; bo: BuildObject }>>();
  private readonly patchTargets = new Map<K8sObject, Array<{ build: Build; bo: BuildObject; applied: AppliedPatch }>>();
  /** Kustomizations that name a local path the workspace does not hold (not YAML, excluded, or missing). */
  private readonly missing = new Set<Kustomization>();
  /** Files listed as patches, and by which kustomizations. */
  readonly patchFiles = new Map<string, Kustomization[]>();
  /** The namespaces builds give each object, by `file#start` of the object. */
  private readonly namespaces = new Map<string, Set<string | undefined>>();
  /** Files listed as resources, and by which kustomizations. */
  readonly resourceFiles = new Map<string, Kustomization[]>();

  constructor(
    files: Iterable<ManifestFile>,
    private readonly fileAt: (key: string) => ManifestFile | undefined,
  ) {
    for (const file of files) {
      if (file.kind !== 'kustomization') continue;
      const k = readKustomization(file);
      if (k) this.kustomizations.push(k);
    }
    // In path order, whatever order the files were read in: builds, messages and fixes come out the same.
    this.kustomizations.sort((a, b) => (pathKey(a.path) < pathKey(b.path) ? -1 : pathKey(a.path) > pathKey(b.path) ? 1 : 0));
    for (const k of this.kustomizations) if (!this.byDir.has(pathKey(k.dir))) this.byDir.set(pathKey(k.dir), k);
    const included = new Set<Kustomization>();
    for (const k of this.kustomizations) {
      for (const entry of [...k.resources, ...k.components]) {
        const sub = this.kustomizationAt(entry);
        if (sub) included.add(sub);
        else if (this.fileAt(pathKey(entry))) add(this.resourceFiles, pathKey(entry), k);
      }
      for (const p of k.patches) if (p.path) add(this.patchFiles, pathKey(p.path), k);
    }
    for (const leaf of this.kustomizations.filter((k) => !included.has(k))) {
      this.members = new Set();
      const objects = this.objectsOf(leaf);
      const build: Build = { leaf, objects, members: this.members };
      this.builds.push(build);
      for (const bo of objects) {
        add(this.places, bo.obj, { build, bo });
        const key = `${pathKey(bo.file)}#${bo.obj.doc.start + (bo.obj.node.range?.[0] ?? 0)}`;
        this.namespaces.set(key, (this.namespaces.get(key) ?? new Set()).add(namespaceIn(bo)));
        for (const applied of bo.patches) if (applied.object) add(this.patchTargets, applied.object, { build, bo, applied });
      }
    }
  }

  /** The kustomization of a folder named by an entry. */
  kustomizationAt(entry: string): Kustomization | undefined {
    return this.byDir.get(pathKey(entry));
  }

  /** Where a resource's object ends up: one place per build that renders it. */
  placesOf(obj: K8sObject): Array<{ build: Build; bo: BuildObject }> {
    return this.places.get(obj) ?? [];
  }

  /**
   * The namespace every build gives the object that starts at offset `start` of `file` (a fact's
   * place), when they agree and set one; undefined otherwise.
   */
  namespaceAt(file: string, start: number): string | undefined {
    const set = this.namespaces.get(`${pathKey(file)}#${start}`);
    return set?.size === 1 ? [...set][0] : undefined;
  }

  /** The objects a patch file's document patches, one per build. */
  targetsOf(patch: K8sObject): Array<{ build: Build; bo: BuildObject; applied: AppliedPatch }> {
    return this.patchTargets.get(patch) ?? [];
  }

  /**
   * True when the build reads something the workspace does not show (a remote base, a path not
   * in the workspace): an object it renders may be missing from the model, so nothing is created
   * on the strength of its absence.
   */
  incomplete(build: Build): boolean {
    return [...build.members].some((k) => k.unresolved.length > 0 || this.missing.has(k));
  }

  /** The leaves that read kustomization `k`. */
  buildsReading(k: Kustomization): Build[] {
    return this.builds.filter((b) => b.members.has(k));
  }

  private objectsOf(k: Kustomization): BuildObject[] {
    this.members.add(k);
    const done = this.memo.get(k);
    if (done) {
      for (const bo of done) for (const m of bo.chain) this.members.add(m);
      return done;
    }
    if (this.building.has(k)) return [];
    this.building.add(k);
    const out: BuildObject[] = [];
    const gather = (entries: string[], into: BuildObject[]) => {
      for (const entry of entries) {
        const sub = this.kustomizationAt(entry);
        if (sub) into.push(...this.objectsOf(sub).map((bo) => ({ ...bo, chain: [...bo.chain, k], names: [...bo.names], namespaces: [...bo.namespaces], patches: [...bo.patches] })));
        else {
          const file = this.fileAt(pathKey(entry));
          if (!file) this.missing.add(k);
          for (const doc of file?.docs ?? []) {
            for (const obj of doc.objects) {
              into.push({ obj, file: file!.path, chain: [k], names: [obj.name ?? ''], namespaces: [obj.namespace], patches: [] });
            }
          }
        }
      }
    };
    gather(k.resources, out);
    for (const entry of k.components) {
      const component = this.byDir.get(pathKey(entry));
      if (!component) continue;
      this.members.add(component);
      gather(component.resources, out);
      this.applyPatches(component, out);
    }
    this.applyPatches(k, out);
    for (const entry of k.labels) {
      const labels: unknown = entry.map.toJSON();
      for (const bo of out) bo.patches.push({ by: k, patch: { field: 'patches', node: entry.map }, labels: true, data: labelData(bo.obj, labels, entry) });
    }
    for (const bo of out) {
      const last = bo.names.length - 1;
      bo.names.push(k.namePrefix || k.nameSuffix ? `${k.namePrefix}${bo.names[last]}${k.nameSuffix}` : bo.names[last]);
      bo.namespaces.push(k.namespace && !CLUSTER_SCOPED.has(bo.obj.kind) ? k.namespace : bo.namespaces[last]);
    }
    this.building.delete(k);
    this.memo.set(k, out);
    return out;
  }

  private applyPatches(k: Kustomization, objects: BuildObject[]): void {
    for (const patch of k.patches) {
      for (const { applied, target } of this.contentsOf(k, patch)) {
        for (const bo of objects) if (matches(bo, target)) bo.patches.push(applied);
      }
    }
  }

  /** A patch's pieces, each with what it targets: its own `target`, or the kind and name its document names. */
  private contentsOf(by: Kustomization, patch: KPatch): Array<{ applied: AppliedPatch; target: PatchTarget }> {
    const file = patch.path ? this.fileAt(pathKey(patch.path)) : undefined;
    const pieces: Array<Omit<AppliedPatch, 'by' | 'patch'> & { id?: PatchTarget }> = [];
    if (file) {
      for (const doc of file.docs) {
        const ops = doc.errors.length === 0 ? jsonOpsOf(doc.yaml.toJS()) : undefined;
        if (ops) pieces.push({ ops });
        for (const object of doc.objects) pieces.push({ object, id: { kind: object.kind, name: object.name, namespace: object.namespace } });
      }
    } else if (patch.inline !== undefined) {
      for (const data of inlinePatchDocs(patch.inline)) {
        const ops = jsonOpsOf(data);
        if (ops) pieces.push({ ops });
        else if (data && typeof data === 'object') {
          const d = data as { kind?: string; metadata?: { name?: string; namespace?: string } };
          pieces.push({ data, id: { kind: d.kind, name: d.metadata?.name, namespace: d.metadata?.namespace } });
        }
      }
    }
    return pieces.flatMap(({ id, ...rest }) => {
      const target = patch.target ?? (id ? { ...id, name: id.name && escapeRegExp(id.name) } : undefined);
      return target ? [{ applied: { by, patch, ...rest }, target }] : [];
    });
  }
}

/** Where kustomize's label transformer writes: the object's labels, its pod template's and its selector's (as asked). */
function labelData(obj: K8sObject, labels: unknown, entry: Kustomization['labels'][number]): unknown {
  const data: Record<string, unknown> = { metadata: { labels } };
  const template = TEMPLATE_PATHS[obj.kind];
  if (template?.length) {
    const set = (path: string[], value: unknown) => {
      let at = data;
      for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
      at[path[path.length - 1]] = value;
    };
    if (entry.includeTemplates) set([...template, 'metadata', 'labels'], labels);
    if (entry.includeSelectors) set([...template.slice(0, -1), 'selector', 'matchLabels'], labels);
  }
  return data;
}

function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Kustomize's target selection: kind, group, name (a regular expression) and namespace, any of the object's names so far. */
function matches(bo: BuildObject, t: PatchTarget): boolean {
  if (t.kind && t.kind !== bo.obj.kind) return false;
  if (t.group !== undefined) {
    const api = bo.obj.apiVersion ?? '';
    if ((api.includes('/') ? api.split('/')[0] : '') !== t.group) return false;
  }
  if (t.name) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${t.name})$`);
    } catch {
      return false;
    }
    if (!bo.names.some((n) => re.test(n))) return false;
  }
  if (t.namespace && !bo.namespaces.includes(t.namespace)) return false;
  if (t.labelSelector) {
    const labels = mapAt(bo.obj.node, ['metadata', 'labels']);
    for (const term of t.labelSelector.split(',')) {
      const [key, value] = term.split(/==?/).map((s) => s.trim());
      if (!labels || !isMap(labels) || scalarString(labels.get(key, true)) !== value) return false;
    }
  }
  return true;
}

