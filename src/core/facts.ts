import { isMap, isScalar, type YAMLMap } from 'yaml';
import {
  annotationsOf,
  GUIDS_IN_TEXT,
  LABEL_POD_IDENTITY,
  mapAt,
  metadataOf,
  pairOf,
  pairOfAny,
  podOf,
  POD_IDENTITY_KINDS,
  scalarString,
  secretProviderClassesOf,
  WI_CLIENT_ID,
  WI_TENANT_ID,
  WI_USE,
} from './k8s';
import { selectorOf, type AddonPodIdentity } from './addon';
import type { AddonDeclarations } from './addon-readers';
import { editOf, originOf } from './incremental';
import { rangeOf, type ManifestDoc, type ManifestFile } from './model';
import { wordLines } from './scan';
import { rawText, templatedNode } from './yaml-edit';

/*
 * The facts the workspace index keeps of each file (pod identity objects, service accounts, pods),
 * read from one document at a time; `WorkspaceIndex` (workspace.ts) groups them for cross-file queries.
 */

/** A place in the workspace: file and offsets of the object (or the field) the fact comes from. */
export interface Located {
  file: string;
  start: number;
  end: number;
  /** Fields written by Helm template actions, with their real text: the index renders them with the chart's values. */
  templated?: Record<string, string>;
}

export interface IdentityFact extends Located {
  namespace: string;
  name: string;
  /** 0 user-assigned managed identity, 1 service principal, 2 service principal with certificate. */
  type: number | undefined;
  clientID: string | undefined;
  resourceID: string | undefined;
  tenantID: string | undefined;
  /** Declared to the AKS-managed add-on (a script's `az aks pod-identity add`, a template entry), not written as an AzureIdentity. */
  addon?: AddonPodIdentity;
}

export interface BindingFact extends Located {
  namespace: string;
  name: string;
  identityName: string | undefined;
  selector: string | undefined;
  /** The add-on's binding of that pod identity: it selects pods of its own namespace only. */
  addon?: AddonPodIdentity;
}

export interface ServiceAccountFact extends Located {
  namespace: string;
  name: string;
  clientId: string | undefined;
  tenantId: string | undefined;
  /** True when the account writes the client id annotation, in any form (a template action, a wrong value). */
  clientIdWritten: boolean;
}

export interface PodFact extends Located {
  namespace: string;
  ownerKind: string;
  ownerName: string | undefined;
  /** The pod's `aadpodidbinding` label value, when written out (not templated). */
  bindingLabel: string | undefined;
  serviceAccountName: string | undefined;
  usesWorkloadIdentity: boolean;
  /** Names of the SecretProviderClasses its CSI volumes mount. */
  secretProviderClasses: string[];
}

export interface FileFacts {
  identities: IdentityFact[];
  bindings: BindingFact[];
  serviceAccounts: ServiceAccountFact[];
  pods: PodFact[];
  /** The GUIDs (lower case) written in the file's documents that hold no pod identity object: where a migrated client id is kept. */
  recordedIds: string[];
}

/** The pair of a pod-identity spec field in its current (camelCase) or pre-1.6 (capitalised) spelling. */
export function specPair(spec: YAMLMap | undefined, name: string) {
  if (!spec) return undefined;
  return pairOfAny(spec, [name, name[0].toUpperCase() + name.slice(1)]);
}

