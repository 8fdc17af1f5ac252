import type { ArmSeed } from './state';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const SUBSCRIPTION_ID = '6f1a2b3c-0d4e-4f50-8a61-7b2c3d4e5f60';
export const OTHER_SUBSCRIPTION_ID = '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
export const APP_CLIENT_ID = '3b4f5e6d-7c8b-4a9f-8e1d-2c3b4a5f6e7d';
export const ISSUER = `https://eastus.oic.prod-aks.azure.com/${TENANT_ID}/5c0e8f1a-2b3d-4e5f-9a6b-7c8d9e0f1a2b/`;

/**
 * A small estate to test against: two tenants, two subscriptions, identities in two resource
 * groups, and two clusters, one still on AKS-managed pod identity and one on workload identity.
 */
export function sampleWorld(): ArmSeed {
  return {
    tenants: [
      { tenantId: TENANT_ID, displayName: 'Contoso', defaultDomain: 'contoso.onmicrosoft.com' },
      { tenantId: OTHER_TENANT_ID, displayName: 'Fabrikam', defaultDomain: 'fabrikam.onmicrosoft.com' },
    ],
    subscriptions: [
      { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID, displayName: 'Contoso Production' },
      { subscriptionId: OTHER_SUBSCRIPTION_ID, tenantId: OTHER_TENANT_ID, displayName: 'Fabrikam Dev' },
    ],
    identities: [
      { subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-apps', name: 'app-identity', clientId: APP_CLIENT_ID },
      { subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-apps', name: 'keda-identity' },
      { subscriptionId: SUBSCRIPTION_ID, resourceGroup: 'rg-shared', name: 'shared-identity', location: 'westeurope' },
      { subscriptionId: OTHER_SUBSCRIPTION_ID, resourceGroup: 'rg-dev', name: 'dev-identity' },
    ],
    clusters: [
      {
        subscriptionId: SUBSCRIPTION_ID,
        resourceGroup: 'rg-aks',
        name: 'aks-legacy',
        properties: {
          dnsPrefix: 'aks-legacy',
          fqdn: 'aks-legacy-1a2b3c4d.hcp.eastus.azmk8s.io',
          oidcIssuerProfile: { enabled: false },
          securityProfile: {},
          podIdentityProfile: {
            enabled: true,
            userAssignedIdentities: [
              {
                name: 'app-pod-identity',
                namespace: 'shop',
                bindingSelector: 'app-identity',
                identity: {
                  resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity`,
                  clientId: APP_CLIENT_ID,
                  objectId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
                },
                provisioningState: 'Assigned',
              },
            ],
            userAssignedIdentityExceptions: [{ name: 'probe-exception', namespace: 'shop', podLabels: { app: 'probe' } }],
          },
        },
      },
      {
        subscriptionId: SUBSCRIPTION_ID,
        resourceGroup: 'rg-platform',
        name: 'aks-modern',
        properties: {
          dnsPrefix: 'aks-modern',
          oidcIssuerProfile: { enabled: true, issuerURL: ISSUER },
          securityProfile: { workloadIdentity: { enabled: true } },
        },
      },
    ],
  };
}
