import { isMap, isScalar, isSeq, visit, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { K8sObject } from './model';

/** Where a pod's definition sits inside an object. */
export interface PodSite {
  owner: K8sObject;
  /** The map that holds the pod's `metadata` and `spec` (the object itself for a Pod). */
  template: YAMLMap;
  /** The pod's `metadata` map, when present. */
  metadata: YAMLMap | undefined;
  /** The pod's `spec` map, when present. */
  spec: YAMLMap | undefined;
  /** Path of `template` from the object root, for messages (`spec.template`). */
  path: string[];
}

/** Where the pod template sits, per kind. Kinds not listed here have no pods. */
export const TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  // Argo Rollouts and KEDA ScaledJob carry ordinary pod templates too.
  Rollout: ['spec', 'template'],
  ScaledJob: ['spec', 'jobTargetRef', 'template'],
};

export const WORKLOAD_KINDS = Object.keys(TEMPLATE_PATHS);

export function podSiteOf(obj: K8sObject): PodSite | undefined {
  const path = TEMPLATE_PATHS[obj.kind];
  if (!path) return undefined;
  const template = mapAt(obj.node, path);
  if (!template) return undefined;
  return {
    owner: obj,
    template,
    metadata: mapAt(template, ['metadata']),
    spec: mapAt(template, ['spec']),
    path,
  };
}

/**
 * The kind given to a pod fragment: a chart helper's `define` body with no `kind` that holds a
 * pod's labels (a pod template, a pod's `metadata` and `spec`, a `labels` map or label lines),
 * which Helm renders into the templates that include it. Only rules that list it read it.
 */
export const POD_FRAGMENT_KIND = 'Helm define';

export interface PodFragment {
  /** The pod's labels map (the fragment's root, for label lines). */
  labels: YAMLMap;
  /** The pod's spec, when the fragment holds it. */
  spec: YAMLMap | undefined;
}

/** The labels and spec of an object's pod: its pod template's, or a pod fragment's. */
export function podOf(obj: K8sObject): { labels: YAMLMap | undefined; spec: YAMLMap | undefined } | undefined {
  const site = obj.fragment ? undefined : podSiteOf(obj);
  return obj.fragment ?? (site && { labels: labelsOf(site.metadata), spec: site.spec });
}

/** The pod labels of a `define` body without a `kind`, if it holds any (see `POD_FRAGMENT_KIND`). */
export function podFragmentOf(root: YAMLMap): PodFragment | undefined {
  for (const path of [['template'], ['spec', 'template'], []]) {
    const template = mapAt(root, path);
    const labels = template && labelsOf(mapAt(template, ['metadata']));
    if (labels) return { labels, spec: mapAt(template, ['spec']) };
  }
  const labels = mapAt(root, ['labels']);
  if (labels) return { labels, spec: undefined };
  return pairOf(root, LABEL_POD_IDENTITY) || pairOf(root, WI_USE) ? { labels: root, spec: undefined } : undefined;
}

/** The map at `path` below `map`, or undefined if any step is missing or not a map. */
export function mapAt(map: YAMLMap, path: readonly string[]): YAMLMap | undefined {
  let node: unknown = map;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node.get(key, true);
  }
  return isMap(node) ? node : undefined;
}

/** The pair of `map` whose key is the string `key`. */
export function pairOf(map: YAMLMap, key: string): Pair<Scalar, Node | null> | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair as Pair<Scalar, Node | null>;
  }
  return undefined;
}

/** The first pair whose key is one of `keys` (for fields whose casing changed across versions). */
export function pairOfAny(map: YAMLMap, keys: readonly string[]): Pair<Scalar, Node | null> | undefined {
  for (const key of keys) {
    const pair = pairOf(map, key);
    if (pair) return pair;
  }
  return undefined;
}

/** A scalar's value as a string (as YAML typed it: `true` unquoted is "true" too). */
export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value: unknown = node.value;
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : undefined;
}

/** Plain words that Kubernetes' YAML reader (go-yaml, YAML 1.1) still takes as booleans. */
const YAML11_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/**
 * True for a plain, untagged scalar that Kubernetes does not read as a string: what YAML 1.2 types
 * as a boolean or number (`true`, `3600`), and the YAML 1.1 booleans (`yes`, `on`) that
 * `yaml` reads as strings but Kubernetes does not. Label and annotation values must be strings.
 * Null (an empty value) is not counted: Kubernetes reads it as "".
 */
export function readsAsNonString(node: unknown): boolean {
  if (!isScalar(node) || node.type !== 'PLAIN' || node.tag !== undefined || node.value === null) return false;
  return typeof node.value !== 'string' || YAML11_BOOLEAN.test(node.value);
}

export function labelsOf(metadata: YAMLMap | undefined): YAMLMap | undefined {
  return metadata ? mapAt(metadata, ['labels']) : undefined;
}

export function annotationsOf(metadata: YAMLMap | undefined): YAMLMap | undefined {
  return metadata ? mapAt(metadata, ['annotations']) : undefined;
}

export function metadataOf(obj: K8sObject): YAMLMap | undefined {
  return mapAt(obj.node, ['metadata']);
}

/** Container names of a pod spec (containers and initContainers). */
export function containerNames(spec: YAMLMap | undefined): string[] {
  if (!spec) return [];
  const names: string[] = [];
  for (const key of ['initContainers', 'containers']) {
    const seq = spec.get(key, true);
    if (!isSeq(seq)) continue;
    for (const c of seq.items) {
      if (isMap(c)) {
        const n = scalarString(c.get('name', true));
        if (n) names.push(n);
      }
    }
  }
  return names;
}

