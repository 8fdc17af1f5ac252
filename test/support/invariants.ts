import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

/** One rendered object, as `kubectl kustomize` prints it, parsed. */
export type K8sObject = Record<string, unknown>;

/** An object a fixture repository expects to be left as it is, named as it renders. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
  /** The build (leaf directory, `''` for the root) it applies to; every build when absent. */
  build?: string;
  why: string;
}

/**
 * A repository's `expect.json`: the exceptions to the invariants, each with its reason.
 * `podIdentityRemains`: objects that may still carry pod identity after the fix (an identity kept
 * because no pod uses it, a label kept because a selector needs it). `notMigrated`: pods whose chain
 * resolves but which the fix must leave without a workload identity (the finding says why).
 */
export interface Expectations {
  podIdentityRemains?: ObjectRef[];
  notMigrated?: ObjectRef[];
}

const PI_GROUP = 'aadpodidentity.k8s.io/';
const USE_LABEL = 'azure.workload.identity/use';
const CLIENT_ID = 'azure.workload.identity/client-id';
const WI_PREFIX = 'azure.workload.identity/';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const meta = (o: K8sObject) => rec(o.metadata) ?? {};
const nameOf = (o: K8sObject) => str(meta(o).name) ?? '';
const namespaceOf = (o: K8sObject) => str(meta(o).namespace) ?? '';
const keyOf = (o: K8sObject) => `${str(o.kind) ?? '?'} ${namespaceOf(o) ? `${namespaceOf(o)}/` : ''}${nameOf(o)}`;
const isPodIdentityKind = (o: K8sObject) => str(o.apiVersion)?.startsWith(PI_GROUP) === true;

/** The pod template of a workload (the pod itself for a Pod), or undefined. */
function podTemplateOf(o: K8sObject): Record<string, unknown> | undefined {
  if (o.kind === 'Pod') return o;
  const spec = rec(o.spec);
  if (o.kind === 'CronJob') return rec(rec(rec(spec?.jobTemplate)?.spec)?.template);
  const template = rec(spec?.template);
  return rec(template?.spec)?.containers ? template : undefined;
}

const templateLabels = (o: K8sObject) => rec(rec(podTemplateOf(o)?.metadata)?.labels) ?? {};
const podSpecOf = (o: K8sObject) => rec(podTemplateOf(o)?.spec) ?? {};

/** Whether a map key `aadpodidbinding` occurs anywhere in the value (labels, selectors, …). */
function hasBindingKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasBindingKey);
  const r = rec(v);
  return r !== undefined && Object.entries(r).some(([k, x]) => k === 'aadpodidbinding' || hasBindingKey(x));
}

/** Every `podIdentity` map inside a KEDA object's spec. */
function kedaPodIdentities(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) v.forEach((x) => kedaPodIdentities(x, out));
  const r = rec(v);
  for (const [k, x] of Object.entries(r ?? {})) {
    if (k === 'podIdentity' && rec(x)) out.push(rec(x)!);
    else kedaPodIdentities(x, out);
  }
  return out;
}

/** What pod identity an object still carries after the fix, as reasons; empty when none. */
export function podIdentityLeft(o: K8sObject): string[] {
  const reasons: string[] = [];
  if (isPodIdentityKind(o) && (o.kind === 'AzureIdentity' || o.kind === 'AzureIdentityBinding')) reasons.push(`is an ${String(o.kind)}`);
  if (podTemplateOf(o) && 'aadpodidbinding' in templateLabels(o)) reasons.push('has the pod label aadpodidbinding');
  if (/^(Cluster)?TriggerAuthentication$/.test(str(o.kind) ?? '') && kedaPodIdentities(o.spec).some((p) => /^azure$/i.test(str(p.provider) ?? ''))) {
    reasons.push('has KEDA provider: azure');
  }
  const usePodIdentity = rec(rec(o.spec)?.parameters)?.usePodIdentity;
  if (o.kind === 'SecretProviderClass' && /^true$/i.test(typeof usePodIdentity === 'string' || typeof usePodIdentity === 'boolean' ? String(usePodIdentity) : '')) {
    reasons.push('has usePodIdentity: "true"');
  }
  return reasons;
}

/**
 * Whether an object had anything of pod identity before the fix (and so may change): a pod identity
 * object, or a workload with `aadpodidbinding` anywhere (template, selector, own labels). A Service
 * whose selector got `aadpodidbinding` from `commonLabels` is not one: the fix must leave it as it was.
 */
function carriedPodIdentity(o: K8sObject): boolean {
  return isPodIdentityKind(o) || podIdentityLeft(o).length > 0 || (podTemplateOf(o) !== undefined && hasBindingKey(o));
}

/**
 * The client id each pod's chain resolves to in one build: label `aadpodidbinding` → the
 * bindings with that selector (those of the pod's namespace, else any) → the identities they name
 * (in the binding's namespace) → their `clientID`. A chain resolves when it ends in exactly one
 * client id and that is a GUID.
 */