/** Adds the facts of one document of `file` to `facts`. */
export function addFactsOf(file: ManifestFile, doc: ManifestDoc, defaultNamespace: string, facts: FileFacts): void {
  if (!doc.objects.some((o) => POD_IDENTITY_KINDS.includes(o.kind))) {
    for (const m of doc.source.matchAll(GUIDS_IN_TEXT)) facts.recordedIds.push(m[0].toLowerCase());
  }
  for (const obj of doc.objects) {
    const [start, end] = rangeOf(doc, obj.node);
    const namespace = obj.namespace ?? defaultNamespace;
    const name = obj.name ?? '';
    const templated: Record<string, string> = {};
    const where = { file: file.path, start, end, templated };
    const spec = mapAt(obj.node, ['spec']);
    // A value written by a template action is unknown until the chart's values render it (`view()`).
    const known = (node: unknown, field?: string): string | undefined => {
      if (!templatedNode({ file, doc }, node)) return scalarString(node);
      if (field && isScalar(node)) templated[field] = rawText({ file, doc }, node);
      return undefined;
    };
    const templatedName = obj.name !== undefined && templatedNode({ file, doc }, metadataOf(obj)?.get('name', true));
    if (templatedName && (obj.kind === 'AzureIdentity' || obj.kind === 'AzureIdentityBinding')) templated.name = obj.name!;
    const specField = (name: string) => known(specPair(spec, name)?.value, name);
    switch (obj.kind) {
      case 'AzureIdentity': {
        const type = Number(known(specPair(spec, 'type')?.value));
        facts.identities.push({
          ...where,
          namespace,
          name,
          type: Number.isFinite(type) ? type : undefined,
          clientID: specField('clientID'),
          resourceID: specField('resourceID'),
          tenantID: specField('tenantID'),
        });
        break;
      }
      case 'AzureIdentityBinding':
        facts.bindings.push({
          ...where,
          namespace,
          name,
          identityName: known(specPair(spec, 'azureIdentity')?.value, 'identityName'),
          selector: specField('selector'),
        });
        break;
      case 'ServiceAccount': {
        const annotations = annotationsOf(metadataOf(obj));
        facts.serviceAccounts.push({
          ...where,
          namespace,
          name,
          clientId: annotations ? known(annotations.get(WI_CLIENT_ID, true)) : undefined,
          tenantId: annotations ? known(annotations.get(WI_TENANT_ID, true)) : undefined,
          clientIdWritten: annotations !== undefined && pairOf(annotations, WI_CLIENT_ID) !== undefined,
        });
        break;
      }
      default: {
        const pod = podOf(obj);
        if (!pod) break;
        const labels = pod.labels;
        const labelPair = labels ? pairOf(labels, LABEL_POD_IDENTITY) : undefined;
        facts.pods.push({
          ...where,
          namespace,
          ownerKind: obj.kind,
          ownerName: obj.name,
          bindingLabel: known(labelPair?.value, 'bindingLabel'),
          serviceAccountName: pod.spec ? known(pairOfAny(pod.spec, ['serviceAccountName', 'serviceAccount'])?.value) : undefined,
          usesWorkloadIdentity: labels !== undefined && isMap(labels) && scalarString(labels.get(WI_USE, true)) === 'true',
          secretProviderClasses: secretProviderClassesOf(pod.spec),
        });
      }
    }
  }
}

/**
 * The add-on's pod identities as the index keeps AzureIdentity objects and bindings: AKS creates
 * one of each per pod identity, the binding selecting `bindingSelector`, else the name. A field the
 * source does not spell out stays unknown (a namespace unknown selects no pod).
 */
export function addonFacts(path: string, declared: AddonDeclarations): Pick<FileFacts, 'identities' | 'bindings'> {
  const identities: IdentityFact[] = [];
  const bindings: BindingFact[] = [];
  for (const addon of declared.identities) {
    const where = { file: path, start: addon.start, end: addon.end, namespace: addon.namespace ?? '', addon };
    // Linked by a key of its own: two declarations may share a name, or have none written out.
    const key = `${addon.name ?? ''}@${path}:${addon.start}`;
    identities.push({ ...where, name: key, type: 0, clientID: addon.clientId, resourceID: addon.resourceId, tenantID: undefined });
    bindings.push({ ...where, name: addon.name ?? '', identityName: key, selector: selectorOf(addon) });
  }
  return { identities, bindings };
}

export function noFacts(): FileFacts {
  return { identities: [], bindings: [], serviceAccounts: [], pods: [], recordedIds: [] };
}

/** The facts read of a document; `owner` is the document they describe now (`moveDocFacts` hands them on). */
interface DocFactsEntry {
  path: string;
  namespace: string;
  facts: FileFacts;
  owner: ManifestDoc;
}

const factsOfDocs = new WeakMap<ManifestDoc, DocFactsEntry>();

function ownedBy(doc: ManifestDoc, path: string, namespace: string): DocFactsEntry | undefined {
  const c = factsOfDocs.get(doc);
  return c && c.owner === doc && c.path === path && c.namespace === namespace ? c : undefined;
}

/**
 * The facts of one document, read once per parse of it: a document an edit only moved
 * (`originOf`) gets its origin's facts, moved with it.
 */
