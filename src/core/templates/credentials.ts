import { selectorOf, type AddonPodIdentity } from '../addon';
import { identityPartsOf } from '../addon-fill';
import { dns1123 } from '../k8s';
import type { WorkspaceIndex } from '../workspace';

/** The audience of every AKS federated credential: the workload identity webhook's default. */
export const AUDIENCE = 'api://AzureADTokenExchange';

/** One federated credential a pod identity becomes. */
export interface CredentialPlan {
  namespace: string;
  serviceAccount: string;
  subject: string;
  /** The credential's name: `<namespace>-<service account>`, made to fit Entra's rule. */
  name: string;
}

/**
 * The federated credentials that carry a pod identity over: one per service account its pods run
 * under once migrated. The workload migration keeps an account a pod names (not `default`) and
 * otherwise names one after the pod's `aadpodidbinding` value, so the same is read here from the
 * pods in the workspace that carry this identity's selector in its namespace; with none found, the
 * account named after the selector (the pod identity's name when it has no binding selector).
 * Undefined when the namespace or the selector is not known.
 */
export function credentialsFor(identity: AddonPodIdentity, index: WorkspaceIndex): CredentialPlan[] | undefined {
  const selector = selectorOf(identity);
  const namespace = identity.namespace;
  if (!selector || !namespace) return undefined;
  const named = dns1123(selector);
  const accounts = new Set<string>();
  for (const pod of index.podsWithBindingLabel(selector)) {
    if (pod.namespace !== namespace) continue;
    const account = pod.serviceAccountName;
    accounts.add(account && account !== 'default' ? account : named);
  }
  if (accounts.size === 0) accounts.add(named);
  if ([...accounts].some((a) => !a)) return undefined;
  return [...accounts].sort().map((serviceAccount) => ({
    namespace,
    serviceAccount,
    subject: `system:serviceaccount:${namespace}:${serviceAccount}`,
    name: credentialName(namespace, serviceAccount),
  }));
}

/** `<namespace>-<service account>` as a federated credential name: 3 to 120 of `[a-zA-Z0-9_-]`, a letter or digit first. */
function credentialName(namespace: string, serviceAccount: string): string {
  let name = `${namespace}-${serviceAccount}`.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  if (name.length < 3) name = `fic-${name}`;
  return name.slice(0, 120);
}

/**
 * Why a pod identity whose managed identity is given as a literal resource id gets no federated
 * credential resource: the credential is a child of the identity, so it is deployed to the
 * identity's resource group (and subscription), which a resource of this template cannot target
 * (Bicep needs a module with that scope, ARM a nested deployment). Undefined for any other identity.
 */
export function literalIdentityReason(identity: AddonPodIdentity, plan: readonly CredentialPlan[] | undefined): string | undefined {
  const parts = identity.resourceId === undefined ? undefined : identityPartsOf(identity.resourceId);
  if (!parts) return undefined;
  const subjects = plan?.map((c) => c.subject).join(', ');
  return (
    `its identity is the literal resource id ${identity.resourceId}, whose federated credential is deployed to resource group ${parts.resourceGroup} of subscription ${parts.subscriptionId}, ` +
    `which a resource of this template cannot target (that takes a module or a nested deployment scoped to that group); ` +
    `create it with az identity federated-credential create --subscription ${parts.subscriptionId} --resource-group ${parts.resourceGroup} --identity-name ${parts.name}` +
    (subjects ? ` for ${subjects}` : '')
  );
}