export function resolvedChains(objects: readonly K8sObject[]): Map<string, string> {
  const out = new Map<string, string>();
  const bindings = objects.filter((o) => isPodIdentityKind(o) && o.kind === 'AzureIdentityBinding');
  const identities = objects.filter((o) => isPodIdentityKind(o) && o.kind === 'AzureIdentity');
  for (const pod of objects) {
    const value = podTemplateOf(pod) ? str(templateLabels(pod).aadpodidbinding) : undefined;
    if (value === undefined) continue;
    const matching = bindings.filter((b) => (str(rec(b.spec)?.selector) ?? str(rec(b.spec)?.Selector)) === value);
    const sameNs = matching.filter((b) => namespaceOf(b) === namespaceOf(pod));
    const ids = new Set<string>();
    for (const b of sameNs.length ? sameNs : matching) {
      const idName = str(rec(b.spec)?.azureIdentity) ?? str(rec(b.spec)?.AzureIdentity);
      for (const id of identities.filter((i) => nameOf(i) === idName && namespaceOf(i) === namespaceOf(b))) {
        const clientId = str(rec(id.spec)?.clientID) ?? str(rec(id.spec)?.ClientID);
        if (clientId !== undefined) ids.add(clientId);
      }
    }
    const [only] = ids;
    if (ids.size === 1 && GUID.test(only)) out.set(keyOf(pod), only);
  }
  return out;
}

const exempt = (refs: readonly ObjectRef[] | undefined, o: K8sObject, build: string) =>
  (refs ?? []).some((r) => r.kind === o.kind && r.name === nameOf(o) && (r.namespace ?? namespaceOf(o)) === namespaceOf(o) && (r.build ?? build) === build);

/** The first path where two values differ, for a message. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  const ra: Record<string, unknown> | undefined = rec(a) ?? (Array.isArray(a) ? { ...(a as unknown[]) } : undefined);
  const rb: Record<string, unknown> | undefined = rec(b) ?? (Array.isArray(b) ? { ...(b as unknown[]) } : undefined);
  if (!ra || !rb || Array.isArray(a) !== Array.isArray(b)) return `${path || '/'}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`;
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (!isDeepStrictEqual(ra[k], rb[k])) return firstDifference(ra[k], rb[k], `${path}/${k}`);
  }
  return path || '/';
}

/** A ServiceAccount without its workload identity annotations (what the fix may add). */
function withoutWiAnnotations(o: K8sObject): K8sObject {
  const copy = structuredClone(o);
  const m = rec(copy.metadata);
  const ann = rec(m?.annotations);
  if (m && ann) {
    for (const k of Object.keys(ann)) if (k.startsWith(WI_PREFIX)) delete ann[k];
    if (Object.keys(ann).length === 0) delete m.annotations;
  }
  return copy;
}

/** A migrated workload with what the migration changes taken out: the two labels, an account it lacked. */
function withoutMigration(o: K8sObject, hadAccount: boolean): K8sObject {
  const copy = structuredClone(o);
  for (const labels of [rec(rec(copy.metadata)?.labels), rec(rec(podTemplateOf(copy)?.metadata)?.labels)]) {
    if (labels) for (const k of ['aadpodidbinding', USE_LABEL]) delete labels[k];
  }
  if (!hadAccount) delete podSpecOf(copy).serviceAccountName;
  return copy;
}

/**
 * Whether the pod `key` of a build's output is migrated to the identity `clientId`: the `use`
 * label, a `serviceAccountName`, and that ServiceAccount rendered by the same build in the pod's
 * namespace carrying the client id. Violations, prefixed with the build.
 */
function migrationViolations(build: string, key: string, clientId: string, after: readonly K8sObject[], expect: Expectations, whose: string): string[] {
  const out: string[] = [];
  const at = (msg: string) => out.push(`${build || '.'}: ${msg}`);
  const afterByKey = new Map(after.map((o) => [keyOf(o), o]));
  const pod = afterByKey.get(key);
  if (!pod || exempt(expect.notMigrated, pod, build)) return out;
  if (templateLabels(pod)[USE_LABEL] !== 'true') at(`${key} has no pod label ${USE_LABEL}: "true".`);
  const account = str(podSpecOf(pod).serviceAccountName);
  if (!account) {
    at(`${key} names no serviceAccountName (its identity's client id is ${clientId}).`);
    return out;
  }
  const sa = afterByKey.get(keyOf({ kind: 'ServiceAccount', metadata: { name: account, namespace: namespaceOf(pod) || undefined } }));
  const got = sa && str(rec(meta(sa).annotations)?.[CLIENT_ID]);
  if (!sa) at(`${key} runs as ServiceAccount ${account}, which this build does not render in namespace "${namespaceOf(pod)}".`);
  else if (got !== clientId) at(`${key} runs as ServiceAccount ${account}, whose ${CLIENT_ID} is ${got ?? '(none)'}, not ${clientId} (${whose}).`);
  return out;
}

