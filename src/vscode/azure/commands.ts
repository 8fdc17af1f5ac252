import { COMMAND_IDS, type AzureCommandId } from '../commands';
import type { FlowContext } from './context';
import { copyAzScript } from './copyAzScript';
import { createFederatedCredential } from './createFederatedCredential';
import { enableWorkloadIdentity } from './enableWorkloadIdentity';
import { fillClientIds } from './fillClientIds';
import { describeError } from './errors';
import { removeManagedPodIdentity } from './removeManagedPodIdentity';
import { CancelledError, FlowError, cancelled, failed, succeeded, type Result } from './result';

interface Command {
  title: string;
  run(context: FlowContext, args: unknown[]): Promise<unknown>;
}

/** The Azure commands by id: each a thin flow in its own folder. */
const COMMANDS: Record<AzureCommandId, Command> = {
  [COMMAND_IDS.createFederatedCredential]: { title: 'create a federated credential', run: createFederatedCredential },
  [COMMAND_IDS.enableWorkloadIdentity]: { title: 'enable workload identity on a cluster', run: enableWorkloadIdentity },
  [COMMAND_IDS.removeManagedPodIdentity]: { title: 'remove AKS-managed pod identity', run: removeManagedPodIdentity },
  [COMMAND_IDS.copyAzScript]: { title: 'make the az script', run: copyAzScript },
  [COMMAND_IDS.fillClientIds]: { title: 'fill in client ids from Azure', run: fillClientIds },
};

/**
 * Runs a command's flow and turns the outcome into a Result: a failure is logged and shown once,
 * in words (see errors.ts); a dismissed picker ends the command quietly.
 */
export async function runFlow(id: string, context: FlowContext, args: unknown[]): Promise<Result<unknown>> {
  const command = (COMMANDS as Record<string, Command | undefined>)[id];
  if (!command) return failed(`Unknown Azure command ${id}.`);
  context.log.info(`Command: ${command.title}.`);
  try {
    return succeeded(await command.run(context, args));
  } catch (error) {
    if (error instanceof FlowError && error.isCancel) {
      context.log.info(error.message);
      // A dismissed picker needs no message; a cancelled operation says what state it left.
      if (!(error instanceof CancelledError)) context.ui.notify('info', error.message);
      return cancelled(error.message);
    }
    const message = describeError(error, { operation: command.title, authentication: context.settings.authentication });
    context.log.error(message);
    context.ui.notify('error', message);
    return failed(message);
  }
}
