import { selectorOf, type AddonPodIdentity } from '../addon';
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
