import { randomUUID } from 'node:crypto';

export interface SubscriptionRecord {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: 'Enabled' | 'Warned' | 'PastDue' | 'Disabled' | 'Deleted';
}

export interface TenantRecord {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
}

export interface IdentityRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  clientId: string;
  principalId: string;
  tenantId: string;
  tags?: Record<string, string>;
}

export interface FederatedCredentialRecord {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface PodIdentity {
  name: string;
  namespace: string;
  bindingSelector?: string;
  identity: { resourceId?: string; clientId?: string; objectId?: string };
  provisioningState?: string;
}

export interface PodIdentityException {
  name: string;
  namespace: string;
  podLabels: Record<string, string>;
}

/** `ManagedCluster.properties` as ARM sends it; fields the migration does not read pass through untyped. */
export interface ClusterProperties {
  provisioningState?: string;
  kubernetesVersion?: string;
  dnsPrefix?: string;
  oidcIssuerProfile?: { enabled?: boolean; issuerURL?: string };
  securityProfile?: { workloadIdentity?: { enabled?: boolean }; [key: string]: unknown };
  podIdentityProfile?: {
    enabled?: boolean;
    allowNetworkPluginKubenet?: boolean;
    userAssignedIdentities?: PodIdentity[];
    userAssignedIdentityExceptions?: PodIdentityException[];
  };
  [key: string]: unknown;
}

export interface ClusterRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  properties: ClusterProperties;
  /** Optimistic concurrency: changes whenever a PUT of the cluster is accepted. */
  eTag?: string;
  /** An operation someone else started (an upgrade, a scale): see `ArmState.startClusterOperation`. */
  runningOperation?: RunningOperation;
}

/**
 * An operation on a cluster that this server did not start from a PUT (`az aks upgrade`, a node
 * pool scale): while it runs, the cluster (or the named agent pool) shows its provisioning state
 * and a PUT gets 409 OperationNotAllowed. It ends `Succeeded` after `reads` GETs of the cluster.
 */
export interface RunningOperation {
  /** The provisioning state it shows: `Upgrading`, `Updating`, `Scaling`. */
  provisioningState: string;
  /** An agent pool operation: the pool's provisioning state is the one that shows it. */
  agentPool?: string;
  /** GETs of the cluster answered while it runs (the last one still shows it running). */
  reads: number;
}

export type IdentitySeed = Omit<IdentityRecord, 'clientId' | 'principalId' | 'tenantId' | 'location'> &
  Partial<Pick<IdentityRecord, 'clientId' | 'principalId' | 'tenantId' | 'location'>>;

export type ClusterSeed = Omit<ClusterRecord, 'location' | 'properties'> &
  Partial<Pick<ClusterRecord, 'location' | 'properties'>>;

export interface ArmSeed {
  tenants?: Array<Partial<TenantRecord> & Pick<TenantRecord, 'tenantId'>>;
  subscriptions?: Array<Partial<SubscriptionRecord> & Pick<SubscriptionRecord, 'subscriptionId' | 'tenantId'>>;
  identities?: IdentitySeed[];
  federatedCredentials?: Array<FederatedCredentialRecord & { identityId: string }>;
  clusters?: ClusterSeed[];
}

export const FEDERATED_CREDENTIAL_LIMIT = 20;

/**
 * The domain of AKS's OIDC issuers in the cloud a region belongs to. No Microsoft document lists
 * them; the public cloud's is in the AKS docs' sample output, the two others are what clusters in
 * those clouds report (see test/arm/README.md for the sources).
 */
function oidcIssuerDomain(location: string): string {
  if (/^us(gov|dod)/.test(location)) return 'oic.prod-aks.azure.us';
  if (/^china/.test(location)) return 'oic.prod-aks.azure.cn';
  return 'oic.prod-aks.azure.com';
}

/** An issuer URL of the form AKS gives in the region's cloud, with the trailing slash Entra needs. */
export function newIssuerUrl(location: string, tenantId: string): string {
  return `https://${location}.${oidcIssuerDomain(location)}/${tenantId}/${randomUUID()}/`;
}

