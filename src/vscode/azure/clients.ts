import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { apiVersionFallbackPolicy, type ApiVersionChoices, type ApiVersionFallback } from './apiVersion';
import type { Cloud } from './clouds';

/** Pipeline options that tests set (and a user never needs): TLS trust, retry pacing. */
export interface Transport {
  /** `PipelineOptions.tlsOptions`: trust this CA for the Resource Manager endpoint. */
  tlsOptions?: { ca: string };
  /** `PipelineOptions.retryOptions`: the SDK's own retry policy (429, network failures). */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** How often long-running operations are polled when Azure sends no Retry-After. */
  pollIntervalMs?: number;
  /** Wait before retrying a write that got 409 (ms; default 2000, doubling). */
  conflictRetryDelayMs?: number;
  /** How often a cluster is read while another operation runs on it (ms; default 15000). */
  runningOperationPollMs?: number;
}

const USER_AGENT = 'aks-workload-identity-migrator';

/** What the clients tell about choices they made on the user's behalf. */
export interface ClientEvents {
  /** The cloud refused the SDK's AKS api-version; another is used from now on. */
  apiVersionFallback?(fallback: ApiVersionFallback): void;
}

/**
 * The SDK clients, made the same way for every call: the configured cloud's Resource Manager
 * endpoint (or its override) and that cloud's token scope, passed explicitly (the clients would
 * otherwise derive a scope from the endpoint or default to the public cloud's).
 */
export class ArmClients {
  readonly endpoint: string;
  /** Per subscription, the AKS api-versions used in place of refused ones. */
  private readonly apiVersions = new Map<string, ApiVersionChoices>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly cloud: Cloud,
    endpointOverride: string | undefined,
    private readonly transport: Transport = {},
    private readonly events: ClientEvents = {},
  ) {
    this.endpoint = endpointOverride ?? cloud.resourceManagerEndpoint;
  }

  private pipeline() {
    return {
      endpoint: this.endpoint,
      userAgentOptions: { userAgentPrefix: USER_AGENT },
      ...(this.transport.tlsOptions ? { tlsOptions: this.transport.tlsOptions } : {}),
      ...(this.transport.retryOptions ? { retryOptions: this.transport.retryOptions } : {}),
    };
  }

  subscriptions(): SubscriptionClient {
    return new SubscriptionClient(this.credential, { ...this.pipeline(), credentialScopes: [this.cloud.managementScope] });
  }

  msi(subscriptionId: string): ManagedServiceIdentityClient {
    return new ManagedServiceIdentityClient(this.credential, subscriptionId, { ...this.pipeline(), credentialScopes: [this.cloud.managementScope] });
  }

  aks(subscriptionId: string): ContainerServiceClient {
    const key = subscriptionId.toLowerCase();
    const choices = this.apiVersions.get(key) ?? new Map<string, string>();
    this.apiVersions.set(key, choices);
    return new ContainerServiceClient(this.credential, subscriptionId, {
      ...this.pipeline(),
      credentials: { scopes: [this.cloud.managementScope] },
      additionalPolicies: [
        // Before the retry policy: the request sent again with another api-version is retried as any.
        { policy: apiVersionFallbackPolicy(subscriptionId, choices, (fallback) => this.events.apiVersionFallback?.(fallback)), position: 'perCall' },
        // After the retry policy, so that it sees each response before the SDK deserialises it.
        { policy: nullPodLabelsPolicy, position: 'perRetry' },
      ],
    });
  }
}

/**
 * AKS can return `podIdentityProfile.userAssignedIdentityExceptions[].podLabels` as null (the
 * aks-preview CLI back-fills it for that reason); @azure/arm-containerservice's deserialiser then
 * throws a TypeError, which would break reading that cluster and listing the subscription's
 * clusters. The raw body is normalised first: a null `podLabels` of an exception becomes `{}`.
 */
const nullPodLabelsPolicy: PipelinePolicy = {
  name: 'wiMigrateNullPodLabels',
  async sendRequest(request, next) {
    const response = await next(request);
    const text = response.bodyAsText;
    if (text && /"podLabels"\s*:\s*null/.test(text)) response.bodyAsText = withEmptyPodLabels(text);
    return response;
  },
};

function withEmptyPodLabels(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'userAssignedIdentityExceptions' && Array.isArray(value)) {
          for (const e of value) if (e && typeof e === 'object' && (e as { podLabels?: unknown }).podLabels === null) (e as { podLabels: object }).podLabels = {};
        }
        visit(value);
      }
    }
  };
  visit(body);
  return JSON.stringify(body);
}

/** The parts of an ARM resource id. */
export interface ResourceRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseResourceId(id: string | undefined): ResourceRef | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id?.trim() ?? '');
  return match ? { subscriptionId: match[1], resourceGroup: match[2], name: match[3] } : undefined;
}

/** All items of an SDK list (paged async iterable), stopping early when aborted. */
export async function collect<T>(items: AsyncIterable<T>, signal?: AbortSignal): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) {
    signal?.throwIfAborted();
    all.push(item);
  }
  return all;
}
