// The AKS side of the test Kubernetes API server's cluster (test/kube/sampleCluster.ts), added to
// the sample world: the managed cluster whose API server is the test server's host, its OIDC
// issuer, and the user-assigned identities of the service accounts' client ids, each with a
// federated credential in one state: orders-api found, reports with the issuer lacking its
// trailing slash, payments listing another audience.
import { CLIENT_IDS } from '../kube/sampleCluster';
import { sampleWorld, SUBSCRIPTION_ID, TENANT_ID } from './sampleWorld';
import { identityId, type ArmSeed } from './state';

export const CHECKED_ISSUER = `https://eastus.oic.prod-aks.azure.com/${TENANT_ID}/7e6d5c4b-3a29-4810-9f8e-7d6c5b4a3928/`;
export const AUDIENCE = 'api://AzureADTokenExchange';
const GROUP = 'rg-workloads';

export const CHECKED_IDENTITIES = {
  orders: identityId({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: GROUP, name: 'orders-identity' }),
  reports: identityId({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: GROUP, name: 'reports-identity' }),
  payments: identityId({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: GROUP, name: 'payments-identity' }),
} as const;

/** What to add to the sample world for the cluster at `apiServerHost` (the kubeconfig's server host). */
export function checkedClusterSeed(apiServerHost: string): Required<Pick<ArmSeed, 'identities' | 'federatedCredentials' | 'clusters'>> {
  return {
    identities: [
      { subscriptionId: SUBSCRIPTION_ID, resourceGroup: GROUP, name: 'orders-identity', clientId: CLIENT_IDS.orders },
      { subscriptionId: SUBSCRIPTION_ID, resourceGroup: GROUP, name: 'reports-identity', clientId: CLIENT_IDS.reports },
      { subscriptionId: SUBSCRIPTION_ID, resourceGroup: GROUP, name: 'payments-identity', clientId: CLIENT_IDS.payments },
    ],
    federatedCredentials: [
      { identityId: CHECKED_IDENTITIES.orders, name: 'orders-api', issuer: CHECKED_ISSUER, subject: 'system:serviceaccount:orders:orders-api', audiences: [AUDIENCE] },
      { identityId: CHECKED_IDENTITIES.reports, name: 'reports', issuer: CHECKED_ISSUER.replace(/\/$/, ''), subject: 'system:serviceaccount:reports:reports', audiences: [AUDIENCE] },
      { identityId: CHECKED_IDENTITIES.payments, name: 'payments', issuer: CHECKED_ISSUER, subject: 'system:serviceaccount:payments:payments', audiences: ['api://AzureADTokenExchangeUSGov'] },
    ],
    clusters: [
      {
        subscriptionId: SUBSCRIPTION_ID,
        resourceGroup: 'rg-checked',
        name: 'aks-checked',
        properties: {
          dnsPrefix: 'aks-checked',
          fqdn: apiServerHost,
          oidcIssuerProfile: { enabled: true, issuerURL: CHECKED_ISSUER },
          securityProfile: { workloadIdentity: { enabled: true } },
        },
      },
    ],
  };
}

/** The sample world with the checked cluster (at `apiServerHost`) and its identities; `change` edits the addition. */
export function worldWithCheckedCluster(apiServerHost: string, change: (added: ReturnType<typeof checkedClusterSeed>) => void = () => undefined): ArmSeed {
  const world = sampleWorld();
  const added = checkedClusterSeed(apiServerHost);
  change(added);
  return { ...world, identities: [...world.identities!, ...added.identities], federatedCredentials: added.federatedCredentials, clusters: [...world.clusters!, ...added.clusters] };
}
