import type { AccessToken, TokenCredential } from '@azure/identity';

/** A credential that always returns the same token, and remembers which scopes were asked for. */
export class StaticTokenCredential implements TokenCredential {
  readonly requestedScopes: string[][] = [];

  constructor(readonly token = 'test-arm-token') {}

  getToken(scopes: string | string[]): Promise<AccessToken> {
    this.requestedScopes.push(Array.isArray(scopes) ? [...scopes] : [scopes]);
    return Promise.resolve({ token: this.token, expiresOnTimestamp: Date.now() + 3600_000, tokenType: 'Bearer' });
  }
}

/** Client options that every ARM client here accepts: endpoint, TLS trust and retry pacing. */
export interface ArmTestClientOptions {
  /** Where requests go (`ServiceClientOptions.endpoint`, `ClientOptions.endpoint`). */
  endpoint: string;
  /** `PipelineOptions.tlsOptions`: the pipeline's HTTPS agent trusts exactly this CA. */
  tlsOptions: { ca: string };
  /** `PipelineOptions.retryOptions`: real retry policy, test-sized delays. */
  retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
}

export interface RetryPacing {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/**
 * Options pointing a real SDK client (`ManagedServiceIdentityClient`, `ContainerServiceClient`,
 * `SubscriptionClient`) at a test ARM server. Trust goes through the documented pipeline
 * option `tlsOptions.ca`, so no process-wide `NODE_EXTRA_CA_CERTS` or
 * `NODE_TLS_REJECT_UNAUTHORIZED` is needed.
 */
export function armClientOptions(server: { url: string; cert: string }, retry: RetryPacing = {}): ArmTestClientOptions {
  return {
    endpoint: server.url,
    tlsOptions: { ca: server.cert },
    retryOptions: {
      maxRetries: retry.maxRetries ?? 3,
      retryDelayInMs: retry.retryDelayInMs ?? 10,
      maxRetryDelayInMs: retry.maxRetryDelayInMs ?? 50,
    },
  };
}
