import { ArmError, resourceGroupNotFound, subscriptionNotFound } from './errors';
import type { ArmState, SubscriptionRecord } from './state';

/** Knobs tests may change on a running server (`server.settings`). */
export interface ArmServerSettings {
  /** Items per page of every list; the rest is behind `nextLink`. */
  pageSize: number;
  /** How long a federated-credential write holds its identity: overlapping writes get 409. */
  writeLatencyMs: number;
  /** How many polls of a cluster operation answer `InProgress` before `Succeeded`. */
  lroInProgressPolls: number;
  /** `Retry-After` on operation-status answers, if set (the SDK then polls at that pace). */
  lroRetryAfterSeconds?: number;
  /**
   * The api-versions this cloud's Microsoft.ContainerService provider has for managedClusters (a
   * sovereign cloud lags the public one): managedClusters requests with another get 400. Unset: any.
   */
  aksApiVersions?: string[];
}

export interface RequestContext {
  method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  path: string;
  url: URL;
  /** The route's capture groups, percent-decoded. */
  params: string[];
  body: unknown;
  /** The request's headers (lower-case names), for conditional requests (`if-match`). */
  headers: Record<string, string | string[] | undefined>;
  state: ArmState;
  settings: ArmServerSettings;
  /** `https://127.0.0.1:<port>`: where nextLink and operation URLs point. */
  baseUrl: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'PUT' | 'DELETE';
  pattern: RegExp;
  handle: (context: RequestContext) => Reply | Promise<Reply>;
}

/** One path segment in a route pattern. */
export const SEGMENT = '([^/]+)';

/** A case-insensitive route pattern over the whole path (ARM paths ignore case). */
export function route(method: Route['method'], path: string, handle: Route['handle']): Route {
  return { method, pattern: new RegExp(`^${path}$`, 'i'), handle };
}

export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

/**
 * One page of a list: `$skiptoken` is the offset; `$top` (federated credentials) or the
 * server's page size bounds it. `nextLink` is absolute and carries api-version, as ARM's does.
 */
export function page(context: RequestContext, items: unknown[]): Reply {
  const skipToken = context.url.searchParams.get('$skiptoken');
  const offset = skipToken === null ? 0 : Number(skipToken);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ArmError(400, 'InvalidSkipToken', `The $skiptoken '${skipToken}' is not valid.`);
  }
  const top = context.url.searchParams.get('$top');
  const size = top === null ? context.settings.pageSize : Number(top);
  if (!Number.isInteger(size) || size < 1) {
    throw new ArmError(400, 'InvalidParameter', `The value of $top must be a positive integer, got '${top}'.`);
  }
  const value = items.slice(offset, offset + size);
  if (offset + size >= items.length) {
    return ok({ value });
  }
  // Written out by hand: URLSearchParams would encode `$` as %24, which ARM does not.
  const apiVersion = encodeURIComponent(context.url.searchParams.get('api-version') ?? '');
  const topPart = top === null ? '' : `&$top=${size}`;
  const next = `${context.baseUrl}${context.path}?api-version=${apiVersion}${topPart}&$skiptoken=${offset + size}`;
  return ok({ value, nextLink: next });
}

export function requireSubscription(context: RequestContext, subscriptionId: string): SubscriptionRecord {
  const subscription = context.state.subscriptions.get(subscriptionId.toLowerCase());
  if (!subscription) {
    throw subscriptionNotFound(subscriptionId);
  }
  return subscription;
}

export function requireResourceGroup(context: RequestContext, subscriptionId: string, resourceGroup: string): void {
  requireSubscription(context, subscriptionId);
  if (!context.state.hasResourceGroup(subscriptionId, resourceGroup)) {
    throw resourceGroupNotFound(resourceGroup);
  }
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
