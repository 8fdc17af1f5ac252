import type { ManagedCluster } from '@azure/arm-containerservice';
import type { Identity } from '@azure/arm-msi';
import { collect, parseResourceId } from './clients';
import { guarded, type Connection } from './connect';
import type { FlowContext } from './context';
import type { PickItem } from './ui';

/** A user-assigned managed identity, as the flows use it. */
export interface IdentityInfo {
  id: string;
  name: string;
  resourceGroup: string;
  clientId: string;
  tenantId: string | undefined;
}

/** An AKS cluster and its readiness for workload identity. */
export interface ClusterInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  oidcIssuerEnabled: boolean;
  issuerUrl: string | undefined;
  workloadIdentityEnabled: boolean;
  podIdentityEnabled: boolean;
}

/** What makes an identity the likely one: the workload's AzureIdentity (resource id or client id). */
export interface IdentityPreference {
  resourceIds: string[];
  clientIds: string[];
  /** Why, shown next to the preferred identity ("AzureIdentity shop/app-identity"). */
  reason: string;
}

export function identityInfo(identity: Identity): IdentityInfo | undefined {
  const ref = parseResourceId(identity.id);
  if (!ref || !identity.id || !identity.clientId) return undefined;
  return { id: identity.id, name: identity.name ?? ref.name, resourceGroup: ref.resourceGroup, clientId: identity.clientId, tenantId: identity.tenantId };
}

export function clusterInfo(cluster: ManagedCluster): ClusterInfo | undefined {
  const ref = parseResourceId(cluster.id);
  if (!ref || !cluster.id) return undefined;
  return {
    id: cluster.id,
    name: cluster.name ?? ref.name,
    resourceGroup: ref.resourceGroup,
    location: cluster.location,
    oidcIssuerEnabled: cluster.oidcIssuerProfile?.enabled === true,
    issuerUrl: cluster.oidcIssuerProfile?.issuerURL,
    workloadIdentityEnabled: cluster.securityProfile?.workloadIdentity?.enabled === true,
    podIdentityEnabled: cluster.podIdentityProfile?.enabled === true,
  };
}

/** Identities of the subscription; the one matching the workload's AzureIdentity first. */
export async function pickIdentity(context: FlowContext, connection: Connection, preference?: IdentityPreference): Promise<IdentityInfo> {
  const matches = (i: IdentityInfo) =>
    !!preference &&
    (preference.resourceIds.some((id) => id.toLowerCase() === i.id.toLowerCase()) ||
      preference.clientIds.some((id) => id.toLowerCase() === i.clientId.toLowerCase()));
  return context.ui.pick(
    async (signal) => {
      const identities = await guarded(
        () => {
          context.log.info(`GET /subscriptions/${connection.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`);
          return collect(connection.clients.msi(connection.subscriptionId).userAssignedIdentities.listBySubscription({ abortSignal: signal }), signal);
        },
        { operation: 'list the managed identities', endpoint: connection.clients.endpoint },
      );
      const infos = identities.map(identityInfo).filter((i): i is IdentityInfo => !!i);
      const ordered = [...infos.filter(matches), ...infos.filter((i) => !matches(i))];
      return ordered.map((i): PickItem<IdentityInfo> => ({
        label: i.name,
        description: matches(i) ? `${i.resourceGroup} · matches ${preference!.reason}` : i.resourceGroup,
        detail: `client id ${i.clientId}`,
        value: i,
      }));
    },
    {
      title: 'User-assigned managed identity',
      placeholder: 'Pick the identity to federate',
      emptyMessage: `No user-assigned managed identity in subscription ${connection.subscriptionName}.`,
    },
  );
}

/** Clusters of the subscription, each showing whether its OIDC issuer and workload identity are on. */
export async function pickCluster(
  context: FlowContext,
  connection: Connection,
  options: { title: string; placeholder: string; order?: (c: ClusterInfo) => number },
): Promise<ClusterInfo> {
  return context.ui.pick(
    async (signal) => {
      const clusters = await listClusters(context, connection, signal);
      const order = options.order ?? (() => 0);
      return [...clusters]
        .sort((a, b) => order(a) - order(b))
        .map((c): PickItem<ClusterInfo> => ({
          label: c.name,
          description: `${c.resourceGroup} · ${c.location}`,
          detail: [
            `OIDC issuer ${c.oidcIssuerEnabled ? 'enabled' : 'disabled'}`,
            `workload identity ${c.workloadIdentityEnabled ? 'enabled' : 'disabled'}`,
            ...(c.podIdentityEnabled ? ['AKS-managed pod identity enabled'] : []),
          ].join(' · '),
          value: c,
        }));
    },
    { title: options.title, placeholder: options.placeholder, emptyMessage: `No AKS cluster in subscription ${connection.subscriptionName}.` },
  );
}

async function listClusters(context: FlowContext, connection: Connection, signal: AbortSignal): Promise<ClusterInfo[]> {
  const clusters = await guarded(
    () => {
      context.log.info(`GET /subscriptions/${connection.subscriptionId}/providers/Microsoft.ContainerService/managedClusters`);
      return collect(connection.clients.aks(connection.subscriptionId).managedClusters.list({ abortSignal: signal }), signal);
    },
    { operation: 'list the AKS clusters', endpoint: connection.clients.endpoint },
  );
  return clusters.map(clusterInfo).filter((c): c is ClusterInfo => !!c);
}
