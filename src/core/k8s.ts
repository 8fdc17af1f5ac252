import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
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
const TEMPLATE_PATHS: Record<string, string[]> = {
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
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

/** True for a plain (unquoted) scalar that YAML reads as something other than a string. */
export function isNonStringScalar(node: unknown): boolean {
  return isScalar(node) && typeof node.value !== 'string' && node.value !== null;
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

/** What a fix writes where it cannot know the client id; a human must replace it. */
export const PLACEHOLDER_CLIENT_ID = '<managed-identity-client-id>';
