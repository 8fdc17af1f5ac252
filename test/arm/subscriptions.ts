import { page, requireSubscription, route, SEGMENT, type Route } from './routing';
import type { SubscriptionRecord, TenantRecord } from './state';

/** Microsoft.Resources subscriptions and tenants, as `SubscriptionClient` reads them. */
export const subscriptionRoutes: Route[] = [
  route('GET', '/subscriptions', (context) => page(context, [...context.state.subscriptions.values()].map(subscriptionJson))),
  route('GET', `/subscriptions/${SEGMENT}`, (context) => ({
    status: 200,
    body: subscriptionJson(requireSubscription(context, context.params[0])),
  })),
  route('GET', '/tenants', (context) => page(context, [...context.state.tenants.values()].map(tenantJson))),
];

function subscriptionJson(subscription: SubscriptionRecord): unknown {
  return {
    id: `/subscriptions/${subscription.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: subscription.subscriptionId,
    tenantId: subscription.tenantId,
    displayName: subscription.displayName,
    state: subscription.state,
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

function tenantJson(tenant: TenantRecord): unknown {
  return {
    id: `/tenants/${tenant.tenantId}`,
    tenantId: tenant.tenantId,
    tenantCategory: 'Home',
    countryCode: 'US',
    displayName: tenant.displayName,
    domains: [tenant.defaultDomain],
    defaultDomain: tenant.defaultDomain,
    tenantType: 'AAD',
  };
}
