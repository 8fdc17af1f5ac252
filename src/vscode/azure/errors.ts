import { CancelledError, FlowError } from './result';

/** What a failed call was doing, to word its error. */
export interface CallContext {
  /** e.g. "create federated credential shop-web on identity app-identity". */
  operation: string;
  /** The RBAC action the call needs, named when Azure's 403 does not say. */
  permission?: string;
  /** Resource Manager endpoint, named for network failures. */
  endpoint?: string;
  /** How many times the call was retried before giving up (409). */
  retries?: number;
}

/** The fields of a `RestError` from @azure/core-rest-pipeline (matched by shape: SDKs may bundle their own copy). */
export interface RestErrorLike extends Error {
  name: 'RestError';
  statusCode?: number;
  code?: string;
}

export function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && error.name === 'RestError';
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error instanceof CancelledError);
}

const NETWORK_CODES = new Set(['REQUEST_SEND_ERROR', 'ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** Where a permission can come from, by the RBAC action Azure says is missing. */
function roleHint(action: string): string {
  const a = action.toLowerCase();
  if (a.endsWith('federatedidentitycredentials/write') || a.endsWith('federatedidentitycredentials/delete')) {
    return 'Owner or Contributor on the managed identity grants it, as does a custom role with that action.';
  }
  if (a.startsWith('microsoft.containerservice/managedclusters') && a.endsWith('/write')) {
    return 'Owner, Contributor or "Azure Kubernetes Service Contributor Role" on the cluster grants it.';
  }
  if (a.endsWith('/read')) return 'Reader on the resource (or its resource group or subscription) grants it.';
  return 'Ask an owner of the resource for a role that grants it.';
}

function firstSentence(message: string): string {
  const cut = message.search(/\.\s/);
  return cut > 0 ? message.slice(0, cut + 1) : message;
}

/**
 * An Azure failure in words a user can act on: which permission is missing (403), what was not
 * found (404), that a conflict or throttling outlasted the retries (409, 429), that Azure could
 * not be reached, that the sign-in was refused (401).
 */
export function describeError(error: unknown, context: CallContext): string {
  if (error instanceof FlowError) return error.message;
  const what = `Could not ${context.operation}`;
  if (isAbortError(error)) return `Cancelled: ${context.operation}.`;
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = error.code ? ` ${error.code}` : '';
    switch (status) {
      case 401:
        return `${what}: Azure did not accept the sign-in (401${code}). Sign in again (Accounts menu, or az login for the Azure CLI setting) with an account of the right tenant.`;
      case 403: {
        const said = /action '([^']+)' over scope '([^']+)'/.exec(error.message);
        const action = said?.[1] ?? context.permission;
        const scope = said?.[2];
        if (!action) return `${what}: permission denied (403${code}). ${firstSentence(error.message)}`;
        return `${what}: your account lacks the permission ${action}${scope ? ` on ${scope}` : ''} (403${code}). ${roleHint(action)}`;
      }
      case 404:
        return `${what}: not found (404${code}). ${firstSentence(error.message)} It may have been deleted, or it lives in another subscription or tenant.`;
      case 409:
        return `${what}: Azure reported a conflict (409${code})${context.retries ? ` after ${context.retries} sequential retries` : ''}. ${firstSentence(error.message)} Try again when the other operation has finished.`;
      case 429:
        return `${what}: Azure is throttling requests (429${code}) and the retries ran out. Wait a minute and run the command again.`;
    }
    if (status === undefined && (NETWORK_CODES.has(error.code ?? '') || /socket|network|ECONN/i.test(error.message))) {
      return `${what}: Azure Resource Manager${context.endpoint ? ` (${context.endpoint})` : ''} could not be reached (${error.code ?? 'network error'}). Check the network and proxy settings, and wiMigrate.azure.resourceManagerEndpoint.`;
    }
    return `${what}: Azure answered ${status ?? 'with an error'}${code}. ${firstSentence(error.message)}`;
  }
  if (error instanceof Error && (error.name === 'CredentialUnavailableError' || error.name === 'AuthenticationError' || error.name === 'AuthenticationRequiredError')) {
    return `${what}: could not sign in to Azure. ${firstSentence(error.message)} Check the setting wiMigrate.azure.authentication.`;
  }
  return `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

/** The HTTP status of an Azure failure, if it was one. */
export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}
