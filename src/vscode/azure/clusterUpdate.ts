import type { ManagedCluster } from '@azure/arm-containerservice';
import type { Connection } from './connect';
import type { FlowContext } from './context';
import { describeError, isAbortError, statusOf } from './errors';
import type { ClusterInfo } from './pickers';
import { FlowError } from './result';
import { retryOnConflict, sleep } from './retry';
import type { Progress } from './ui';

const WRITE_PERMISSION = 'Microsoft.ContainerService/managedClusters/write';
/** Provisioning states of a cluster or agent pool with no operation running. */
const SETTLED = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);
/** How many other operations an update waits for, one after the other, before it gives up. */
const MAX_WAITS = 5;

/** The operation running on a cluster, as its provisioning states show it ("Upgrading", "agent pool nodepool1 Scaling"); undefined when none runs. */
function runningOperationOf(model: ManagedCluster): string | undefined {
  const state = model.provisioningState;
  if (state && !SETTLED.has(state.toLowerCase())) return state;
  for (const pool of model.agentPoolProfiles ?? []) {
    if (pool.provisioningState && !SETTLED.has(pool.provisioningState.toLowerCase())) return `agent pool ${pool.name} ${pool.provisioningState}`;
  }
  return undefined;
}

/**
 * After a 409: when the cluster shows an operation running (its provisioning state, or an agent
 * pool's), reads it every `pollMs` until that operation ends, with progress, and resolves true
 * (the update is then sent again). False when nothing shows running: the 409 had another cause,
 * and the usual short retries apply. Cancelling stops the wait with nothing changed.
 */
async function waitForRunningOperation(context: FlowContext, connection: Connection, cluster: ClusterInfo, progress: Progress, waits: { count: number }): Promise<boolean> {
  const { log } = context;
  const pollMs = context.transport?.runningOperationPollMs ?? 15_000;
  let running = runningOperationOf(await readCluster(context, connection, cluster, progress.signal));
  if (!running) return false;
  if (++waits.count > MAX_WAITS) {
    throw new FlowError(`Cluster ${cluster.name} is busy with one operation after the other (now: ${running}); this command waited for ${MAX_WAITS} of them. Nothing was changed by this command: run it again later.`);
  }
  const first = running;
  log.info(`409 on ${cluster.name}: another operation is running (${running}); waiting for it to finish, reading the cluster every ${pollMs} ms`);
  try {
    for (let reads = 1; running; reads++) {
      progress.report(`Another operation is running on ${cluster.name} (${running}): waiting for it to finish before sending the update (read ${reads}); Cancel stops waiting, with nothing changed`);
      await sleep(pollMs, progress.signal);
      running = runningOperationOf(await readCluster(context, connection, cluster, progress.signal));
    }
  } catch (error) {
    if (!isAbortError(error) && !(error instanceof FlowError && error.isCancel)) throw error;
    throw new FlowError(
      `Stopped waiting for the operation running on cluster ${cluster.name} (${first}): this command changed nothing. Run it again when that operation has finished (its provisioning state is then Succeeded).`,
      true,
    );
  }
  log.info(`The operation on ${cluster.name} (${first}) has finished; sending the update again`);
  return true;
}

/** Reads the cluster as it is now (the model a PUT sends back). */
export async function readCluster(context: FlowContext, connection: Connection, cluster: ClusterInfo, signal: AbortSignal): Promise<ManagedCluster> {
  try {
    context.log.info(`GET ${cluster.id}`);
    return await connection.clients.aks(connection.subscriptionId).managedClusters.get(cluster.resourceGroup, cluster.name, { abortSignal: signal });
  } catch (error) {
    throw new FlowError(describeError(error, { operation: `read cluster ${cluster.name}`, endpoint: connection.clients.endpoint }), isAbortError(error));
  }
}

