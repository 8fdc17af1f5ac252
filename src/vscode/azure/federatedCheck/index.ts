// The cluster check's federated-credential part, through the Azure SDKs: the kube context's AKS
// cluster found by its API server's host among the clusters of the signed-in subscriptions, its
// OIDC issuer, and, per workload, the user-assigned identity with the service account's client id
// and its federated credentials. Read-only (list and get calls), no picker, no sign-in prompt:
// the caller hands a credential of an existing sign-in (../silentSignIn.ts) or says there is none.
import type { ManagedCluster } from '@azure/arm-containerservice';
import type { Identity } from '@azure/arm-msi';
import type { TokenCredential } from '@azure/identity';
import { FEDERATED, federatedForAll, subjectOf, type FederatedCheck, type FederatedReport, type FederatedRequest } from '../../../cluster/federated';
import { ArmClients, collect, parseResourceId, type Transport } from '../clients';
import { describeError, statusOf } from '../errors';
import type { Log } from '../result';
import type { AzureSettings } from '../settings';
import { clusterForServer, credentialState, serverHost, type Credential } from './match';

export interface FederatedCheckContext {
  credential: TokenCredential;
  settings: Pick<AzureSettings, 'cloud' | 'resourceManagerEndpoint' | 'tenant' | 'authentication'>;
  log: Log;
  transport?: Transport;
}

/** Errors of the credential that mean "nobody is signed in" rather than "the sign-in failed". */
const NOT_SIGNED_IN = new Set(['NotSignedInError', 'CredentialUnavailableError', 'AuthenticationRequiredError']);

/** The Azure CLI credential's error when there is no `az` to ask (@azure/identity's wording). */
function isAzCliMissing(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && /Azure CLI could not be found/i.test(e.message)) return true;
  }
  return false;
}

function isNotSignedIn(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && NOT_SIGNED_IN.has(e.name)) return true;
  }
  return false;
}

interface IdentityRef {
  id: string;
  name: string;
  resourceGroup: string;
  subscriptionId: string;
}

/**
 * Per workload of the request: its credential found, missing, with another issuer or audience, its
 * identity not found or not readable; or one answer for all (not signed in, cluster not found, no
 * OIDC issuer, Azure unreachable). Never throws: a failure is an answer in words.
 */
export async function checkFederatedCredentials(request: FederatedRequest, context: FederatedCheckContext): Promise<FederatedReport> {
  if (request.workloads.length === 0) return { summary: 'No workload-identity service account with a client id to check.', workloads: [] };
  const clients = new ArmClients(context.credential, context.settings.cloud, context.settings.resourceManagerEndpoint, context.transport);
  try {
    return await check(request, context, clients);
  } catch (error) {
    return failedAll(request, context, clients, error, 'read the identities and their federated credentials');
  }
}

/** `checkFederatedCredentials` with its log kept as lines (`level: message`), for the report's caller to show. */
export async function checkFederatedLogged(request: FederatedRequest, context: Omit<FederatedCheckContext, 'log'>): Promise<FederatedReport & { log: string[] }> {
  const log: string[] = [];
  const write = (level: string) => (message: string) => log.push(`${level}: ${message}`);
  const report = await checkFederatedCredentials(request, { ...context, log: { info: write('info'), warn: write('warn'), error: write('error') } });
  return { ...report, log };
}

function failedAll(request: FederatedRequest, context: FederatedCheckContext, clients: ArmClients, error: unknown, operation: string): FederatedReport {
  const { settings } = context;
  if (settings.authentication === 'azureCli' && isAzCliMissing(error)) {
    return federatedForAll(request, FEDERATED.notSignedIn, 'The Azure CLI (az) was not found: install it and run az login, then check the cluster again to check the federated credentials.', false);
  }
  if (isNotSignedIn(error)) {
    const how = settings.authentication === 'azureCli' ? 'az login' : 'the Accounts menu, or any Azure command of this extension';
    return federatedForAll(request, FEDERATED.notSignedIn, `Not signed in to Azure: sign in (${how}) and check the cluster again to check the federated credentials.`, false);
  }
  const message = describeError(error, { operation, endpoint: clients.endpoint, authentication: settings.authentication });
  return federatedForAll(request, FEDERATED.failed, message, true);
}

