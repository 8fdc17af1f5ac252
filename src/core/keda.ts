import type { Node, YAMLMap } from 'yaml';
import { mapAt, pairOf, scalarString } from './k8s';
import type { K8sObject } from './model';
import { templatedNode, type EditTarget } from './yaml-edit';

/** KEDA's authentication kinds: both may hold `podIdentity` blocks. */
export const TRIGGER_AUTH_KINDS: readonly string[] = ['TriggerAuthentication', 'ClusterTriggerAuthentication'];

/**
 * Where a (Cluster)TriggerAuthentication may hold a `podIdentity` block (KEDA's `AuthPodIdentity`:
 * `provider`, `identityId`, `identityTenantId`, `identityAuthorityHost`): for the scalers
 * themselves, and for the secret managers KEDA reads trigger parameters from.
 */
const POD_IDENTITY_PATHS: readonly string[][] = [
  ['spec', 'podIdentity'],
  ['spec', 'azureKeyVault', 'podIdentity'],
  ['spec', 'awsSecretManager', 'podIdentity'],
  ['spec', 'gcpSecretManager', 'podIdentity'],
];

const KEDA_2 = 'keda.sh';
const KEDA_1 = 'keda.k8s.io';

export interface PodIdentityBlock {
  block: YAMLMap;
  /** The block's path, for messages (`spec.azureKeyVault.podIdentity`). */
  where: string;
  /** KEDA 1.x (`keda.k8s.io`), which has no `azure-workload`. */
  keda1: boolean;
}

/** The `podIdentity` blocks of a KEDA (Cluster)TriggerAuthentication; none for another kind or API group. */
export function podIdentityBlocks(t: EditTarget, obj: K8sObject): PodIdentityBlock[] {
  if (!TRIGGER_AUTH_KINDS.includes(obj.kind)) return [];
  // A templated apiVersion is taken as KEDA's: the kind names are KEDA's own.
  const api = pairOf(obj.node, 'apiVersion')?.value;
  const group = templatedNode(t, api) ? KEDA_2 : obj.apiVersion?.split('/')[0];
  if (group !== undefined && group !== KEDA_2 && group !== KEDA_1) return [];
  return POD_IDENTITY_PATHS.flatMap((path) => {
    const block = mapAt(obj.node, path);
    return block ? [{ block, where: path.join('.'), keda1: group === KEDA_1 }] : [];
  });
}

/** The `provider` value of a podIdentity block when it is the removed `azure` provider (any case). */
export function azureProvider(t: EditTarget, block: YAMLMap): Node | undefined {
  const value = pairOf(block, 'provider')?.value;
  return value && scalarString(value)?.toLowerCase() === 'azure' && !templatedNode(t, value) ? value : undefined;
}

/** True for a block of one of Azure's providers: `azure` (pod identity) or `azure-workload` (any case, as old docs spell it). */
export function isAzureBlock(block: YAMLMap): boolean {
  const provider = scalarString(pairOf(block, 'provider')?.value)?.toLowerCase();
  return provider === 'azure' || provider === 'azure-workload';
}