export const LABEL_POD_IDENTITY = 'aadpodidbinding';
export const WI_USE = 'azure.workload.identity/use';
export const WI_CLIENT_ID = 'azure.workload.identity/client-id';
export const WI_TENANT_ID = 'azure.workload.identity/tenant-id';
export const WI_TOKEN_EXPIRATION = 'azure.workload.identity/service-account-token-expiration';
export const WI_SKIP_CONTAINERS = 'azure.workload.identity/skip-containers';
export const WI_INJECT_PROXY = 'azure.workload.identity/inject-proxy-sidecar';
export const WI_PROXY_PORT = 'azure.workload.identity/proxy-sidecar-port';
export const POD_IDENTITY_GROUP = 'aadpodidentity.k8s.io';

export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Every GUID written in a text. */
export const GUIDS_IN_TEXT = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
/** The kinds of AAD Pod Identity's own objects. */
export const POD_IDENTITY_KINDS: readonly string[] = ['AzureIdentity', 'AzureIdentityBinding', 'AzurePodIdentityException', 'AzureAssignedIdentity'];

/** What a fix writes where it cannot know the client id; a human must replace it. */
export const PLACEHOLDER_CLIENT_ID = '<managed-identity-client-id>';

/** A value as a Kubernetes object name: lowercase DNS-1123, at most 63 characters ('' when nothing is left). */
export function dns1123(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** The `env` entries named `name` of a pod spec's containers (init containers first), with their container. */
export function envEntries(spec: YAMLMap | undefined, name: string): Array<{ container: YAMLMap; value: unknown }> {
  const found: Array<{ container: YAMLMap; value: unknown }> = [];
  for (const key of ['initContainers', 'containers']) {
    const containers = spec?.get(key, true);
    if (!isSeq(containers)) continue;
    for (const container of containers.items) {
      const env = isMap(container) ? container.get('env', true) : undefined;
      if (!isSeq(env)) continue;
      for (const item of env.items) {
        if (isMap(item) && scalarString(item.get('name', true)) === name) found.push({ container: container as YAMLMap, value: item.get('value', true) });
      }
    }
  }
  return found;
}

/** Keys under which a label selector sits in an object (`selector`, affinity `labelSelector`, `podSelector`). */
const SELECTOR_KEYS = new Set(['selector', 'labelSelector', 'podSelector']);

/** Every label selector of an object, at any depth, with the key it sits under. */
export function labelSelectorsOf(root: Node): Array<{ key: string; selector: YAMLMap }> {
  const found: Array<{ key: string; selector: YAMLMap }> = [];
  visit(root, {
    Pair(_, pair) {
      const key = scalarString(pair.key);
      if (key && SELECTOR_KEYS.has(key) && isMap(pair.value)) found.push({ key, selector: pair.value });
    },
  });
  return found;
}

/** Where a label selector names `key`: a matchLabels key, a matchExpressions `key:` value, or a plain (Service-style) selector's key. */
export function selectorHits(selector: YAMLMap, key: string, plain: boolean): Node[] {
  const hits: Node[] = [];
  const matchLabels = mapAt(selector, ['matchLabels']);
  const inLabels = matchLabels ? pairOf(matchLabels, key) : undefined;
  if (inLabels) hits.push(inLabels.key);
  const expressions = selector.get('matchExpressions', true);
  if (isSeq(expressions)) {
    for (const e of expressions.items) {
      const k = isMap(e) ? e.get('key', true) : undefined;
      if (isScalar(k) && scalarString(k) === key) hits.push(k);
    }
  }
  const inPlain = plain ? pairOf(selector, key) : undefined;
  if (inPlain) hits.push(inPlain.key);
  return hits;
}

/** The SecretProviderClasses a pod spec's CSI volumes mount. */
export function secretProviderClassesOf(spec: YAMLMap | undefined): string[] {
  const volumes = spec?.get('volumes', true);
  if (!isSeq(volumes)) return [];
  return volumes.items.flatMap((v) => {
    const attrs = isMap(v) ? mapAt(v, ['csi', 'volumeAttributes']) : undefined;
    const name = attrs ? scalarString(attrs.get('secretProviderClass', true)) : undefined;
    return name ? [name] : [];
  });
}

/** The legacy Key Vault FlexVolume driver (Azure/kubernetes-keyvault-flexvol), archived in favour of the Secrets Store CSI driver. */
const KEYVAULT_FLEXVOLUME_DRIVER = 'azure/kv';

/** A pod's Key Vault FlexVolume that gets its token from pod identity (`options.usepodidentity: "true"`). */
export interface PodIdentityFlexVolume {
  /** The volume's name. */
  name: string | undefined;
  /** The `usepodidentity` pair of its options. */
  use: Pair<Scalar, Node | null>;
  options: YAMLMap;
}

/** The Key Vault FlexVolumes of a pod spec with `usepodidentity: "true"` (any case, quoted or not). */
export function podIdentityFlexVolumesOf(spec: YAMLMap | undefined): PodIdentityFlexVolume[] {
  const volumes = spec?.get('volumes', true);
  if (!isSeq(volumes)) return [];
  return volumes.items.flatMap((v) => {
    const flex = isMap(v) ? mapAt(v, ['flexVolume']) : undefined;
    const options = flex ? mapAt(flex, ['options']) : undefined;
    const use = options ? pairOf(options, 'usepodidentity') : undefined;
    if (!flex || !options || !use || scalarString(flex.get('driver', true)) !== KEYVAULT_FLEXVOLUME_DRIVER || scalarString(use.value)?.toLowerCase() !== 'true') return [];
    return [{ name: scalarString((v as YAMLMap).get('name', true)), use, options }];
  });
}