/**
 * Updates a cluster as `az aks update` does: GET the model, change it, PUT it back, and follow the
 * long-running operation (Azure-AsyncOperation) to its end, reporting its status. The PUT carries
 * `If-Match` with the eTag read (a 412 means someone changed the cluster in between: read and
 * change it again, once). A 409 (another operation on the cluster) waits for that operation while the
 * cluster shows it running, else is retried after a short wait. Cancelling stops the waiting only:
 * Azure goes on with an operation it accepted, and the error says so.
 */
export async function updateCluster(
  context: FlowContext,
  connection: Connection,
  cluster: ClusterInfo,
  change: (model: ManagedCluster) => void,
  what: string,
  progress: Progress,
): Promise<ManagedCluster> {
  const { log } = context;
  const aks = connection.clients.aks(connection.subscriptionId).managedClusters;
  let accepted = false;
  const waits = { count: 0 };
  try {
    const { result } = await retryOnConflict(
      async () => {
        // The PUT names the eTag of the model it was made from: a change someone made in between
        // is not overwritten (412), and the update is made again from a fresh read, once.
        for (let attempt = 1; ; attempt++) {
          const model = await readCluster(context, connection, cluster, progress.signal);
          change(model);
          progress.signal.throwIfAborted();
          log.info(`PUT ${cluster.id} (${what})${model.eTag ? ` If-Match ${model.eTag}` : ''}`);
          progress.report(`Sending the update of ${cluster.name}`);
          const poller = aks.createOrUpdate(cluster.resourceGroup, cluster.name, model, {
            abortSignal: progress.signal,
            ...(model.eTag ? { ifMatch: model.eTag } : {}),
            ...(context.transport?.pollIntervalMs !== undefined ? { updateIntervalInMs: context.transport.pollIntervalMs } : {}),
          });
          poller.onProgress((state) => {
            accepted = true;
            log.info(`Operation on ${cluster.name}: ${state.status}`);
            progress.report(state.status === 'running' ? `Azure is updating ${cluster.name}; this takes a few minutes` : `Azure reports the update of ${cluster.name} ${state.status}`);
          });
          try {
            await poller.submitted();
          } catch (error) {
            if (statusOf(error) !== 412) throw error;
            if (attempt >= 2) throw new FlowError(`Cluster ${cluster.name} changed again while this command was updating it (412 PreconditionFailed, twice): someone else is updating it. Nothing was changed by this command; run it again when they are done.`);
            log.info(`412 on ${cluster.name}: it changed since it was read; reading it again`);
            continue;
          }
          accepted = true;
          return poller.pollUntilDone({ abortSignal: progress.signal });
        }
      },
      {
        signal: progress.signal,
        log,
        what: `cluster ${cluster.name}`,
        delayMs: context.transport?.conflictRetryDelayMs,
        // Another operation runs on the cluster (an upgrade, a scale): wait for it rather than retry for seconds.
        waitFor: () => waitForRunningOperation(context, connection, cluster, progress, waits),
      },
    );
    return result;
  } catch (error) {
    if (error instanceof FlowError) throw error;
    if (isAbortError(error)) {
      throw new FlowError(
        accepted
          ? `Stopped waiting for cluster ${cluster.name}: Azure had accepted the update (${what}) and carries on with it. Run the command again later to see the result.`
          : `Cancelled: cluster ${cluster.name} was not changed.`,
        true,
      );
    }
    // core-lro's error for an operation that ended Canceled (an `az aks operation-abort`).
    if (accepted && error instanceof Error && /^Operation was cancell?ed$/.test(error.message)) {
      throw new FlowError(
        `The update of cluster ${cluster.name} (${what}) was cancelled in Azure before it finished (an operation abort: az aks operation-abort, or the portal). ` +
          'The cluster is left in provisioning state Canceled, with the update not applied: run the command again to apply it.',
      );
    }
    const message = describeError(error, {
      operation: `update cluster ${cluster.name} (${what})`,
      permission: WRITE_PERMISSION,
      endpoint: connection.clients.endpoint,
      retries: (error as { retries?: number }).retries,
    });
    throw new FlowError(accepted ? `${message} Azure reports the operation as not succeeded: check the cluster's provisioning state.` : message);
  }
}
