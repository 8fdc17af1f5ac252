// A cluster half-way through the migration, in the API's own object shapes. The workloads share
// names with examples/ (orders-api, billing-api, payments), so that the repository and the cluster
// can be compared:
// - orders/Deployment/orders-api      migrated and mutated (the repository still has it on pod identity: drift)
// - billing/Deployment/billing-api    still on pod identity: aadpodidbinding billing-identity → billing/billing-identity
// - payments/Deployment/payments      use label, not mutated (created before the webhook)
// - ledger/StatefulSet/ledger         mutated, token volume with another name, wrong audience, account without client id
// - reports/CronJob/nightly-report    mutated, the pre-1.6 token path, a skipped sidecar container
// - legacy/Pod/legacy-tool            bare pod on pod identity, objects in the pre-1.6 capitalised spelling
// - shipping/Deployment/shipping      neither label
// plus NMI (kube-system) and MIC (default) pods, an exception, and the webhook's configuration.
import type { KubeSeed } from './server';

export const CLIENT_IDS = {
  orders: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  billing: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  legacy: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  reports: '12345678-90ab-4cde-8f01-234567890abc',
  payments: '99999999-8888-4777-8666-555555555555',
} as const;
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://AzureADTokenExchange';

const meta = (namespace: string, name: string, extra: Record<string, unknown> = {}) => ({ metadata: { namespace, name, uid: `${namespace}-${name}`, ...extra } });
const owner = (kind: string, name: string, apiVersion = 'apps/v1') => ({ ownerReferences: [{ apiVersion, kind, name, uid: `uid-${name}`, controller: true }] });

function injectedEnv(clientId: string, tokenFile = '/var/run/secrets/azure/tokens/azure-identity-token') {
  return [
    { name: 'AZURE_CLIENT_ID', value: clientId },
    { name: 'AZURE_TENANT_ID', value: TENANT_ID },
    { name: 'AZURE_FEDERATED_TOKEN_FILE', value: tokenFile },
    { name: 'AZURE_AUTHORITY_HOST', value: 'https://login.microsoftonline.com/' },
  ];
}

function tokenVolume(name: string, audience: string | undefined, path = 'azure-identity-token') {
  return { name, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { ...(audience ? { audience } : {}), expirationSeconds: 3600, path } }] } };
}

/** A pod of a workload: `owner` is its controller. */
function pod(namespace: string, name: string, labels: Record<string, string>, spec: Record<string, unknown>, controller?: ReturnType<typeof owner>, annotations?: Record<string, string>) {
  return { ...meta(namespace, name, { labels, ...(annotations ? { annotations } : {}), ...(controller ?? {}) }), spec, status: { phase: 'Running' } };
}

