import { randomUUID } from 'node:crypto';
import { ArmError, badRequest, resourceNotFound } from './errors';
import { ok, page, requireResourceGroup, requireSubscription, route, SEGMENT, sameName, type RequestContext, type Route } from './routing';
import { clusterId, keyOf, newIssuerUrl, type ClusterProperties, type ClusterRecord } from './state';

const CLUSTER_TYPE = 'Microsoft.ContainerService/ManagedClusters';
const PROVIDER = 'providers/Microsoft\\.ContainerService';
const IN_GROUP = `/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/${PROVIDER}/managedClusters`;
/** AKS answers its operation-status URL with this old api-version in it. */
const OPERATION_API_VERSION = '2016-03-30';

/** Properties AKS computes: a PUT never sets them, the cluster keeps its own. */
const READ_ONLY_PROPERTIES = ['provisioningState', 'powerState', 'fqdn', 'azurePortalFQDN', 'privateFQDN', 'currentKubernetesVersion', 'maxAgentPools'];

interface ClusterOperation {
  id: string;
  subscriptionId: string;
  clusterKey: string;
  desired: ClusterProperties;
  desiredTags: Record<string, string> | undefined;
  polls: number;
  startTime: string;
  endTime?: string;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  error?: ClusterOperationFailure;
}

/**
 * How a cluster operation started while it is set ends: `Failed` with this error, or `Canceled`
 * (an `az aks operation-abort`); the cluster's properties stay as they were.
 */
export interface ClusterOperationFailure {
  code: string;
  message: string;
  /** `Canceled`: the operation was aborted; default `Failed`. */
  status?: 'Failed' | 'Canceled';
}

/**
 * Microsoft.ContainerService managed clusters. A PUT is a long-running operation in AKS's
 * style: 200/201 with `Azure-AsyncOperation`, whose status reads `InProgress`
 * `settings.lroInProgressPolls` times, then `Succeeded`, at which point the change is applied.
 */
export function managedClusterRoutes(failure: () => ClusterOperationFailure | undefined): Route[] {
  const operations = new Map<string, ClusterOperation>();

  function running(clusterKey: string): ClusterOperation | undefined {
    return [...operations.values()].find((operation) => operation.clusterKey === clusterKey && operation.status === 'InProgress');
  }

  return [
    route('GET', `/subscriptions/${SEGMENT}/${PROVIDER}/managedClusters`, (context) => {
      const [subscriptionId] = context.params;
      requireSubscription(context, subscriptionId);
      const clusters = [...context.state.clusters.values()].filter((cluster) => sameName(cluster.subscriptionId, subscriptionId));
      return page(context, clusters.map(clusterJson));
    }),
    route('GET', IN_GROUP, (context) => {
      const [subscriptionId, resourceGroup] = context.params;
      requireResourceGroup(context, subscriptionId, resourceGroup);
      const clusters = [...context.state.clusters.values()].filter(
        (cluster) => sameName(cluster.subscriptionId, subscriptionId) && sameName(cluster.resourceGroup, resourceGroup),
      );
      return page(context, clusters.map(clusterJson));
    }),
    route('GET', `${IN_GROUP}/${SEGMENT}`, (context) => {
      const cluster = requireCluster(context);
      const reply = ok(clusterJson(cluster));
      // Someone else's operation runs for a number of reads, then ends.
      const other = cluster.runningOperation;
      if (other && --other.reads <= 0) context.state.endClusterOperation(cluster);
      return reply;
    }),
    route('PUT', `${IN_GROUP}/${SEGMENT}`, (context) => {
      const [subscriptionId, resourceGroup, name] = context.params;
      requireResourceGroup(context, subscriptionId, resourceGroup);
      const body = (context.body ?? {}) as { location?: unknown; tags?: Record<string, string>; properties?: ClusterProperties };
      const existing = context.state.getCluster(subscriptionId, resourceGroup, name);
      const key = keyOf(clusterId({ subscriptionId, resourceGroup, name }));
      const busy = running(key);
      const other = existing?.runningOperation;
      if (existing && other) {
        // AKS's wording, for a cluster and for an agent pool operation.
        throw new ArmError(
          409,
          'OperationNotAllowed',
          `Operation is not allowed: Another ${other.agentPool ? `agentpool operation (${other.agentPool} - ${other.provisioningState})` : `operation (${other.provisioningState})`} is in progress, ` +
            'please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details',
        );
      }
      if (existing && busy) {
        throw new ArmError(
          409,
          'OperationNotAllowed',
          `Operation is not allowed: Another operation (${existing.properties.provisioningState ?? 'Updating'}) is in progress, ` +
            'please wait for it to finish before starting a new operation.',
        );
      }
      // Optimistic concurrency, as AKS does it: If-Match must name the cluster's current eTag.
      const ifMatch = context.headers['if-match'];
      if (typeof ifMatch === 'string' && ifMatch !== '*' && (!existing || ifMatch !== existing.eTag)) {
        throw new ArmError(
          412,
          'PreconditionFailed',
          `Operation is not allowed: the eTag ${ifMatch} of managedClusters '${name}' does not match its current eTag ${existing?.eTag ?? '(none: no such cluster)'}. Please get the latest object and try again.`,
        );
      }
      if (typeof body.location !== 'string' || body.location === '') {
        throw badRequest('The location property is required for this definition.', 'LocationRequired');
      }
      const desired = withoutReadOnly(body.properties ?? {});
      const cluster: ClusterRecord = existing ?? {
        subscriptionId,
        resourceGroup,
        name,
        location: body.location,
        properties: {},
      };
      if (!existing) {
        context.state.clusters.set(key, cluster);
      }
      cluster.properties = { ...cluster.properties, provisioningState: existing ? 'Updating' : 'Creating' };
      cluster.eTag = randomUUID();
      const operation: ClusterOperation = {
        id: randomUUID(),
        subscriptionId,
        clusterKey: key,
        desired,
        desiredTags: body.tags,
        polls: 0,
        startTime: new Date().toISOString(),
        status: 'InProgress',
        error: failure(),
      };
      operations.set(operation.id, operation);
      const statusUrl = new URL(
        `/subscriptions/${subscriptionId}/providers/Microsoft.ContainerService/locations/${cluster.location}/operations/${operation.id}`,
        context.baseUrl,
      );
      statusUrl.searchParams.set('api-version', OPERATION_API_VERSION);
      return {
        status: existing ? 200 : 201,
        headers: { 'Azure-AsyncOperation': statusUrl.toString() },
        body: clusterJson({
          ...cluster,
          tags: body.tags,
          properties: { ...desired, provisioningState: cluster.properties.provisioningState },
        }),
      };
    }),
    route('GET', `/subscriptions/${SEGMENT}/${PROVIDER}/locations/${SEGMENT}/operations/${SEGMENT}`, (context) => {
      const [subscriptionId, , operationId] = context.params;
      const operation = operations.get(operationId);
      if (!operation || !sameName(operation.subscriptionId, subscriptionId)) {
        throw new ArmError(404, 'NotFound', `Operation '${operationId}' was not found.`);
      }
      if (operation.status === 'InProgress') {
        operation.polls += 1;
        if (operation.polls > context.settings.lroInProgressPolls) {
          settle(context, operation);
        }
      }
      const headers: Record<string, string> = {};
      if (context.settings.lroRetryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(context.settings.lroRetryAfterSeconds);
      }
      return {
        status: 200,
        headers,
        body: {
          name: operation.id,
          status: operation.status,
          startTime: operation.startTime,
          ...(operation.endTime ? { endTime: operation.endTime } : {}),
          ...(operation.status === 'Failed' || operation.status === 'Canceled' ? { error: { code: operation.error?.code, message: operation.error?.message } } : {}),
        },
      };
    }),
  ];
}