/** The paths (normalised, `''` the root) that the Flux `Kustomization` objects of a build's output name. */
function fluxChildren(objects: readonly K8sObject[]): string[] {
  return objects
    .filter((o) => str(o.apiVersion)?.startsWith('kustomize.toolkit.fluxcd.io/') && o.kind === 'Kustomization')
    .map((o) => str(rec(o.spec)?.path))
    .filter((p): p is string => p !== undefined)
    .map((p) => posix.normalize(p).replace(/\/$/, '').replace(/^\.$/, ''));
}

/**
 * Pods whose chain resolves only across a Flux cluster: a build that renders Flux `Kustomization`
 * objects, with the builds of the paths they name (transitively), is what one cluster receives. A pod
 * of one of those builds whose label finds its binding and identity only in another (infra applied
 * by one Flux Kustomization, apps by another) must still end up migrated in its own build. Each is
 * given with the build it belongs to, its key and the client id the cluster view resolves.
 */
export function fluxClusterChains(builds: ReadonlyMap<string, readonly K8sObject[]>): Array<{ build: string; key: string; clientId: string }> {
  const out: Array<{ build: string; key: string; clientId: string }> = [];
  const seen = new Set<string>();
  for (const [root, objects] of builds) {
    if (fluxChildren(objects).length === 0) continue;
    const members = new Set([root]);
    for (const m of members) for (const child of fluxChildren(builds.get(m) ?? [])) if (builds.has(child)) members.add(child);
    const view = resolvedChains([...members].flatMap((m) => [...builds.get(m)!]));
    for (const m of members) {
      const own = resolvedChains(builds.get(m)!);
      for (const o of builds.get(m)!) {
        const key = keyOf(o);
        const clientId = view.get(key);
        if (clientId === undefined || own.has(key) || seen.has(`${m}\0${key}`)) continue;
        seen.add(`${m}\0${key}`);
        out.push({ build: m, key, clientId });
      }
    }
  }
  return out;
}

/**
 * The invariants of one build (`kubectl kustomize` output before and after the fix), as
 * violations; empty when they hold. `acrossBuilds`: pods of this build whose chain resolves only
 * across its Flux cluster (`fluxClusterChains`), key → client id; they are held to the same.
 */
export function buildViolations(
  build: string,
  before: readonly K8sObject[],
  after: readonly K8sObject[],
  expect: Expectations = {},
  acrossBuilds: ReadonlyMap<string, string> = new Map(),
): string[] {
  const out: string[] = [];
  const at = (msg: string) => out.push(`${build || '.'}: ${msg}`);
  const afterByKey = new Map(after.map((o) => [keyOf(o), o]));
  const beforeByKey = new Map(before.map((o) => [keyOf(o), o]));

  for (const o of after) {
    const left = podIdentityLeft(o);
    if (left.length && !exempt(expect.podIdentityRemains, o, build)) at(`${keyOf(o)} still ${left.join(', ')}.`);
    if (!beforeByKey.has(keyOf(o)) && o.kind !== 'ServiceAccount') at(`${keyOf(o)} is new, and the fix may add only ServiceAccounts.`);
  }

  const own = resolvedChains(before);
  for (const [key, clientId] of own) out.push(...migrationViolations(build, key, clientId, after, expect, 'its identity in this build'));
  for (const [key, clientId] of acrossBuilds) out.push(...migrationViolations(build, key, clientId, after, expect, 'its identity in the Flux cluster'));
  const chains = new Map([...own, ...acrossBuilds]);

  for (const o of before) {
    const key = keyOf(o);
    const now = afterByKey.get(key);
    if (!now) {
      if (!isPodIdentityKind(o)) at(`${key} is gone (the fix may remove only pod identity objects).`);
      continue;
    }
    const selector = rec(o.spec)?.selector;
    if (podTemplateOf(o) && !isDeepStrictEqual(selector, rec(now.spec)?.selector)) at(`${key}: its selector changed (immutable): ${firstDifference(selector, rec(now.spec)?.selector, '/spec/selector')}.`);
    const matchLabels = rec(rec(rec(now.spec)?.selector)?.matchLabels);
    const labels = templateLabels(now);
    for (const [k, v] of Object.entries(matchLabels ?? {})) {
      if (podTemplateOf(now) && labels[k] !== v) at(`${key}: selector ${k}=${String(v)} no longer matches its pod template.`);
    }
    if (!carriedPodIdentity(o)) {
      const [a, b] = o.kind === 'ServiceAccount' ? [withoutWiAnnotations(o), withoutWiAnnotations(now)] : [o, now];
      if (!isDeepStrictEqual(a, b)) at(`${key} carried no pod identity and changed: ${firstDifference(a, b)}.`);
    } else if (chains.has(key)) {
      const had = str(podSpecOf(o).serviceAccountName) !== undefined;
      const [a, b] = [withoutMigration(o, had), withoutMigration(now, had)];
      if (!isDeepStrictEqual(a, b)) at(`${key} changed beyond its migration: ${firstDifference(a, b)}.`);
    }
  }
  return out;
}
