import { resourceNotFound } from './errors';
import { ok, page, requireResourceGroup, requireSubscription, route, SEGMENT, sameName, type RequestContext, type Route } from './routing';
import { identityId, type IdentityRecord } from './state';

export const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

const BY_SUBSCRIPTION = `/subscriptions/${SEGMENT}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities`;
export const IDENTITIES_IN_GROUP = `/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities`;

/** Microsoft.ManagedIdentity user-assigned identities (read only: the migration never creates one). */
export const identityRoutes: Route[] = [
  route('GET', BY_SUBSCRIPTION, (context) => {
    const [subscriptionId] = context.params;
    requireSubscription(context, subscriptionId);
    const inSubscription = [...context.state.identities.values()].filter((identity) =>
      sameName(identity.subscriptionId, subscriptionId),
    );
    return page(context, inSubscription.map(identityJson));
  }),
  route('GET', IDENTITIES_IN_GROUP, (context) => {
    const [subscriptionId, resourceGroup] = context.params;
    requireResourceGroup(context, subscriptionId, resourceGroup);
    const inGroup = [...context.state.identities.values()].filter(
      (identity) => sameName(identity.subscriptionId, subscriptionId) && sameName(identity.resourceGroup, resourceGroup),
    );
    return page(context, inGroup.map(identityJson));
  }),
  route('GET', `${IDENTITIES_IN_GROUP}/${SEGMENT}`, (context) => ok(identityJson(requireIdentity(context)))),
];

/** The identity named by the first three route parameters (subscription, group, name), or 404. */
export function requireIdentity(context: RequestContext): IdentityRecord {
  const [subscriptionId, resourceGroup, name] = context.params;
  requireResourceGroup(context, subscriptionId, resourceGroup);
  const identity = context.state.getIdentity(subscriptionId, resourceGroup, name);
  if (!identity) {
    throw resourceNotFound(IDENTITY_TYPE, name, resourceGroup);
  }
  return identity;
}

function identityJson(identity: IdentityRecord): unknown {
  return {
    id: identityId(identity),
    name: identity.name,
    type: IDENTITY_TYPE,
    location: identity.location,
    tags: identity.tags ?? {},
    properties: {
      isolationScope: 'None',
      tenantId: identity.tenantId,
      principalId: identity.principalId,
      clientId: identity.clientId,
    },
  };
}
