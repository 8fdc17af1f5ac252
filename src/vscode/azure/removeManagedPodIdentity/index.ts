import type { ManagedClusterPodIdentityProfile } from '@azure/arm-containerservice';
import { readCluster, updateCluster } from '../clusterUpdate';
import { connect } from '../connect';
import type { FlowContext } from '../context';
import { pickCluster } from '../pickers';
import { CancelledError } from '../result';
import type { PickItem } from '../ui';
import { exceptionUsers, podIdentityUsers } from './usage';

export interface RemoveResult {
  status: 'removed' | 'nothing-to-remove';
  clusterId: string;
  cluster: string;
  /** `namespace/name` of the pod identities removed. */
  removedIdentities: string[];
  removedExceptions: string[];
  /** True when the pod identity add-on itself was turned off. */
  disabled: boolean;
}

type Choice = { kind: 'identity' | 'exception'; key: string; users: string[] } | { kind: 'disable'; users: string[] };

const keyOf = (item: { namespace: string; name: string }) => `${item.namespace}/${item.name}`;

/**
 * "Remove AKS-managed pod identity": lists the cluster's pod identities and exceptions, marks those
 * the workspace still uses, and removes only what the user picks and confirms, as one update.
 */
export async function removeManagedPodIdentity(context: FlowContext): Promise<RemoveResult> {
  const { ui, log } = context;
  const connection = await connect(context);
  const cluster = await pickCluster(context, connection, {
    title: 'AKS cluster to remove pod identity from',
    placeholder: 'Clusters with AKS-managed pod identity come first',
    order: (c) => (c.podIdentityEnabled ? 0 : 1),
  });
  const model = await ui.progress(`Reading cluster ${cluster.name}`, (progress) => readCluster(context, connection, cluster, progress.signal));
  const profile: ManagedClusterPodIdentityProfile = model.podIdentityProfile ?? {};
  const identities = profile.userAssignedIdentities ?? [];
  const exceptions = profile.userAssignedIdentityExceptions ?? [];
  const none = { clusterId: cluster.id, cluster: cluster.name, removedIdentities: [], removedExceptions: [], disabled: false };
  if (!profile.enabled && identities.length === 0 && exceptions.length === 0) {
    ui.notify('info', `Cluster ${cluster.name} does not use AKS-managed pod identity: nothing to remove.`);
    return { ...none, status: 'nothing-to-remove' };
  }

  const index = context.workspace.index();
  const usedNote = (users: string[]) => (users.length ? `$(warning) still used by ${users.join(', ')}` : 'not used in the workspace');
  const items: PickItem<Choice>[] = [
    ...identities.map((identity) => {
      const users = podIdentityUsers(index, identity);
      return {
        label: `Pod identity ${keyOf(identity)}`,
        description: `selector ${identity.bindingSelector ?? identity.name} · ${identity.identity.resourceId?.split('/').pop() ?? identity.identity.clientId ?? ''}`,
        detail: usedNote(users),
        picked: users.length === 0,
        value: { kind: 'identity' as const, key: keyOf(identity), users },
      };
    }),
    ...exceptions.map((exception) => {
      const users = exceptionUsers(index, exception);
      return {
        label: `Exception ${keyOf(exception)}`,
        description: Object.entries(exception.podLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(', '),
        detail: usedNote(users),
        picked: users.length === 0,
        value: { kind: 'exception' as const, key: keyOf(exception), users },
      };
    }),
  ];
  if (profile.enabled) {
    const users = identities.flatMap((identity) => podIdentityUsers(index, identity));
    items.push({
      label: 'Disable AKS-managed pod identity on the cluster',
      description: 'removes every pod identity and exception, and the add-on',
      detail: usedNote(users),
      value: { kind: 'disable', users },
    });
  }
  const chosen = await ui.pickMany(items, {
    title: `Remove from cluster ${cluster.name}`,
    placeholder: 'Pick what to remove (those the workspace does not use are preselected)',
    emptyMessage: `Cluster ${cluster.name} has no pod identities or exceptions.`,
  });
  if (chosen.length === 0) throw new CancelledError('Nothing picked: the cluster was not changed.');
  const disable = chosen.some((c) => c.kind === 'disable');
  const removeIdentities = disable ? identities.map(keyOf) : chosen.flatMap((c) => (c.kind === 'identity' ? [c.key] : []));
  const removeExceptions = disable ? exceptions.map(keyOf) : chosen.flatMap((c) => (c.kind === 'exception' ? [c.key] : []));
  const users = [...new Set(chosen.flatMap((c) => c.users))];

  const summary = [
    ...(disable ? ['turn off AKS-managed pod identity'] : []),
    ...(removeIdentities.length ? [`remove pod identit${removeIdentities.length === 1 ? 'y' : 'ies'} ${removeIdentities.join(', ')}`] : []),
    ...(removeExceptions.length ? [`remove exception${removeExceptions.length === 1 ? '' : 's'} ${removeExceptions.join(', ')}`] : []),
  ].join('; ');
  const confirmed = users.length
    ? await ui.ask(`The workspace still uses what you picked: ${users.join(', ')}. Those pods lose their Azure tokens. ${capitalized(summary)} anyway?`, ['Remove anyway'], {
        modal: true,
        level: 'warning',
        detail: 'Migrate those workloads to workload identity first (federated credential, service account annotation, azure.workload.identity/use label).',
      })
    : await ui.ask(`${capitalized(summary)} on cluster ${cluster.name}?`, ['Remove'], { modal: true, detail: 'The cluster is updated in place; it takes a few minutes.' });
  if (confirmed !== 'Remove' && confirmed !== 'Remove anyway') throw new CancelledError('Cancelled: the cluster was not changed.');

  await ui.progress(`Removing pod identity from ${cluster.name}`, (progress) =>
    updateCluster(
      context,
      connection,
      cluster,
      (fresh) => {
        const current = fresh.podIdentityProfile ?? {};
        fresh.podIdentityProfile = disable
          ? { enabled: false }
          : {
              ...current,
              userAssignedIdentities: (current.userAssignedIdentities ?? []).filter((i) => !removeIdentities.includes(keyOf(i))),
              userAssignedIdentityExceptions: (current.userAssignedIdentityExceptions ?? []).filter((e) => !removeExceptions.includes(keyOf(e))),
            };
      },
      summary,
      progress,
    ),
  );
  log.info(`Cluster ${cluster.id}: ${summary}.`);
  ui.notify('info', `Cluster ${cluster.name}: done (${summary}).`);
  return { ...none, status: 'removed', removedIdentities: removeIdentities, removedExceptions: removeExceptions, disabled: disable };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
