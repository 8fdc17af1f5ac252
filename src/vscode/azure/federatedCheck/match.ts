// Pure parts of the federated-credential check: which AKS cluster a kubeconfig's API server is,
// and what an identity's credentials say about one workload's subject.
import { FEDERATED, subjectOf, type FederatedCheck, type FederatedWorkload } from '../../../cluster/federated';

/** The host names by which a managed cluster's API server is reached (the SDK's ManagedCluster fields). */
export interface ClusterHosts {
  fqdn?: string;
  privateFqdn?: string;
  azurePortalFqdn?: string;
}

/** The host of an API server URL, lower case, without port or trailing dot; undefined when it is no URL. */
export function serverHost(server: string): string | undefined {
  try {
    return new URL(server).hostname.toLowerCase().replace(/\.$/, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cluster whose API server the kubeconfig names: `az aks get-credentials` writes
 * `https://<fqdn>:443` (a private cluster: its privateFQDN; through the portal: azurePortalFQDN).
 */
export function clusterForServer<T extends ClusterHosts>(server: string, clusters: readonly T[]): T | undefined {
  const host = serverHost(server);
  if (!host) return undefined;
  return clusters.find((c) => [c.fqdn, c.privateFqdn, c.azurePortalFqdn].some((name) => name?.toLowerCase().replace(/\.$/, '') === host));
}

export interface Credential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

/** The state of one workload's subject among its identity's credentials, under the cluster's issuer. */
export function credentialState(workload: FederatedWorkload, identityId: string, issuer: string, credentials: readonly Credential[]): FederatedCheck {
  const subject = subjectOf(workload);
  const base = { key: workload.key, subject, identity: identityId };
  const identityName = identityId.split('/').pop();
  const forSubject = credentials.filter((c) => c.subject === subject);
  if (forSubject.length === 0) {
    return { ...base, state: FEDERATED.missing, problem: true, detail: `Identity ${identityName} has no federated credential for ${subject}: create it (Workload Identity: Create federated credential).` };
  }
  const withIssuer = forSubject.filter((c) => c.issuer === issuer);
  if (withIssuer.length === 0) {
    const slash = forSubject.some((c) => c.issuer.replace(/\/$/, '') === issuer.replace(/\/$/, ''));
    const issuers = forSubject.map((c) => `${c.name}: ${c.issuer}`).join('; ');
    return {
      ...base,
      credentials: forSubject,
      state: FEDERATED.issuerMismatch,
      problem: true,
      detail: `Identity ${identityName} has a federated credential for ${subject}, but not with the cluster's issuer ${issuer} (${issuers})${slash ? ': only the trailing slash differs, and Entra compares the issuer exactly' : ''}.`,
    };
  }
  const matching = withIssuer.find((c) => c.audiences.includes(workload.audience));
  if (!matching) {
    const listed = withIssuer.map((c) => `${c.name}: ${c.audiences.join(', ') || 'none'}`).join('; ');
    return {
      ...base,
      credentials: withIssuer,
      state: FEDERATED.audienceMismatch,
      problem: true,
      detail: `Identity ${identityName}'s federated credential for ${subject} does not list the token's audience ${workload.audience} (${listed}).`,
    };
  }
  return { ...base, credentials: [matching], state: FEDERATED.found, problem: false, detail: `Federated credential ${matching.name} on identity ${identityName}: issuer ${issuer}, subject ${subject}, audience ${workload.audience}.` };
}
