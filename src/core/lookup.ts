import type { RelatedLocation } from './rule';
import type { BindingFact, IdentityFact } from './facts';
import type { WorkspaceIndex } from './workspace';

/** What following label → binding → identity across the workspace found for one selector. */
export interface IdentityLookup {
  /** The client id to write, when exactly one user-assigned identity was found. */
  clientId: string | undefined;
  tenantId: string | undefined;
  identity: IdentityFact | undefined;
  /** Why no client id could be chosen, in words for the finding's message. */
  problem: string | undefined;
  related: RelatedLocation[];
}

/** How messages name an identity: an AzureIdentity, or a pod identity the AKS-managed add-on declares where it is declared. */
export function identityName(identity: IdentityFact): string {
  const addon = identity.addon;
  if (!addon) return `AzureIdentity ${identity.namespace}/${identity.name}`;
  // The file by its name only: messages never carry a path or URI (the related location links to it).
  const file = identity.file.slice(identity.file.lastIndexOf('/') + 1);
  return `pod identity ${addon.namespace ?? '(namespace unknown)'}/${addon.name ?? '(name unknown)'} of the AKS add-on (${file})`;
}

function related(fact: IdentityFact | BindingFact, message: string): RelatedLocation {
  return { file: fact.file, start: fact.start, end: fact.end, message };
}

export function lookupIdentity(index: WorkspaceIndex, selector: string | undefined, namespace: string): IdentityLookup {
  const none = (problem: string, rel: RelatedLocation[] = []): IdentityLookup => ({ clientId: undefined, tenantId: undefined, identity: undefined, problem, related: rel });
  if (selector === undefined) return none('the aadpodidbinding value is templated or missing, so its identity is unknown');
  const bindings = index.bindingsForSelector(selector, namespace);
  if (bindings.length === 0) return none(`no AzureIdentityBinding with selector "${selector}" was found in the workspace`);
  const found = index.identitiesForSelector(selector, namespace);
  const rel = [
    ...bindings.filter((b) => !b.addon).map((b) => related(b, `AzureIdentityBinding ${b.namespace}/${b.name} selects "${selector}"`)),
    ...found.map(({ identity: i }) => related(i, i.addon ? `az aks pod-identity add of ${identityName(i)} selects "${selector}"` : identityName(i))),
  ];
  if (found.length === 0) return none(`the AzureIdentity named by binding "${bindings[0].name}" was not found in the workspace`, rel);
  if (found.length > 1) {
    return none(`selector "${selector}" gives the pod ${found.length} identities; a service account carries one client id, so choose one`, rel);
  }
  const identity = found[0].identity;
  if (identity.type !== undefined && identity.type !== 0) {
    return { ...none(`AzureIdentity ${identity.name} is a service principal (type ${identity.type}): federate its app registration instead of a managed identity`, rel), identity };
  }
  if (!identity.clientID && identity.addon) {
    const id = identity.resourceID ? `names its managed identity by resource id only (${identity.resourceID}): its client id is not in the workspace` : 'names no literal identity resource id';
    return { ...none(`the ${identityName(identity)} ${id}`, rel), identity };
  }
  if (!identity.clientID) return { ...none(`AzureIdentity ${identity.name} has no literal clientID`, rel), identity };
  return { clientId: identity.clientID, tenantId: identity.tenantID, identity, problem: undefined, related: rel };
}
