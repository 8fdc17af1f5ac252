import type { ManagedClusterPodIdentity, ManagedClusterPodIdentityException } from '@azure/arm-containerservice';
import { isScalar } from 'yaml';
import { labelsOf, podSiteOf, scalarString } from '../../../core/k8s';
import type { WorkspaceIndex } from '../../../core/workspace';

/**
 * What in the workspace still relies on an AKS-managed pod identity: pods labelled with its
 * binding selector, and AzureIdentity manifests naming the same managed identity.
 */
export function podIdentityUsers(index: WorkspaceIndex, podIdentity: ManagedClusterPodIdentity): string[] {
  const users: string[] = [];
  const selector = podIdentity.bindingSelector ?? podIdentity.name;
  for (const pod of index.podsWithBindingLabel(selector)) {
    users.push(`${pod.ownerKind} ${pod.namespace}/${pod.ownerName ?? '?'} (aadpodidbinding: ${selector})`);
  }
  const resourceId = podIdentity.identity.resourceId?.toLowerCase();
  const clientId = podIdentity.identity.clientId?.toLowerCase();
  for (const identity of index.identities) {
    const sameResource = resourceId !== undefined && identity.resourceID?.toLowerCase() === resourceId;
    const sameClient = clientId !== undefined && identity.clientID?.toLowerCase() === clientId;
    if (sameResource || sameClient) users.push(`AzureIdentity ${identity.namespace}/${identity.name}`);
  }
  return users;
}

/** Workloads of the exception's namespace whose pod labels include all of its `podLabels`. */
export function exceptionUsers(index: WorkspaceIndex, exception: ManagedClusterPodIdentityException): string[] {
  const wanted = Object.entries(exception.podLabels ?? {});
  if (wanted.length === 0) return [];
  const users: string[] = [];
  for (const path of index.paths) {
    for (const obj of index.file(path)?.docs.flatMap((d) => d.objects) ?? []) {
      if (index.namespaceOf(obj) !== exception.namespace) continue;
      const labels = labelsOf(podSiteOf(obj)?.metadata);
      if (!labels) continue;
      const has = (key: string, value: string) =>
        labels.items.some((p) => isScalar(p.key) && String(p.key.value) === key && scalarString(p.value) === value);
      if (wanted.every(([key, value]) => has(key, value))) users.push(`${obj.kind} ${exception.namespace}/${obj.name ?? '?'}`);
    }
  }
  return users;
}
