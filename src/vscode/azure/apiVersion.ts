import { createHttpHeaders, createPipelineRequest, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';

/**
 * The AKS api-version used when a cloud refuses the SDK's and neither its provider's list nor the
 * error names another. A stable version (azure-rest-api-specs,
 * `specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2024-02-01`)
 * with what the commands read and write: `oidcIssuerProfile`, `securityProfile.workloadIdentity`
 * and `podIdentityProfile`. A cluster read without an `eTag` is updated without `If-Match`
 * (`clusterUpdate.ts`), so an older version loses only that guard.
 */
export const PINNED_AKS_API_VERSION = '2024-02-01';

/** The api-version of the provider read (`GET /subscriptions/{id}/providers/Microsoft.ContainerService`), as the Azure CLI uses it. */
const PROVIDERS_API_VERSION = '2021-04-01';

/** ARM's codes for an api-version a resource provider does not have (in this cloud, or at all). */
const UNSUPPORTED_API_VERSION_CODES = new Set(['NoRegisteredProviderFound', 'InvalidResourceType', 'InvalidApiVersionParameter']);

/** An api-version refused and the one used instead: told to the user once. */
export interface ApiVersionFallback {
  /** The api-version the SDK sent, which this cloud does not have. */
  sent: string;
  /** The one used instead. */
  used: string;
  /** Where `used` came from: the provider's registered versions, the error's list, or the pinned fallback. */
  source: 'provider' | 'error' | 'pinned';
  /** ARM's error code for the refusal. */
  code: string;
}

/** Per ArmClients: the replacement of each refused api-version, so later requests send it at once. */
export type ApiVersionChoices = Map<string, string>;

/**
 * Sovereign clouds get new AKS api-versions later than the public cloud, and ARM refuses the
 * SDK's newest with 400 `NoRegisteredProviderFound` ("No registered resource provider found for
 * location '…' and API version '…' for type 'managedClusters'. The supported api-versions are
 * '…'"), or `InvalidResourceType` / `InvalidApiVersionParameter`. On such an answer this policy
 * reads the provider's registered api-versions for managedClusters, sends the request again with
 * the newest stable one (else the newest the error lists, else a pinned version), reports it, and
 * from then on sends that version in place of the refused one. Operation-status URLs, whose
 * api-version AKS sets itself, are left alone.
 */
export function apiVersionFallbackPolicy(subscriptionId: string, choices: ApiVersionChoices, report: (fallback: ApiVersionFallback) => void): PipelinePolicy {
  return {
    name: 'wiMigrateAksApiVersionFallback',
    async sendRequest(request, next) {
      const sent = new URL(request.url).searchParams.get('api-version');
      if (!sent) return next(request);
      const known = choices.get(sent);
      if (known) {
        request.url = withApiVersion(request.url, known);
        return next(request);
      }
      const response = await next(request);
      const code = refusedApiVersion(response, sent);
      if (!code) return response;
      const listed = await providerApiVersions(request, next, subscriptionId);
      const fromError = listed.length ? [] : versionsInMessage(response);
      const newest = newestStable(listed.length ? listed : fromError, sent);
      const used = newest ?? PINNED_AKS_API_VERSION;
      if (used === sent) return response;
      choices.set(sent, used);
      report({ sent, used, source: newest ? (listed.length ? 'provider' : 'error') : 'pinned', code });
      request.url = withApiVersion(request.url, used);
      return next(request);
    },
  };
}

/** ARM's error code when the answer refuses the api-version sent; undefined for any other answer. */
function refusedApiVersion(response: PipelineResponse, sent: string): string | undefined {
  if (response.status !== 400 && response.status !== 404) return undefined;
  const error = errorOf(response);
  if (!error?.code || !UNSUPPORTED_API_VERSION_CODES.has(error.code)) return undefined;
  // Only a refusal of this api-version (the message names it), not of a type or location.
  return error.message?.includes(sent) ? error.code : undefined;
}

function errorOf(response: PipelineResponse): { code?: string; message?: string } | undefined {
  try {
    return (JSON.parse(response.bodyAsText ?? '') as { error?: { code?: string; message?: string } }).error;
  } catch {
    return undefined;
  }
}

/** "The supported api-versions are '2017-08-31, 2018-03-31, …'" of ARM's message. */
function versionsInMessage(response: PipelineResponse): string[] {
  const listed = /supported api-versions are '([^']*)'/i.exec(errorOf(response)?.message ?? '')?.[1];
  return listed ? listed.split(',').map((v) => v.trim()).filter(Boolean) : [];
}

/**
 * The api-versions the subscription's Microsoft.ContainerService provider lists for
 * managedClusters (`resourceTypes[].apiVersions`); empty when the read fails. Sent through the
 * rest of the pipeline (retries) with the original request's sign-in, TLS and proxy settings.
 */
async function providerApiVersions(original: PipelineRequest, next: SendRequest, subscriptionId: string): Promise<string[]> {
  const url = new URL(`/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ContainerService`, original.url);
  url.searchParams.set('api-version', PROVIDERS_API_VERSION);
  const headers = createHttpHeaders({ accept: 'application/json' });
  const authorization = original.headers.get('authorization');
  if (authorization) headers.set('authorization', authorization);
  const probe = createPipelineRequest({
    url: url.toString(),
    method: 'GET',
    headers,
    abortSignal: original.abortSignal,
    timeout: original.timeout,
  });
  // Not taken from the options: set as the pipeline's own policies set them on the original.
  probe.agent = original.agent;
  probe.tlsSettings = original.tlsSettings;
  probe.proxySettings = original.proxySettings;
  try {
    const response = await next(probe);
    if (response.status !== 200) return [];
    const provider = JSON.parse(response.bodyAsText ?? '') as { resourceTypes?: Array<{ resourceType?: string; apiVersions?: string[] }> };
    return provider.resourceTypes?.find((t) => t.resourceType?.toLowerCase() === 'managedclusters')?.apiVersions ?? [];
  } catch (error) {
    if ((error as Error | undefined)?.name === 'AbortError') throw error;
    return [];
  }
}

/** The newest stable (not -preview) version listed that is older than the one refused. */
function newestStable(versions: string[], refused: string): string | undefined {
  return versions
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && v < refused)
    .sort()
    .pop();
}

/** The URL with another api-version; the rest of the query (a nextLink's `$skiptoken`) as it was. */
function withApiVersion(url: string, version: string): string {
  return url.replace(/([?&]api-version=)[^&#]*/i, `$1${encodeURIComponent(version)}`);
}