export function sampleCluster(): KubeSeed {
  const wiLabels = (app: string, hash?: string) => ({ app, 'azure.workload.identity/use': 'true', ...(hash ? { 'pod-template-hash': hash } : {}) });
  const ordersSpec = {
    serviceAccountName: 'orders-api',
    containers: [
      {
        name: 'api',
        image: 'contoso.azurecr.io/orders/api:1.9.0',
        env: [{ name: 'KEYVAULT_NAME', value: 'orders-kv' }, ...injectedEnv(CLIENT_IDS.orders)],
        volumeMounts: [
          { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
          { name: 'azure-identity-token', mountPath: '/var/run/secrets/azure/tokens', readOnly: true },
        ],
      },
    ],
    volumes: [{ name: 'kube-api-access-x7k2p', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }, tokenVolume('azure-identity-token', AUDIENCE)],
  };
  const pods = [
    pod('orders', 'orders-api-6c9d8b7f5-abcde', wiLabels('orders-api', '6c9d8b7f5'), ordersSpec, owner('ReplicaSet', 'orders-api-6c9d8b7f5')),
    pod('orders', 'orders-api-6c9d8b7f5-fghij', wiLabels('orders-api', '6c9d8b7f5'), ordersSpec, owner('ReplicaSet', 'orders-api-6c9d8b7f5')),
    pod('billing', 'billing-api-7f8e9d-kq2zx', { app: 'billing-api', aadpodidbinding: 'billing-identity', 'pod-template-hash': '7f8e9d' }, { containers: [{ name: 'api', image: 'contoso.azurecr.io/billing/api:2.4.1' }] }, owner('ReplicaSet', 'billing-api-7f8e9d')),
    pod('payments', 'payments-5b4c3d-p1q2r', wiLabels('payments', '5b4c3d'), { serviceAccountName: 'payments', containers: [{ name: 'payments', image: 'contoso.azurecr.io/payments:3.0.2' }] }, owner('ReplicaSet', 'payments-5b4c3d')),
    pod(
      'ledger',
      'ledger-0',
      wiLabels('ledger'),
      {
        serviceAccountName: 'ledger',
        containers: [{ name: 'ledger', image: 'contoso.azurecr.io/ledger:1.0.0', env: injectedEnv(CLIENT_IDS.payments), volumeMounts: [{ name: 'wi-projected-token', mountPath: '/var/run/secrets/azure/tokens/', readOnly: true }] }],
        volumes: [tokenVolume('wi-projected-token', 'api://AzureADTokenExchangeUSGov')],
      },
      owner('StatefulSet', 'ledger'),
    ),
    pod(
      'reports',
      'nightly-report-29000000-x8z7w',
      wiLabels('nightly-report'),
      {
        serviceAccountName: 'reports',
        containers: [
          { name: 'report', image: 'contoso.azurecr.io/report:4.2.0', env: injectedEnv(CLIENT_IDS.reports, '/var/run/secrets/tokens/azure-identity-token'), volumeMounts: [{ name: 'azure-identity-token', mountPath: '/var/run/secrets/tokens', readOnly: true }] },
          { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.0' },
        ],
        volumes: [tokenVolume('azure-identity-token', AUDIENCE)],
      },
      owner('Job', 'nightly-report-29000000', 'batch/v1'),
      { 'azure.workload.identity/skip-containers': 'istio-proxy' },
    ),
    pod('legacy', 'legacy-tool', { aadpodidbinding: 'legacy' }, { containers: [{ name: 'tool', image: 'contoso.azurecr.io/legacy-tool:0.9' }] }),
    pod('shipping', 'shipping-6d5c4b-m9n8b', { app: 'shipping', 'pod-template-hash': '6d5c4b' }, { containers: [{ name: 'shipping', image: 'contoso.azurecr.io/shipping:1.1.0' }] }, owner('ReplicaSet', 'shipping-6d5c4b')),
    ...['vmss000000', 'vmss000001'].map((node) =>
      pod('kube-system', `nmi-${node.slice(-2)}xyz`, { component: 'nmi', 'kubernetes.azure.com/managedby': 'aks' }, { nodeName: node, hostNetwork: true, containers: [{ name: 'nmi', image: 'mcr.microsoft.com/oss/azure/aad-pod-identity/nmi:v1.8.17' }] }, owner('DaemonSet', 'nmi')),
    ),
    pod('default', 'mic-7f6d9c8b-2k4lm', { app: 'mic', component: 'mic', 'pod-template-hash': '7f6d9c8b' }, { containers: [{ name: 'mic', image: 'mcr.microsoft.com/oss/azure/aad-pod-identity/mic:v1.8.17' }] }, owner('ReplicaSet', 'mic-7f6d9c8b')),
    pod('kube-system', 'azure-wi-webhook-controller-manager-6bbb89cc55-q7r8s', { 'azure-workload-identity.io/system': 'true', 'pod-template-hash': '6bbb89cc55' }, { containers: [{ name: 'manager', image: 'mcr.microsoft.com/oss/azure/workload-identity/webhook:v1.5.1' }] }, owner('ReplicaSet', 'azure-wi-webhook-controller-manager-6bbb89cc55')),
  ];
  const replicaSet = (namespace: string, name: string, deployment: string) => meta(namespace, name, owner('Deployment', deployment));
  return {
    pods,
    replicasets: [
      replicaSet('orders', 'orders-api-6c9d8b7f5', 'orders-api'),
      replicaSet('billing', 'billing-api-7f8e9d', 'billing-api'),
      replicaSet('payments', 'payments-5b4c3d', 'payments'),
      replicaSet('shipping', 'shipping-6d5c4b', 'shipping'),
      replicaSet('default', 'mic-7f6d9c8b', 'mic'),
      replicaSet('kube-system', 'azure-wi-webhook-controller-manager-6bbb89cc55', 'azure-wi-webhook-controller-manager'),
    ],
    jobs: [meta('reports', 'nightly-report-29000000', owner('CronJob', 'nightly-report', 'batch/v1'))],
    serviceaccounts: [
      meta('orders', 'orders-api', { annotations: { 'azure.workload.identity/client-id': CLIENT_IDS.orders } }),
      meta('payments', 'payments', { annotations: { 'azure.workload.identity/client-id': CLIENT_IDS.payments } }),
      meta('ledger', 'ledger'),
      meta('reports', 'reports', { annotations: { 'azure.workload.identity/client-id': CLIENT_IDS.reports, 'azure.workload.identity/tenant-id': TENANT_ID } }),
      ...['orders', 'billing', 'payments', 'ledger', 'reports', 'legacy', 'shipping', 'default', 'kube-system'].map((ns) => meta(ns, 'default')),
    ],
    mutatingwebhookconfigurations: [
      {
        metadata: { name: 'azure-wi-webhook-mutating-webhook-configuration', labels: { 'azure-workload-identity.io/system': 'true' } },
        webhooks: [
          {
            name: 'mutation.azure-workload-identity.io',
            admissionReviewVersions: ['v1', 'v1beta1'],
            clientConfig: { service: { name: 'azure-wi-webhook-webhook-service', namespace: 'kube-system', path: '/mutate-v1-pod' } },
            failurePolicy: 'Fail',
            sideEffects: 'None',
            objectSelector: { matchLabels: { 'azure.workload.identity/use': 'true' } },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          },
        ],
      },
      { metadata: { name: 'aks-webhook-admission-controller' }, webhooks: [{ name: 'aks-webhook-admission-controller.azmk8s.io', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: 'https://example.invalid' } }] },
    ],
    azureidentities: [
      { ...meta('billing', 'billing-identity'), spec: { type: 0, clientID: CLIENT_IDS.billing, resourceID: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/billing/providers/Microsoft.ManagedIdentity/userAssignedIdentities/billing-identity' } },
      { ...meta('legacy', 'legacy-identity'), spec: { Type: 0, ClientID: CLIENT_IDS.legacy, ResourceID: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/legacy/providers/Microsoft.ManagedIdentity/userAssignedIdentities/legacy-identity' } },
    ],
    azureidentitybindings: [
      { ...meta('billing', 'billing-identity-binding'), spec: { azureIdentity: 'billing-identity', selector: 'billing-identity' } },
      { ...meta('legacy', 'legacy-binding'), spec: { AzureIdentity: 'legacy-identity', Selector: 'legacy' } },
    ],
    azurepodidentityexceptions: [{ ...meta('default', 'imds-exception'), spec: { podLabels: { app: 'node-exporter' } } }],
  };
}