async function check(request: FederatedRequest, context: FederatedCheckContext, clients: ArmClients): Promise<FederatedReport> {
  const { log, settings } = context;
  const fail = (error: unknown, operation: string) => failedAll(request, context, clients, error, operation);

  let subscriptions: string[];
  try {
    log.info('GET /subscriptions');
    const all = await collect(clients.subscriptions().subscriptions.list());
    const tenant = settings.tenant?.toLowerCase();
    subscriptions = all
      .filter((s) => s.subscriptionId && (!tenant || !s.tenantId || s.tenantId.toLowerCase() === tenant))
      .filter((s) => s.state === undefined || s.state === 'Enabled' || s.state === 'Warned' || s.state === 'PastDue')
      .map((s) => s.subscriptionId!);
  } catch (error) {
    return fail(error, 'list your subscriptions');
  }

  // The cluster: the one whose API server host the kubeconfig names.
  let cluster: (ManagedCluster & { subscriptionId: string }) | undefined;
  const unlisted: string[] = [];
  for (const subscriptionId of subscriptions) {
    try {
      log.info(`GET /subscriptions/${subscriptionId}/providers/Microsoft.ContainerService/managedClusters`);
      const clusters = await collect(clients.aks(subscriptionId).managedClusters.list());
      const found = clusterForServer(request.server, clusters);
      if (found) {
        cluster = { ...found, subscriptionId };
        break;
      }
    } catch (error) {
      if (isNotSignedIn(error)) return fail(error, 'list the AKS clusters');
      log.warn(describeError(error, { operation: `list the AKS clusters of subscription ${subscriptionId}`, endpoint: clients.endpoint }));
      unlisted.push(subscriptionId);
    }
  }
  const host = serverHost(request.server) ?? request.server;
  if (!cluster?.id) {
    const searched = `${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'}`;
    const partly = unlisted.length ? ` (the clusters of ${unlisted.join(', ')} could not be listed)` : '';
    const detail = `No AKS cluster with the API server ${host} in the ${searched} the sign-in can read${partly}: the context is another cluster, or the cluster is in another tenant (wiMigrate.azure.tenant).`;
    return federatedForAll(request, FEDERATED.clusterNotFound, detail, false);
  }
  const issuer = cluster.oidcIssuerProfile?.enabled ? cluster.oidcIssuerProfile.issuerURL : undefined;
  const clusterSummary = { id: cluster.id, name: cluster.name ?? cluster.id, issuer };
  if (!issuer) {
    const ref = parseResourceId(cluster.id);
    const detail = `Cluster ${clusterSummary.name} has no OIDC issuer: enable it (Workload Identity: Enable OIDC issuer and workload identity, or az aks update --resource-group ${ref?.resourceGroup ?? '…'} --name ${clusterSummary.name} --enable-oidc-issuer --enable-workload-identity).`;
    return { ...federatedForAll(request, FEDERATED.noIssuer, detail, true), cluster: clusterSummary };
  }

  // Identities by client id: the cluster's subscription first, then the others while some are missing.
  const wanted = new Set(request.workloads.map((w) => w.clientId.toLowerCase()));
  const identities = new Map<string, IdentityRef>();
  const identitiesUnreadable: string[] = [];
  for (const subscriptionId of [cluster.subscriptionId, ...subscriptions.filter((s) => s !== cluster.subscriptionId)]) {
    if ([...wanted].every((id) => identities.has(id))) break;
    try {
      log.info(`GET /subscriptions/${subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`);
      for (const identity of await collect(clients.msi(subscriptionId).userAssignedIdentities.listBySubscription())) {
        const ref = refOf(identity, subscriptionId);
        if (ref && identity.clientId && wanted.has(identity.clientId.toLowerCase())) identities.set(identity.clientId.toLowerCase(), ref);
      }
    } catch (error) {
      if (statusOf(error) !== 403) throw error;
      identitiesUnreadable.push(subscriptionId);
    }
  }

  // Each identity's credentials, read once.
  const credentialsOf = new Map<string, Promise<Credential[]>>();
  const read = (identity: IdentityRef) => {
    let pending = credentialsOf.get(identity.id.toLowerCase());
    if (!pending) {
      log.info(`GET ${identity.id}/federatedIdentityCredentials`);
      pending = collect(clients.msi(identity.subscriptionId).federatedIdentityCredentials.list(identity.resourceGroup, identity.name)).then((list) =>
        list.map((c) => ({ name: c.name ?? '', issuer: c.issuer ?? '', subject: c.subject ?? '', audiences: c.audiences ?? [] })),
      );
      credentialsOf.set(identity.id.toLowerCase(), pending);
    }
    return pending;
  };

  const workloads: FederatedCheck[] = [];
  for (const workload of request.workloads) {
    const subject = subjectOf(workload);
    const identity = identities.get(workload.clientId.toLowerCase());
    if (!identity) {
      workloads.push(
        identitiesUnreadable.length
          ? { key: workload.key, subject, state: FEDERATED.notReadable, problem: true, detail: `No identity with client id ${workload.clientId} among those the sign-in may list; the identities of subscription ${identitiesUnreadable.join(', ')} could not be listed (403): Reader on the identity grants it.` }
          : { key: workload.key, subject, state: FEDERATED.identityNotFound, problem: true, detail: `No user-assigned managed identity with client id ${workload.clientId} in the ${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'} the sign-in can read: the service account names another tenant's identity, an app registration, or a deleted identity.` },
      );
      continue;
    }
    try {
      workloads.push(credentialState(workload, identity.id, issuer, await read(identity)));
    } catch (error) {
      if (statusOf(error) !== 403) throw error;
      workloads.push({
        key: workload.key,
        subject,
        identity: identity.id,
        state: FEDERATED.notReadable,
        problem: true,
        detail: `The federated credentials of identity ${identity.name} could not be read (403): the sign-in lacks Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read (Reader on the identity grants it).`,
      });
    }
  }
  const problems = workloads.filter((w) => w.problem).length;
  return {
    cluster: clusterSummary,
    summary: `Checked against cluster ${clusterSummary.name} (issuer ${issuer}): ${workloads.length} service account${workloads.length === 1 ? '' : 's'}, ${problems} without a matching federated credential.`,
    workloads,
  };
}

function refOf(identity: Identity, subscriptionId: string): IdentityRef | undefined {
  const ref = parseResourceId(identity.id);
  return ref && identity.id ? { id: identity.id, name: identity.name ?? ref.name, resourceGroup: ref.resourceGroup, subscriptionId: ref.subscriptionId || subscriptionId } : undefined;
}
