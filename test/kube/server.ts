// A local HTTPS Kubernetes API server for tests: the list paths and object shapes of the real API
// (core, apps, batch, admissionregistration, the pod identity CRDs), list paging with `limit` and
// `continue`, Status bodies for 401/403/404/405, bearer tokens. Watch-free: `watch=true` is refused.
// Every request is logged, so that tests can assert that the cluster was only read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeServerCertificate } from '../arm/certificate';

/** Objects by resource (plural, as in the API path). */
export type KubeSeed = Partial<Record<KubeResource, object[]>>;

interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
}

const RESOURCES = {
  pods: { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  serviceaccounts: { group: '', version: 'v1', kind: 'ServiceAccount', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true },
  jobs: { group: 'batch', version: 'v1', kind: 'Job', namespaced: true },
  mutatingwebhookconfigurations: { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', namespaced: false },
  azureidentities: { group: 'aadpodidentity.k8s.io', version: 'v1', kind: 'AzureIdentity', namespaced: true },
  azureidentitybindings: { group: 'aadpodidentity.k8s.io', version: 'v1', kind: 'AzureIdentityBinding', namespaced: true },
  azurepodidentityexceptions: { group: 'aadpodidentity.k8s.io', version: 'v1', kind: 'AzurePodIdentityException', namespaced: true },
} satisfies Record<string, ResourceInfo>;

export type KubeResource = keyof typeof RESOURCES;
const POD_IDENTITY_RESOURCES: KubeResource[] = ['azureidentities', 'azureidentitybindings', 'azurepodidentityexceptions'];

export interface KubeServerOptions {
  seed: KubeSeed;
  /** Bearer tokens accepted (others get 401). */
  tokens: string[];
  /** Items per page when the client asks for more (or sends no `limit`); 0: no cap. */
  maxPageSize?: number;
  /** Without the pod identity CRDs their lists answer 404, as on a cluster that never had them. */
  podIdentityCrds?: boolean;
}

export interface KubeLoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface KubeServer {
  readonly url: string;
  readonly cert: string;
  readonly requests: KubeLoggedRequest[];
  /** Resources whose lists answer 403 Forbidden. */
  readonly forbidden: Set<KubeResource>;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Which resource (and namespace) a list path names: /api/v1[/namespaces/NS]/R or /apis/G/V[/namespaces/NS]/R. */
function parseListPath(path: string): { resource: KubeResource; namespace?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const [, coreVersion, group, groupVersion, namespace, plural] = m;
  const info = (RESOURCES as Record<string, ResourceInfo>)[plural];
  if (!info || info.group !== (group ?? '') || info.version !== (coreVersion ?? groupVersion)) return undefined;
  if (namespace && !info.namespaced) return undefined;
  return { resource: plural as KubeResource, namespace };
}

export async function startKubeServer(options: KubeServerOptions): Promise<KubeServer> {
  const { cert, key } = await makeServerCertificate();
  const requests: KubeLoggedRequest[] = [];
  const forbidden = new Set<KubeResource>();
  const crds = options.podIdentityCrds ?? true;

  function answer(request: IncomingMessage): { code: number; body: object } {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const auth = request.headers.authorization ?? '';
    if (!options.tokens.some((t) => auth === `Bearer ${t}`)) return { code: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    if (method !== 'GET') return { code: 405, body: status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`) };
    if (url.pathname === '/version') return { code: 200, body: { major: '1', minor: '31', gitVersion: 'v1.31.2' } };
    const target = parseListPath(url.pathname);
    if (!target || (!crds && POD_IDENTITY_RESOURCES.includes(target.resource))) {
      return { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    }
    if (url.searchParams.get('watch') === 'true') return { code: 405, body: status(405, 'MethodNotAllowed', 'this test server does not watch') };
    const info = RESOURCES[target.resource];
    if (forbidden.has(target.resource)) {
      const scope = target.namespace ? `in the namespace "${target.namespace}"` : 'at the cluster scope';
      return { code: 403, body: status(403, 'Forbidden', `${target.resource}${info.group ? `.${info.group}` : ''} is forbidden: User "test-user" cannot list resource "${target.resource}" in API group "${info.group}" ${scope}`) };
    }
    const all = (options.seed[target.resource] ?? [])
      .map((o) => ({ apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.kind, ...o }))
      .filter((o) => !target.namespace || (o as { metadata?: { namespace?: string } }).metadata?.namespace === target.namespace);
    // Paging: `continue` is an opaque token (here the offset, encoded); `limit` the page size.
    const asked = Number(url.searchParams.get('limit') ?? '0');
    const cap = options.maxPageSize ?? 0;
    const limit = asked > 0 && cap > 0 ? Math.min(asked, cap) : asked || cap || all.length;
    const cont = url.searchParams.get('continue');
    const offset = cont ? Number(Buffer.from(cont, 'base64url').toString('utf8').replace(/^offset:/, '')) : 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > all.length) return { code: 410, body: status(410, 'Expired', 'The provided continue parameter is too old') };
    const items = all.slice(offset, offset + limit);
    const next = offset + items.length < all.length ? Buffer.from(`offset:${offset + items.length}`).toString('base64url') : undefined;
    const metadata = { resourceVersion: '1000', ...(next ? { continue: next, remainingItemCount: all.length - offset - items.length } : {}) };
    return { code: 200, body: { kind: `${info.kind}List`, apiVersion: info.group ? `${info.group}/${info.version}` : info.version, metadata, items } };
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    if (url.pathname === '/__admin/requests') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(requests));
      return;
    }
    const { code, body } = answer(request);
    requests.push({ method: (request.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.search.slice(1), status: code });
    request.resume();
    response.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  const server = createServer({ cert, key }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    cert,
    requests,
    forbidden,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
