import { lookupIdentity } from './lookup';
import type { WorkspaceIndex } from './workspace';

/** A pod identity of the add-on that names its managed identity by resource id only, and the pods that select it. */
export interface ClientIdToRead {
  resourceId: string;
  /** Where the pod identity is declared (a script's command, a template entry). */
  file: string;
  start: number;
  /** "namespace/name" of the pod identity. */
  name: string;
  /** The Azure CLI command that prints the identity's client id. */
  command: string;
}

/**
 * The add-on's pod identities that some pod of the workspace selects and whose client id the
 * workspace does not hold: the migration writes the placeholder client id for them, and the
 * client id is read from Azure with `az identity show --ids <resource id> --query clientId -o tsv`.
 * Read before a fix-all, while the pods still carry their labels.
 */
export function clientIdsToRead(index: WorkspaceIndex): ClientIdToRead[] {
  const found = new Map<string, ClientIdToRead>();
  for (const pod of index.labelledPods) {
    const identity = lookupIdentity(index, pod.bindingLabel, pod.namespace).identity;
    if (!identity?.addon || identity.clientID || !identity.resourceID || found.has(identity.resourceID.toLowerCase())) continue;
    found.set(identity.resourceID.toLowerCase(), {
      resourceId: identity.resourceID,
      file: identity.file,
      start: identity.start,
      name: `${identity.addon.namespace ?? ''}/${identity.addon.name ?? ''}`,
      command: `az identity show --ids ${shellWord(identity.resourceID)} --query clientId -o tsv`,
    });
  }
  return [...found.values()].sort((a, b) => a.resourceId.localeCompare(b.resourceId));
}

const shellWord = (s: string) => (/^[A-Za-z0-9/._:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
