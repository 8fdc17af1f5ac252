import { CancelledError, FlowError } from './result';
import type { Authentication } from './settings';

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
  /** How the user signs in: the Azure CLI's own network settings are named for its failures. */
  authentication?: Authentication;
}

/** The fields of a `RestError` from @azure/core-rest-pipeline (matched by shape: SDKs may bundle their own copy). */
interface RestErrorLike extends Error {
  name: 'RestError';
  statusCode?: number;
  code?: string;
}

function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && error.name === 'RestError';
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error instanceof CancelledError);
}

/** Why a request never got an HTTP answer (or got the proxy's 407), as far as the error tells. */
export interface NetworkFailure {
  kind: 'dns' | 'tls' | 'proxy' | 'connection';
  /** The error code or the words that told (ENOTFOUND, "certificate verify failed"). */
  detail: string;
}

// Node's codes (RestError.code is the socket's code), MSAL's errorCode, and the words of errors
// that arrive as text only: the Azure CLI's stderr (Python's requests/urllib3) and VS Code's
// sign-in failures (MSAL) through vscode.authentication.
const NETWORK_CODES: Record<string, NetworkFailure['kind']> = {
  ENOTFOUND: 'dns', EAI_AGAIN: 'dns',
  ECONNRESET: 'connection', ECONNREFUSED: 'connection', ETIMEDOUT: 'connection', ESOCKETTIMEDOUT: 'connection', EPIPE: 'connection',
  ECONNABORTED: 'connection', EHOSTUNREACH: 'connection', ENETUNREACH: 'connection', UND_ERR_SOCKET: 'connection',
  UND_ERR_CONNECT_TIMEOUT: 'connection', REQUEST_SEND_ERROR: 'connection', network_error: 'connection',
};
const TLS_CODE = /^(CERT_|UNABLE_TO_(VERIFY|GET)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;
// By kind in this order (a proxy's or TLS failure also fails the connection), each kind's words
// most telling first: the first that occurs is the detail shown.
const NETWORK_WORDS: Array<[NetworkFailure['kind'], RegExp[]]> = [
  ['proxy', [/\bProxyError\b/, /proxy authentication required/i, /Cannot connect to proxy/i, /tunneling socket could not be established/i, /\b407\b[^.]*proxy/i]],
  ['tls', [/\b(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_[A-Z_]+)\b/, /\bSSLError\b/, /certificate verify failed/i, /self[- ]signed certificate/i, /unable to (get local issuer|verify the first) certificate/i, /certificate has expired/i]],
  ['dns', [/\b(ENOTFOUND|EAI_AGAIN)\b/, /NameResolutionError/, /Temporary failure in name resolution/i, /Name or service not known/i, /Failed to resolve/i, /nodename nor servname/i, /getaddrinfo/i]],
  ['connection', [/\bnetwork_error\b/, /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/, /Network request failed/i, /Connection (refused|reset)/i, /NewConnectionError/, /Max retries exceeded/i, /fetch failed/i, /socket hang up/i]],
];

/**
 * The network failure behind an error, if it was one: by its code (also MSAL's `errorCode` and
 * those of its causes), a proxy's 407, or the words of errors that carry only text.
 */
export function networkFailureOf(error: unknown): NetworkFailure | undefined {
  const chain: unknown[] = [];
  for (let e: unknown = error; e && chain.length < 5 && !chain.includes(e); e = (e as { cause?: unknown }).cause) chain.push(e);
  for (const e of chain) {
    const { statusCode, code, errorCode } = e as { statusCode?: unknown; code?: unknown; errorCode?: unknown };
    if (statusCode === 407) return { kind: 'proxy', detail: '407 Proxy Authentication Required' };
    // An HTTP answer other than the proxy's is Azure's, not the network's.
    if (typeof statusCode === 'number') return undefined;
    for (const c of [code, errorCode]) {
      if (typeof c !== 'string') continue;
      if (TLS_CODE.test(c)) return { kind: 'tls', detail: c };
      const kind = NETWORK_CODES[c];
      // REQUEST_SEND_ERROR says only that the request failed: the message may say more.
      if (kind && c !== 'REQUEST_SEND_ERROR') return { kind, detail: c };
    }
  }
  for (const e of chain) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    for (const [kind, patterns] of NETWORK_WORDS) {
      for (const pattern of patterns) {
        const said = pattern.exec(message);
        if (said) return { kind, detail: said[0] };
      }
    }
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'REQUEST_SEND_ERROR' ? { kind: 'connection', detail: code } : undefined;
}

const NETWORK_ADVICE: Record<NetworkFailure['kind'], string> = {
  dns: 'The host name could not be resolved: check the network connection and, behind a proxy, the setting http.proxy.',
  connection: 'Check the network connection and, behind a proxy, the setting http.proxy.',
  tls: "The server's certificate was not trusted: behind a proxy that inspects TLS, its root certificate must be trusted by the system, and the settings http.proxy and http.proxyStrictSSL must match that proxy.",
  proxy: 'The proxy refused the connection: check the settings http.proxy and http.proxyAuthorization.',
};

function networkMessage(what: string, failure: NetworkFailure, error: unknown, context: CallContext): string {
  const azure = isRestError(error);
  const where = azure ? `Azure Resource Manager${context.endpoint ? ` (${context.endpoint})` : ''}` : 'the Microsoft sign-in';
  const cli = !azure && context.authentication === 'azureCli' ? ' The Azure CLI makes its own requests: it reads the proxy from the HTTPS_PROXY environment variable, not from http.proxy.' : '';
  return (
    `${what}: ${where} could not be reached (${failure.detail}). ${NETWORK_ADVICE[failure.kind]}${cli}` +
    ' Check that wiMigrate.azure.cloud (and wiMigrate.azure.resourceManagerEndpoint, when set) name the cloud you use.'
  );
}

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

/**
 * ARM's LinkedAuthorizationFailed: "…has permission to perform action 'A' on scope 'S'; however, it
 * does not have permission to perform action(s) 'B[,C]' on the linked scope(s) 'L1[,L2]' (respectively)
 * or the linked scope(s) are invalid." Undefined for any other message.
 */
function linkedAuthorization(message: string): { granted: string | undefined; actions: string[]; scopes: string[] } | undefined {
  const missing = /does not have permission to perform action(?:\(s\))? '([^']+)' on the linked scope\(s\) '([^']+)'/.exec(message);
  if (!missing) return undefined;
  const granted = /has permission to perform action '([^']+)' on scope/.exec(message)?.[1];
  const list = (text: string) => text.split(',').map((x) => x.trim()).filter(Boolean);
  return { granted, actions: list(missing[1]), scopes: list(missing[2]) };
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
  return asSentence(describe(error, context)).replace(/ {2,}/g, ' ');
}

