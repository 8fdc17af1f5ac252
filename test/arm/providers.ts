import { ArmError } from './errors';
import { requireSubscription, route, SEGMENT, type ArmServerSettings, type RequestContext, type Route } from './routing';

/**
 * What the Microsoft.ContainerService provider lists for managedClusters when
 * `settings.aksApiVersions` is not set (every api-version is then accepted): a few stable and
 * preview versions, newest first as ARM lists them.
 */
const LISTED_BY_DEFAULT = ['2026-04-01', '2026-03-02-preview', '2025-10-01', '2025-01-01', '2024-02-01', '2023-08-01'];
/** AKS's operation-status resource type keeps its own old api-version. */
const OPERATIONS_API_VERSIONS = ['2017-08-31', '2016-03-30'];

/** `GET /subscriptions/{id}/providers/Microsoft.ContainerService`: the provider's registration, resource types and api-versions. */
export const providerRoutes: Route[] = [
  route('GET', `/subscriptions/${SEGMENT}/providers/Microsoft\\.ContainerService`, (context) => {
    const [subscriptionId] = context.params;
    requireSubscription(context, subscriptionId);
    const locations = [...new Set([...context.state.clusters.values()].map((c) => c.location))];
    return {
      status: 200,
      body: {
        id: `/subscriptions/${subscriptionId}/providers/Microsoft.ContainerService`,
        namespace: 'Microsoft.ContainerService',
        registrationState: 'Registered',
        registrationPolicy: 'RegistrationRequired',
        resourceTypes: [
          { resourceType: 'managedClusters', locations, apiVersions: managedClusterApiVersions(context.settings), capabilities: 'CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SystemAssignedResourceIdentity, SupportsTags, SupportsLocation' },
          { resourceType: 'locations/operations', locations, apiVersions: OPERATIONS_API_VERSIONS, capabilities: 'None' },
        ],
      },
    };
  }),
];

function managedClusterApiVersions(settings: ArmServerSettings): string[] {
  return [...(settings.aksApiVersions ?? LISTED_BY_DEFAULT)].sort().reverse();
}

/**
 * A cloud whose provider lacks an api-version (`settings.aksApiVersions` set) refuses managedClusters
 * requests made with it, in ARM's words: 400 NoRegisteredProviderFound for a cluster ("No registered
 * resource provider found for location '…' and API version '…' for type 'managedClusters'. The
 * supported api-versions are '…'. The supported locations are '…'."), and InvalidResourceType for the
 * lists ("The resource type 'managedClusters' could not be found in the namespace
 * 'Microsoft.ContainerService' for api version '…'. The supported api-versions are '…'."). Both are
 * ARM's codes for a version a provider lacks; which of them ARM gives for a list is this server's pick.
 * Operation-status URLs (`locations/…/operations/…`) carry AKS's own api-version and are not checked.
 */
export function checkAksApiVersion(context: Pick<RequestContext, 'path' | 'url' | 'settings' | 'state'>): void {
  const listed = context.settings.aksApiVersions;
  const match = /\/providers\/Microsoft\.ContainerService\/managedClusters(?:\/([^/]+))?(?:\/|$)/i.exec(context.path);
  if (!listed || !match) return;
  const sent = context.url.searchParams.get('api-version') ?? '';
  if (listed.includes(sent)) return;
  const supported = managedClusterApiVersions(context.settings).slice().reverse().join(', ');
  const locations = [...new Set([...context.state.clusters.values()].map((c) => c.location))].join(', ');
  if (!match[1]) {
    throw new ArmError(
      400,
      'InvalidResourceType',
      `The resource type 'managedClusters' could not be found in the namespace 'Microsoft.ContainerService' for api version '${sent}'. The supported api-versions are '${supported}'.`,
    );
  }
  const name = decodeURIComponent(match[1]).toLowerCase();
  const location = [...context.state.clusters.values()].find((c) => c.name.toLowerCase() === name)?.location ?? 'eastus';
  throw new ArmError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location '${location}' and API version '${sent}' for type 'managedClusters'. ` +
      `The supported api-versions are '${supported}'. The supported locations are '${locations}'.`,
  );
}