export function docFacts(file: ManifestFile, doc: ManifestDoc, defaultNamespace: string): FileFacts {
  const facts = ownedBy(doc, file.path, defaultNamespace)?.facts;
  if (facts) return facts;
  const origin = originOf(doc);
  const moved = origin !== doc ? ownedBy(origin, file.path, defaultNamespace)?.facts : undefined;
  const mine = moved ? movedFacts(moved, origin, doc) : noFacts();
  if (!moved) addFactsOf(file, doc, defaultNamespace, mine);
  factsOfDocs.set(doc, { path: file.path, namespace: defaultNamespace, facts: mine, owner: doc });
  return mine;
}

/** True when `doc`'s facts were read and are still its own (not handed on by `moveDocFacts`). */
export function hasDocFacts(path: string, doc: ManifestDoc, defaultNamespace: string): boolean {
  return ownedBy(doc, path, defaultNamespace) !== undefined;
}

/**
 * Hands the facts of `from` on to `to`, the same document after an edit, changing the fact
 * objects in place (the index holds them, so its groups stay right without being made again):
 * offsets moved by `delta`, or, for a document the edit touched whose facts kept all but their
 * offsets, set to those of `like` (the facts read of `to`, fact for fact). `from` no longer has
 * facts of its own afterwards (`docFacts` reads it again if asked). The caller checks
 * `hasDocFacts(from)` first.
 */
export function moveDocFacts(path: string, from: ManifestDoc, to: ManifestDoc, defaultNamespace: string, delta: number, like?: FileFacts): void {
  const entry = ownedBy(from, path, defaultNamespace)!;
  const { facts } = entry;
  const move = (list: Located[], model: Located[] | undefined) => {
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (model) {
        f.start = model[i].start;
        f.end = model[i].end;
      } else {
        f.start += delta;
        f.end += delta;
      }
    }
  };
  move(facts.identities, like?.identities);
  move(facts.bindings, like?.bindings);
  move(facts.pods, like?.pods);
  move(facts.serviceAccounts, like?.serviceAccounts);
  entry.owner = to;
  factsOfDocs.set(to, entry);
}

/** Facts of `from` for its shifted copy `to`: offsets moved. */
function movedFacts(facts: FileFacts, from: ManifestDoc, to: ManifestDoc): FileFacts {
  const delta = to.start - from.start;
  const move = <F extends Located>(f: F): F => ({ ...f, start: f.start + delta, end: f.end + delta });
  return {
    identities: facts.identities.map(move),
    bindings: facts.bindings.map(move),
    serviceAccounts: facts.serviceAccounts.map(move),
    pods: facts.pods.map(move),
    recordedIds: facts.recordedIds,
  };
}

/**
 * What documents elsewhere can read of these facts, offsets left out: equal before and after an
 * edit, the edit changed nothing another document's findings depend on. Undefined when the
 * documents hold an object other documents read beyond its facts (identities, bindings, accounts).
 */
function factsSignature(facts: readonly FileFacts[]): string | undefined {
  if (facts.some((f) => f.identities.length + f.bindings.length + f.serviceAccounts.length > 0)) return undefined;
  return JSON.stringify(facts.map((f) => [f.pods.map((p) => ({ ...p, start: 0, end: 0 })), f.recordedIds]));
}

/**
 * True when a file's new version only moved what other documents read: it was parsed after the
 * indexed version (`editOf`), and the documents the edit touched hold no identity, binding or
 * account, the same pod facts, the same lines with a word of the scan nested the same
 * (`wordLines`), and the same GUIDs. (The caller checks that no kustomize build reads the file.)
 */
export function onlyMoved(previous: ManifestFile, file: ManifestFile, defaultNamespace: string): boolean {
  const edit = editOf(file);
  if (edit?.previous !== previous || previous.eol !== file.eol) return false;
  // The documents of the changed window (parseAround keeps those before it and moves those after it).
  const inWindow = (end: number) => (d: ManifestDoc) => d.start >= edit.start && d.start < end;
  const signature = (f: ManifestFile, docs: ManifestDoc[], end: number) => {
    const facts = factsSignature(docs.map((d) => docFacts(f, d, defaultNamespace)));
    const window = f.text.slice(edit.start, end);
    return facts === undefined ? undefined : JSON.stringify([facts, wordLines(window), window.match(GUIDS_IN_TEXT) ?? []]);
  };
  const was = signature(previous, previous.docs.filter(inWindow(edit.oldEnd)), edit.oldEnd);
  return was !== undefined && was === signature(file, file.docs.filter(inWindow(edit.newEnd)), edit.newEnd);
}
