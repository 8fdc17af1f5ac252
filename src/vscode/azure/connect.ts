import type { Subscription, TenantIdDescription } from '@azure/arm-resources-subscriptions';
import { ArmClients, collect, type ClientEvents } from './clients';
import type { FlowContext } from './context';
import { describeError } from './errors';
import { FlowError } from './result';
import { watchedSignIn } from './signingIn';

/** A signed-in subscription: the clients every later call uses. */
export interface Connection {
  tenantId: string | undefined;
  subscriptionId: string;
  subscriptionName: string;
  clients: ArmClients;
}

/**
 * Signs in and picks where to work: the tenant (asked only when the account has several and the
 * tenant setting names none), then the subscription.
 */
export async function connect(context: FlowContext): Promise<Connection> {
  const { ui, log, settings, signIn } = context;
  const events: ClientEvents = {
    apiVersionFallback: ({ sent, used, source, code }) => {
      const whence = {
        provider: 'the newest stable version its Microsoft.ContainerService provider lists',
        error: 'the newest stable version its error lists',
        pinned: 'a version this extension pins, as the provider\'s list could not be read',
      }[source];
      const message =
        `Azure Resource Manager in this cloud (${settings.cloud.name}) does not have the AKS api-version ${sent} (${code}), ` +
        `so the AKS requests use ${used} instead: ${whence}.`;
      log.warn(message);
      ui.notify('warning', message);
    },
  };
  const clientsFor = (tenantId: string | undefined) =>
    new ArmClients(watchedSignIn(signIn.credential(tenantId), ui, settings), settings.cloud, settings.resourceManagerEndpoint, context.transport, events);
  const home = clientsFor(settings.tenant);
  log.info(`Signing in with ${signIn.method} (${settings.cloud.name}, Resource Manager ${home.endpoint}).`);

  let tenantId = settings.tenant;
  if (!tenantId) {
    const tenants = await guarded(
      () => {
        log.info('GET /tenants');
        return collect(home.subscriptions().tenants.list());
      },
      { operation: 'list your tenants', endpoint: home.endpoint, authentication: settings.authentication },
    );
    const known = tenants.filter((t): t is TenantIdDescription & { tenantId: string } => !!t.tenantId);
    if (known.length === 1) tenantId = known[0].tenantId;
    else if (known.length > 1) {
      tenantId = await ui.pick(
        known.map((t) => ({ label: t.displayName ?? t.tenantId, description: t.defaultDomain, detail: t.tenantId, value: t.tenantId })),
        { title: 'Microsoft Entra tenant', placeholder: 'The account has several tenants: pick one', emptyMessage: 'The account has no tenant.' },
      );
    }
  }
  const clients = tenantId === settings.tenant ? home : clientsFor(tenantId);
  const subscription = await ui.pick<Subscription>(
    async (signal) => {
      const all = await guarded(
        () => {
          log.info('GET /subscriptions');
          return collect(clients.subscriptions().subscriptions.list({ abortSignal: signal }), signal);
        },
        { operation: 'list your subscriptions', endpoint: clients.endpoint, authentication: settings.authentication },
      );
      return all
        .filter((s) => s.subscriptionId && (!tenantId || !s.tenantId || s.tenantId.toLowerCase() === tenantId.toLowerCase()))
        .filter((s) => s.state === undefined || s.state === 'Enabled' || s.state === 'Warned' || s.state === 'PastDue')
        .map((s) => ({ label: s.displayName ?? s.subscriptionId!, description: s.subscriptionId, value: s }));
    },
    {
      title: 'Azure subscription',
      placeholder: 'Pick the subscription',
      emptyMessage: `No enabled subscription${tenantId ? ` in tenant ${tenantId}` : ''} for this account.`,
    },
  );
  log.info(`Subscription ${subscription.displayName} (${subscription.subscriptionId}), tenant ${tenantId ?? 'home'}.`);
  return { tenantId, subscriptionId: subscription.subscriptionId!, subscriptionName: subscription.displayName ?? subscription.subscriptionId!, clients };
}

/** Runs an Azure call and turns its failure into a FlowError worded for the user. */
export async function guarded<T>(call: () => Promise<T>, context: Parameters<typeof describeError>[1]): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FlowError) throw error;
    throw new FlowError(describeError(error, context), (error as Error | undefined)?.name === 'AbortError');
  }
}
