import { scalarString } from '../../core/k8s';
import { isAzureBlock, podIdentityBlocks, TRIGGER_AUTH_KINDS } from '../../core/keda';
import { rangeOf } from '../../core/model';
import type { ServiceAccountFact } from '../../core/facts';
import type { WorkspaceIndex } from '../../core/workspace';
import type { IdentityPreference } from './pickers';

/** A KEDA TriggerAuthentication (or ClusterTriggerAuthentication) of the workspace. */
export interface TriggerAuthFact {
  kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
  namespace: string;
  name: string;
  /** `podIdentity.identityId`: the client id of the identity KEDA uses, when written out. */
  identityId: string | undefined;
  file: string;
  start: number;
  end: number;
}

export function triggerAuthentications(index: WorkspaceIndex): TriggerAuthFact[] {
  return index.paths.flatMap((path) => {
    const file = index.file(path);
    return (file?.docs ?? []).flatMap((doc) => doc.objects).flatMap((obj): TriggerAuthFact[] => {
      if (!file || !TRIGGER_AUTH_KINDS.includes(obj.kind) || !obj.name) return [];
      // The first block of an Azure provider: another provider's identityId names no Azure identity.
      const podIdentity = podIdentityBlocks({ file, doc: obj.doc }, obj).find(({ block }) => isAzureBlock(block))?.block;
      const [start, end] = rangeOf(obj.doc, obj.node);
      return [{
        kind: obj.kind as TriggerAuthFact['kind'],
        namespace: index.namespaceOf(obj),
        name: obj.name,
        identityId: scalarString(podIdentity?.get('identityId', true)) || undefined,
        file: path,
        start,
        end,
      }];
    });
  });
}

const within = (fact: { file: string; start: number; end: number }, file: string, offset: number) =>
  fact.file === file && fact.start <= offset && offset <= fact.end;

export function serviceAccountAt(index: WorkspaceIndex, file: string, offset: number): ServiceAccountFact | undefined {
  return index.serviceAccounts.find((sa) => within(sa, file, offset));
}

export function triggerAuthenticationAt(index: WorkspaceIndex, file: string, offset: number): TriggerAuthFact | undefined {
  return triggerAuthentications(index).find((t) => within(t, file, offset));
}

/**
 * The identity a service account's workloads have under pod identity: pods running as it →
 * their aadpodidbinding → bindings → AzureIdentity (resource id and client id), and the client id
 * the service account may already carry.
 */
export function preferenceForServiceAccount(index: WorkspaceIndex, sa: ServiceAccountFact): IdentityPreference | undefined {
  const resourceIds: string[] = [];
  const clientIds: string[] = [];
  const names: string[] = [];
  for (const pod of index.podsUsingServiceAccount(sa.namespace, sa.name)) {
    if (!pod.bindingLabel) continue;
    for (const { identity } of index.identitiesForSelector(pod.bindingLabel, pod.namespace)) {
      if (identity.resourceID) resourceIds.push(identity.resourceID);
      if (identity.clientID) clientIds.push(identity.clientID);
      names.push(`AzureIdentity ${identity.namespace}/${identity.name}`);
    }
  }
  if (sa.clientId) {
    clientIds.push(sa.clientId);
    names.push('the client-id annotation');
  }
  if (resourceIds.length === 0 && clientIds.length === 0) return undefined;
  return { resourceIds, clientIds, reason: [...new Set(names)].join(', ') };
}

export function preferenceForTrigger(index: WorkspaceIndex, trigger: TriggerAuthFact): IdentityPreference | undefined {
  if (!trigger.identityId) return undefined;
  const identities = index.identities.filter((i) => i.clientID?.toLowerCase() === trigger.identityId!.toLowerCase());
  return {
    resourceIds: identities.flatMap((i) => (i.resourceID ? [i.resourceID] : [])),
    clientIds: [trigger.identityId],
    reason: `identityId of ${trigger.kind} ${trigger.name}`,
  };
}
