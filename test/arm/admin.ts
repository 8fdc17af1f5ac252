import type { FaultRegistry, FaultSpec } from './faults';
import type { ClusterOperationFailure } from './managedClusters';
import type { ArmServerSettings, Reply } from './routing';
import { ArmState, type ArmSeed } from './state';

/** The parts of a running server the admin routes read and change. */
export interface AdminTarget {
  state: ArmState;
  faults: FaultRegistry;
  settings: ArmServerSettings;
  clusterOperationFailure: ClusterOperationFailure | undefined;
  requests: Array<{ method: string; path: string; query: string; status: number | 'dropped' }>;
}

/** A fault as JSON: `pathPattern` is the source of a RegExp (matched case-insensitively). */
export type FaultJson = Omit<FaultSpec, 'pathPattern'> & { pathPattern: string };

export const ADMIN_PREFIX = '/__admin/';

/**
 * Test-only routes under /__admin/ for tests that cannot hold the server object (host tests in
 * VS Code's extension host): read the state, add or clear faults, change settings, reset to the
 * seed. They need no bearer token and are not logged in `requests`.
 *
 *   GET    /__admin/state              identities, credentials per identity id, clusters
 *   GET    /__admin/requests           the request log
 *   POST   /__admin/faults             one FaultJson            DELETE /__admin/faults  clear
 *   PATCH  /__admin/settings           part of ArmServerSettings
 *   PUT    /__admin/cluster-failure    {code,message} or null
 *   POST   /__admin/reset              state back to the seed, faults and log cleared
 *   DELETE /__admin/clusters           every managed cluster gone (empty pickers)
 *   POST   /__admin/seed               an ArmSeed's identities, credentials and clusters added (existing subscriptions)
 */
export function adminReply(target: AdminTarget, seed: ArmSeed | undefined, method: string, path: string, body: unknown): Reply {
  const route = `${method} ${path.slice(ADMIN_PREFIX.length - 1)}`;
  switch (route) {
    case 'GET /state':
      return { status: 200, body: snapshot(target.state) };
    case 'GET /requests':
      return { status: 200, body: target.requests };
    case 'POST /faults': {
      const { pathPattern, ...rest } = body as FaultJson;
      target.faults.add({ ...rest, pathPattern: new RegExp(pathPattern, 'i') } as FaultSpec);
      return { status: 204 };
    }
    case 'DELETE /faults':
      target.faults.clear();
      return { status: 204 };
    case 'PATCH /settings':
      Object.assign(target.settings, body);
      return { status: 200, body: target.settings };
    case 'PUT /cluster-failure':
      target.clusterOperationFailure = (body as ClusterOperationFailure | null) ?? undefined;
      return { status: 204 };
    case 'POST /reset':
      resetState(target.state, seed);
      target.faults.clear();
      target.requests.length = 0;
      target.clusterOperationFailure = undefined;
      return { status: 204 };
    case 'DELETE /clusters':
      target.state.clusters.clear();
      return { status: 204 };
    case 'POST /seed': {
      const more = body as ArmSeed;
      more.identities?.forEach((identity) => target.state.addIdentity(identity));
      more.federatedCredentials?.forEach(({ identityId, ...credential }) => target.state.addFederatedCredential(identityId, credential));
      more.clusters?.forEach((cluster) => target.state.addCluster(cluster));
      return { status: 204 };
    }
    default:
      return { status: 404, body: { error: { code: 'NoAdminRoute', message: `No admin route ${route}.` } } };
  }
}

/** Puts the state back to what the seed made (same objects, so routes keep their reference). */
export function resetState(state: ArmState, seed: ArmSeed | undefined): void {
  const fresh = new ArmState(structuredClone(seed ?? {}));
  const maps = ['tenants', 'subscriptions', 'identities', 'federatedCredentials', 'clusters'] as const;
  for (const name of maps) {
    const target = state[name] as Map<string, unknown>;
    target.clear();
    for (const [key, value] of fresh[name] as Map<string, unknown>) target.set(key, value);
  }
  state.resourceGroups.clear();
  fresh.resourceGroups.forEach((group) => state.resourceGroups.add(group));
}

function snapshot(state: ArmState): unknown {
  return {
    identities: [...state.identities.values()],
    federatedCredentials: Object.fromEntries([...state.federatedCredentials].map(([id, credentials]) => [id, [...credentials.values()]])),
    clusters: [...state.clusters.values()],
  };
}
