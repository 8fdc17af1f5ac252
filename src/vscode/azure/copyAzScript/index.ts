import type { ServiceAccountFact } from '../../../core/facts';
import { collect } from '../clients';
import { connect, guarded, type Connection } from '../connect';
import type { FlowContext } from '../context';
import { offeredName, subjectFor } from '../createFederatedCredential/naming';
import { readCluster } from '../clusterUpdate';
import { identityInfo, pickCluster, pickIdentity, type IdentityInfo } from '../pickers';
import { preferenceForServiceAccount } from '../workspaceFacts';
import { azScript, type AzPlan } from './script';

export interface ScriptResult {
  script: string;
  lines: number;
}

/**
 * "Copy the equivalent az script": the cluster update and the federated credentials of the
 * service accounts picked, as az lines for a pipeline, on the clipboard. Nothing is changed in
 * Azure; the calls only read (clusters, identities) to fill in the names.
 */
export async function copyAzScript(context: FlowContext): Promise<ScriptResult> {
  const { ui, log } = context;
  const connection = await connect(context);
  const cluster = await pickCluster(context, connection, { title: 'AKS cluster of the script', placeholder: 'The script enables workload identity on it' });
  const model = await ui.progress(`Reading cluster ${cluster.name}`, (progress) => readCluster(context, connection, cluster, progress.signal));

  const index = context.workspace.index();
  const accounts = index.serviceAccounts;
  const picked = accounts.length === 0
    ? []
    : await ui.pickMany(
        accounts.map((account) => ({
          label: `${account.namespace}/${account.name}`,
          description: 'ServiceAccount',
          picked: preferenceForServiceAccount(index, account) !== undefined,
          value: account,
        })),
        { title: 'Service accounts to federate', placeholder: 'One federated credential each', emptyMessage: 'No ServiceAccount in the workspace.' },
      );
  const credentials: AzPlan['credentials'] = [];
  const listed = lazily(() => listIdentities(context, connection));
  for (const account of picked) {
    const identity = await identityFor(context, connection, account, listed);
    credentials.push({
      name: offeredName(account.namespace, account.name),
      identityName: identity.name,
      identityResourceGroup: identity.resourceGroup,
      subject: subjectFor(account.namespace, account.name),
    });
  }
  const pod = model.podIdentityProfile;
  const script = azScript({
    cloud: context.settings.cloud,
    audience: context.settings.audience,
    subscriptionId: connection.subscriptionId,
    cluster: { resourceGroup: cluster.resourceGroup, name: cluster.name },
    credentials,
    podIdentity: pod ? { identities: pod.userAssignedIdentities ?? [], exceptions: pod.userAssignedIdentityExceptions ?? [] } : undefined,
  });
  await ui.copy(script);
  const lines = script.split('\n').length - 1;
  log.info(`az script for cluster ${cluster.name} (${credentials.length} federated credential(s)) copied to the clipboard:\n${script}`);
  ui.notify('info', `Copied an az script of ${lines} lines to the clipboard: workload identity on ${cluster.name} and ${credentials.length} federated credential(s).`);
  return { script, lines };
}

function lazily<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

function listIdentities(context: FlowContext, connection: Connection): Promise<IdentityInfo[]> {
  return guarded(
    async () => {
      context.log.info(`GET /subscriptions/${connection.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`);
      const all = await collect(connection.clients.msi(connection.subscriptionId).userAssignedIdentities.listBySubscription());
      return all.map(identityInfo).filter((i): i is IdentityInfo => !!i);
    },
    { operation: 'list the managed identities', endpoint: connection.clients.endpoint },
  );
}

/** The identity the workspace names for the account (AzureIdentity or annotation), else a pick. */
async function identityFor(
  context: FlowContext,
  connection: Connection,
  account: ServiceAccountFact,
  listed: () => Promise<IdentityInfo[]>,
): Promise<IdentityInfo> {
  const preference = preferenceForServiceAccount(context.workspace.index(), account);
  if (preference) {
    const list = await listed();
    const found =
      list.find((i) => preference.resourceIds.some((id) => id.toLowerCase() === i.id.toLowerCase())) ??
      list.find((i) => preference.clientIds.some((id) => id.toLowerCase() === i.clientId.toLowerCase()));
    if (found) return found;
  }
  return pickIdentity(context, connection, preference);
}