export function identityId(record: Pick<IdentityRecord, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${record.subscriptionId}/resourcegroups/${record.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${record.name}`;
}

export function clusterId(record: Pick<ClusterRecord, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${record.subscriptionId}/resourcegroups/${record.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${record.name}`;
}

/** ARM names and ids compare case-insensitively; maps are keyed by this. */
export function keyOf(id: string): string {
  return id.toLowerCase();
}

/**
 * Everything the fake ARM knows. Records are plain objects that tests may read and change
 * directly between requests; the `add*` methods fill in what Azure would generate.
 */
export class ArmState {
  readonly tenants = new Map<string, TenantRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  /** Keyed by `keyOf(subscriptionId/resourceGroup)`. */
  readonly resourceGroups = new Set<string>();
  readonly identities = new Map<string, IdentityRecord>();
  /** Per identity (`keyOf(identityId)`), credentials keyed by lower-case name, in creation order. */
  readonly federatedCredentials = new Map<string, Map<string, FederatedCredentialRecord>>();
  readonly clusters = new Map<string, ClusterRecord>();

  constructor(seed: ArmSeed = {}) {
    seed.tenants?.forEach((tenant) => this.addTenant(tenant));
    seed.subscriptions?.forEach((subscription) => this.addSubscription(subscription));
    seed.identities?.forEach((identity) => this.addIdentity(identity));
    seed.federatedCredentials?.forEach(({ identityId: id, ...credential }) => this.addFederatedCredential(id, credential));
    seed.clusters?.forEach((cluster) => this.addCluster(cluster));
  }

  addTenant(seed: Partial<TenantRecord> & Pick<TenantRecord, 'tenantId'>): TenantRecord {
    const record: TenantRecord = {
      displayName: `Tenant ${seed.tenantId.slice(0, 8)}`,
      defaultDomain: `tenant${seed.tenantId.slice(0, 8)}.onmicrosoft.com`,
      ...seed,
    };
    this.tenants.set(keyOf(record.tenantId), record);
    return record;
  }

  addSubscription(
    seed: Partial<SubscriptionRecord> & Pick<SubscriptionRecord, 'subscriptionId' | 'tenantId'>,
  ): SubscriptionRecord {
    const record: SubscriptionRecord = {
      displayName: `Subscription ${seed.subscriptionId.slice(0, 8)}`,
      state: 'Enabled',
      ...seed,
    };
    this.subscriptions.set(keyOf(record.subscriptionId), record);
    return record;
  }

  addResourceGroup(subscriptionId: string, resourceGroup: string): void {
    this.requireSubscription(subscriptionId);
    this.resourceGroups.add(keyOf(`${subscriptionId}/${resourceGroup}`));
  }

  hasResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    return this.resourceGroups.has(keyOf(`${subscriptionId}/${resourceGroup}`));
  }

  addIdentity(seed: IdentitySeed): IdentityRecord {
    const subscription = this.requireSubscription(seed.subscriptionId);
    const record: IdentityRecord = {
      location: 'eastus',
      clientId: randomUUID(),
      principalId: randomUUID(),
      tenantId: subscription.tenantId,
      ...seed,
    };
    this.addResourceGroup(record.subscriptionId, record.resourceGroup);
    this.identities.set(keyOf(identityId(record)), record);
    return record;
  }

  getIdentity(subscriptionId: string, resourceGroup: string, name: string): IdentityRecord | undefined {
    return this.identities.get(keyOf(identityId({ subscriptionId, resourceGroup, name })));
  }

  /** The credentials of an identity, oldest first (empty if it has none). */
  credentialsOf(id: string): Map<string, FederatedCredentialRecord> {
    let credentials = this.federatedCredentials.get(keyOf(id));
    if (!credentials) {
      credentials = new Map();
      this.federatedCredentials.set(keyOf(id), credentials);
    }
    return credentials;
  }

  addFederatedCredential(id: string, credential: FederatedCredentialRecord): FederatedCredentialRecord {
    if (!this.identities.has(keyOf(id))) {
      throw new Error(`seed: no identity ${id} for federated credential ${credential.name}`);
    }
    const record = { ...credential, audiences: [...credential.audiences] };
    this.credentialsOf(id).set(keyOf(credential.name), record);
    return record;
  }

  addCluster(seed: ClusterSeed): ClusterRecord {
    const subscription = this.requireSubscription(seed.subscriptionId);
    const record: ClusterRecord = {
      location: 'eastus',
      eTag: randomUUID(),
      ...seed,
      properties: { provisioningState: 'Succeeded', kubernetesVersion: '1.30.6', ...seed.properties },
    };
    const oidc = record.properties.oidcIssuerProfile;
    if (oidc?.enabled && oidc.issuerURL === undefined) {
      record.properties.oidcIssuerProfile = { ...oidc, issuerURL: newIssuerUrl(record.location, subscription.tenantId) };
    }
    this.addResourceGroup(record.subscriptionId, record.resourceGroup);
    this.clusters.set(keyOf(clusterId(record)), record);
    return record;
  }

  /** Starts an operation someone else runs on a cluster; it ends after `operation.reads` GETs of it. */
  startClusterOperation(cluster: ClusterRecord, operation: RunningOperation): void {
    cluster.runningOperation = { ...operation };
    if (operation.agentPool) {
      const pools = (cluster.properties.agentPoolProfiles as Array<{ name: string; provisioningState?: string }> | undefined) ?? [];
      const pool = pools.find((p) => p.name === operation.agentPool);
      if (pool) pool.provisioningState = operation.provisioningState;
      else pools.push({ name: operation.agentPool, provisioningState: operation.provisioningState });
      cluster.properties.agentPoolProfiles = pools;
    } else {
      cluster.properties.provisioningState = operation.provisioningState;
    }
  }

  /** Ends a running operation: the cluster and its agent pools are `Succeeded`. */
  endClusterOperation(cluster: ClusterRecord): void {
    cluster.runningOperation = undefined;
    cluster.properties.provisioningState = 'Succeeded';
    for (const pool of (cluster.properties.agentPoolProfiles as Array<{ provisioningState?: string }> | undefined) ?? []) pool.provisioningState = 'Succeeded';
    cluster.eTag = randomUUID();
  }

  getCluster(subscriptionId: string, resourceGroup: string, name: string): ClusterRecord | undefined {
    return this.clusters.get(keyOf(clusterId({ subscriptionId, resourceGroup, name })));
  }

  private requireSubscription(subscriptionId: string): SubscriptionRecord {
    const subscription = this.subscriptions.get(keyOf(subscriptionId));
    if (!subscription) {
      throw new Error(`seed: subscription ${subscriptionId} is not in the state; add it first`);
    }
    return subscription;
  }
}
