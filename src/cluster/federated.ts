// The federated-credential part of the cluster check: what the Azure layer is asked (the cluster's
// API server and, per workload-identity workload, its service account, client id and token
// audience) and what it answers, merged into the report. Pure: the Azure calls are in
// src/vscode/azure/federatedCheck, which the editor loads only when the check has something to ask.
import type { ClusterReport } from './report';

/** One workload whose service account carries a client id: is there a credential for its subject? */
export interface FederatedWorkload {
  /** `<namespace>/<Kind>/<name>`. */
  key: string;
  namespace: string;
  serviceAccount: string;
  clientId: string;
  /** The audience of the token its pods get (as read from the pod), else the expected one. */
  audience: string;
}

export interface FederatedRequest {
  /** The kubeconfig's API server URL: it names the AKS cluster (its fqdn, privateFQDN or azurePortalFQDN). */
  server: string;
  workloads: FederatedWorkload[];
}

export const FEDERATED = {
  found: 'federated credential: found',
  missing: 'federated credential: missing',
  issuerMismatch: 'federated credential: issuer mismatch',
  audienceMismatch: 'federated credential: audience mismatch',
  identityNotFound: 'federated credential: identity not found',
  notReadable: 'federated credential: not readable (403)',
  clusterNotFound: 'federated credential: cluster not found in the subscription',
  noIssuer: 'federated credential: the cluster has no OIDC issuer',
  notSignedIn: 'federated credential: not signed in, skipped',
  untrusted: 'federated credential: untrusted workspace, skipped',
  failed: 'federated credential: not checked',
} as const;

export type FederatedState = (typeof FEDERATED)[keyof typeof FEDERATED];

/** What the Azure layer found for one workload. */
export interface FederatedCheck {
  key: string;
  state: FederatedState;
  detail: string;
  problem: boolean;
  subject: string;
  /** The identity's resource id, when found. */
  identity?: string;
  /** The credential that matched (found, audience mismatch) or the ones with the subject (issuer mismatch). */
  credentials?: Array<{ name: string; issuer: string; subject: string; audiences: string[] }>;
}

export interface FederatedReport {
  /** The AKS cluster the API server belongs to, when found. */
  cluster?: { id: string; name: string; issuer: string | undefined };
  /** One line for the whole check ("checked against cluster …", "not signed in: skipped"). */
  summary: string;
  workloads: FederatedCheck[];
}

export const subjectOf = (w: Pick<FederatedWorkload, 'namespace' | 'serviceAccount'>): string => `system:serviceaccount:${w.namespace}:${w.serviceAccount}`;

/**
 * The workloads to ask about: those on workload identity (not still on pod identity) whose
 * service account carries a client id. The audience is the one their token has; when no token
 * is mounted (pods not mutated), the one expected.
 */
export function federatedRequest(report: ClusterReport): FederatedRequest {
  const workloads: FederatedWorkload[] = [];
  for (const w of report.workloads) {
    const wi = w.workloadIdentity;
    if (w.podIdentity || !wi?.serviceAccountClientId) continue;
    const audience = wi.containers.find((c) => c.tokenMounted && c.audience)?.audience ?? report.audience;
    workloads.push({ key: w.key, namespace: w.namespace, serviceAccount: wi.serviceAccount, clientId: wi.serviceAccountClientId, audience });
  }
  return { server: report.server, workloads };
}

/** The same answer for every workload asked about (skipped, cluster not found, sign-in failed). */
export function federatedForAll(request: FederatedRequest, state: FederatedState, detail: string, problem: boolean, summary = detail): FederatedReport {
  return { summary, workloads: request.workloads.map((w) => ({ key: w.key, state, detail, problem, subject: subjectOf(w) })) };
}

/** The report with the federated-credential answers attached (the states and the text show them). */
export function withFederated(report: ClusterReport, federated: FederatedReport | undefined): ClusterReport {
  return { ...report, federated };
}