/** Ends an operation: applies its properties (or marks the cluster failed). */
function settle(context: RequestContext, operation: ClusterOperation): void {
  operation.endTime = new Date().toISOString();
  const cluster = context.state.clusters.get(operation.clusterKey);
  if (!cluster) {
    operation.status = 'Failed';
    operation.error = { code: 'NotFound', message: 'The cluster was deleted while the operation ran.' };
    return;
  }
  if (operation.error) {
    operation.status = operation.error.status ?? 'Failed';
    cluster.properties = { ...cluster.properties, provisioningState: operation.status };
    return;
  }
  const previous = cluster.properties;
  const next: ClusterProperties = { ...operation.desired };
  for (const property of READ_ONLY_PROPERTIES) {
    if (previous[property] !== undefined) {
      next[property] = previous[property];
    }
  }
  if (operation.desired.oidcIssuerProfile?.enabled) {
    const tenantId = requireSubscription(context, cluster.subscriptionId).tenantId;
    next.oidcIssuerProfile = {
      enabled: true,
      issuerURL: previous.oidcIssuerProfile?.issuerURL ?? newIssuerUrl(cluster.location, tenantId),
    };
  }
  next.provisioningState = 'Succeeded';
  cluster.properties = next;
  cluster.tags = operation.desiredTags;
  operation.status = 'Succeeded';
}

function withoutReadOnly(properties: ClusterProperties): ClusterProperties {
  const copy: ClusterProperties = structuredClone(properties);
  for (const property of READ_ONLY_PROPERTIES) {
    delete copy[property];
  }
  if (copy.oidcIssuerProfile) {
    delete copy.oidcIssuerProfile.issuerURL;
  }
  return copy;
}

function requireCluster(context: RequestContext): ClusterRecord {
  const [subscriptionId, resourceGroup, name] = context.params;
  requireResourceGroup(context, subscriptionId, resourceGroup);
  const cluster = context.state.getCluster(subscriptionId, resourceGroup, name);
  if (!cluster) {
    throw resourceNotFound('Microsoft.ContainerService/managedClusters', name, resourceGroup);
  }
  return cluster;
}

function clusterJson(cluster: ClusterRecord): unknown {
  return {
    id: clusterId(cluster),
    name: cluster.name,
    type: CLUSTER_TYPE,
    location: cluster.location,
    tags: cluster.tags,
    ...(cluster.eTag ? { eTag: cluster.eTag } : {}),
    sku: { name: 'Base', tier: 'Free' },
    properties: structuredClone(cluster.properties),
  };
}
