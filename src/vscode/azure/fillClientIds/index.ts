import { identityPartsOf, placeholdersIn, type Placeholder } from '../../../core/addon-fill';
import type { FileEdit } from '../../../core/edits';
import { ArmClients } from '../clients';
import type { FlowContext } from '../context';
import { describeError, statusOf } from '../errors';
import { FlowError } from '../result';
import { watchedSignIn } from '../signingIn';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FillResult {
  /** Per identity whose client id was written: its resource id, client id and how many placeholders. */
  filled: Array<{ resourceId: string; clientId: string; places: number }>;
  /** Identities Azure answered 404 for (left as placeholders). */
  notFound: string[];
  /** Identities the account may not read (403; left as placeholders). */
  forbidden: string[];
  /** Placeholders whose line names no identity (left for a human). */
  unnamed: number;
  /** Files edited, by key. */
  files: string[];
}

/**
 * "Fill in client ids from Azure": every placeholder client id in the workspace that names its
 * managed identity (the migration's `# client id of <resource id>`, core/addon-fill.ts) is replaced
 * with that identity's client id, read with `userAssignedIdentities.get` in the subscription its
 * resource id names. One workspace edit, the placeholder only (the comment stays); identities not
 * found (404) or not readable (403) are named and their placeholders kept.
 */
export async function fillClientIds(context: FlowContext): Promise<FillResult> {
  const { ui, log, settings, workspace } = context;
  const places: Placeholder[] = [];
  for (const path of workspace.index().paths) {
    const text = workspace.text(path);
    if (text !== undefined) places.push(...placeholdersIn(path, text));
  }
  const named = places.filter((p) => p.resourceId);
  const unnamed = places.length - named.length;
  if (named.length === 0) {
    const message =
      places.length === 0
        ? 'No placeholder client id in the workspace: nothing to fill in.'
        : `${count(places.length, 'placeholder client id')} in the workspace ${places.length === 1 ? 'names' : 'name'} no managed identity (no "# client id of <resource id>" on their line): fill them in by hand.`;
    ui.notify('info', message);
    return { filled: [], notFound: [], forbidden: [], unnamed, files: [] };
  }
  // One GET per identity, whatever the case its resource id is written in.
  const byId = new Map<string, { resourceId: string; places: Placeholder[] }>();
  for (const p of named) {
    const key = p.resourceId!.toLowerCase();
    const entry = byId.get(key) ?? { resourceId: p.resourceId!, places: [] };
    entry.places.push(p);
    byId.set(key, entry);
  }
  const clients = new ArmClients(watchedSignIn(context.signIn.credential(settings.tenant), ui, settings), settings.cloud, settings.resourceManagerEndpoint, context.transport);
  log.info(`Signing in with ${context.signIn.method} (${settings.cloud.name}, Resource Manager ${clients.endpoint}).`);
  const result: FillResult = { filled: [], notFound: [], forbidden: [], unnamed, files: [] };
  const edits: FileEdit[] = [];
  await ui.progress('Reading client ids from Azure', async (progress) => {
    for (const { resourceId, places: at } of byId.values()) {
      const parts = identityPartsOf(resourceId)!;
      progress.report(parts.name);
      log.info(`GET ${resourceId}`);
      let clientId: string | undefined;
      try {
        const identity = await clients.msi(parts.subscriptionId).userAssignedIdentities.get(parts.resourceGroup, parts.name, { abortSignal: progress.signal });
        clientId = identity.clientId;
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) {
          log.warn(`${resourceId}: not found (404).`);
          result.notFound.push(resourceId);
          continue;
        }
        if (status === 403) {
          log.warn(`${resourceId}: not readable with this account (403).`);
          result.forbidden.push(resourceId);
          continue;
        }
        if (error instanceof FlowError) throw error;
        throw new FlowError(
          describeError(error, { operation: `read managed identity ${parts.name}`, permission: 'Microsoft.ManagedIdentity/userAssignedIdentities/read', endpoint: clients.endpoint, authentication: settings.authentication }),
          (error as Error | undefined)?.name === 'AbortError',
        );
      }
      if (!clientId || !GUID.test(clientId)) throw new FlowError(`Azure returned managed identity ${resourceId} without a client id.`);
      log.info(`${resourceId}: client id ${clientId}, ${count(at.length, 'placeholder')}.`);
      result.filled.push({ resourceId, clientId, places: at.length });
      edits.push(...at.map((p) => ({ file: p.file, start: p.start, end: p.end, text: clientId })));
    }
  });
  result.files = [...new Set(edits.map((e) => e.file))].sort();
  if (edits.length > 0 && !(await ui.applyEdits(edits, 'Fill in client ids from Azure'))) {
    throw new FlowError('The client ids were read, but the workspace edit was not applied (a file changed meanwhile?): run the command again.');
  }
  const message = [
    result.filled.length
      ? `Filled in the client id of ${count(result.filled.length, 'managed identity', 'managed identities')} in ${count(edits.length, 'place')}: ${result.files.map(fileName).join(', ')}.`
      : 'No client id was filled in.',
    result.notFound.length ? `Not found in Azure (404), left as placeholders: ${result.notFound.join(', ')}.` : '',
    result.forbidden.length ? `Not readable with your account (403), left as placeholders: ${result.forbidden.join(', ')}.` : '',
    unnamed ? `${count(unnamed, 'placeholder')} name${unnamed === 1 ? 's' : ''} no managed identity: fill ${unnamed === 1 ? 'it' : 'them'} in by hand.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  log.info(message);
  ui.notify(result.notFound.length || result.forbidden.length ? 'warning' : 'info', message);
  return result;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A file key (a path or URI string) by its name: messages name files, never URIs. */
function fileName(key: string): string {
  return decodeURIComponent(key.slice(key.lastIndexOf('/') + 1));
}