/** Messages to users end with a full stop, whatever text Azure or a tool gave. */
function asSentence(message: string): string {
  const trimmed = message.trim();
  return !trimmed || trimmed.endsWith('.') ? trimmed : `${trimmed}.`;
}

function describe(error: unknown, context: CallContext): string {
  if (error instanceof FlowError) return error.message;
  const what = `Could not ${context.operation}`;
  if (isAbortError(error)) return `Cancelled: ${context.operation}.`;
  const network = networkFailureOf(error);
  if (network) return networkMessage(what, network, error, context);
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = error.code ? ` ${error.code}` : '';
    switch (status) {
      case 401:
        if (error.code === 'InvalidAuthenticationTokenTenant') {
          return `${what}: the sign-in is for another tenant than the subscription's (401${code}). Run the command again and pick the subscription's tenant when asked, or set wiMigrate.azure.tenant to it.`;
        }
        return `${what}: Azure did not accept the sign-in (401${code}). Sign in again (Accounts menu, or az login for the Azure CLI setting) with an account of the right tenant.`;
      case 403: {
        const linked = linkedAuthorization(error.message);
        if (linked) {
          return (
            `${what}: your account may write ${linked.granted ? `there (${linked.granted})` : 'the resource itself'}, but the request also acts on resources it links to, ` +
            `and there it lacks ${linked.actions.join(', ')} on ${linked.scopes.join(', ')} (403${code}). ` +
            'A full update of a cluster is checked against what it links to (a Log Analytics workspace, a subnet, an identity): ' +
            `ask an owner of ${linked.scopes.length === 1 ? 'that resource' : 'those resources'} for a role that grants it, or have someone who holds it run the command.`
          );
        }
        const said = /action '([^']+)' over scope '([^']+)'/.exec(error.message);
        const action = said?.[1] ?? context.permission;
        const scope = said?.[2];
        if (!action) return `${what}: permission denied (403${code}). ${asSentence(firstSentence(error.message))}`;
        return `${what}: your account lacks the permission ${action}${scope ? ` on ${scope}` : ''} (403${code}). ${roleHint(action)}`;
      }
      case 405:
        if (context.permission?.toLowerCase().endsWith('federatedidentitycredentials/write')) {
          return `${what}: Azure does not allow federated identity credentials on this identity (405${code}). A few regions do not support them on user-assigned managed identities (Microsoft Entra's "Important considerations and restrictions for federated identity credentials" lists them): use an identity created in another region.`;
        }
        return `${what}: Azure answered 405${code}. ${firstSentence(error.message)}`;
      case 404:
        return `${what}: not found (404${code}). ${asSentence(firstSentence(error.message))} It may have been deleted, or it lives in another subscription or tenant.`;
      case 409:
        return `${what}: Azure reported a conflict (409${code})${context.retries ? ` after ${context.retries} sequential retries` : ''}. ${asSentence(firstSentence(error.message))} Try again when the other operation has finished.`;
      case 429:
        return `${what}: Azure is throttling requests (429${code}) and the retries ran out. Wait a minute and run the command again.`;
    }
    return `${what}: Azure answered ${status ?? 'with an error'}${code}. ${firstSentence(error.message)}`;
  }
  if (error instanceof Error && (error.name === 'CredentialUnavailableError' || error.name === 'AuthenticationError' || error.name === 'AuthenticationRequiredError')) {
    return `${what}: could not sign in to Azure. ${asSentence(firstSentence(error.message))} Check the setting wiMigrate.azure.authentication.`;
  }
  return `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

/** The HTTP status of an Azure failure, if it was one. */
export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}
