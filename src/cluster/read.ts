// Reads the running cluster through the user's kubeconfig with @kubernetes/client-node: list calls
// only (GET), each followed through its pages (`limit`/`continue`). A resource the account may not
// list is reported and the rest is still read; a cluster that does not answer at all is an error.
import {
  AdmissionregistrationV1Api,
  ApiException,
  BatchV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { analyseCluster, type ClusterObjects, type ClusterReport, type CustomObject, type Unreadable } from './report';

/** Items per list request: large enough for few round trips, small enough for the API server. */
const PAGE_SIZE = 500;

export interface KubeconfigSource {
  /** A kubeconfig file (or several, separated as in KUBECONFIG). Default: KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  /** Context to use. Default: the kubeconfig's current context. */
  context?: string;
}

export interface ReadOptions extends KubeconfigSource {
  /** The audience the federated credentials list (`wiMigrate.azure.audience`). */
  audience?: string;
  /** Items per list request (tests page with small numbers). */
  pageSize?: number;
}

/** The cluster could not be read at all (no kubeconfig, unknown context, cluster unreachable, credentials refused everywhere). */
export class ClusterReadError extends Error {}

/** Loads a kubeconfig the way kubectl does: the files named (a KUBECONFIG-style list), else KUBECONFIG, else ~/.kube/config. */
function loadKubeconfig(source: KubeconfigSource): KubeConfig {
  const kc = new KubeConfig();
  const list = source.kubeconfig || process.env.KUBECONFIG || '';
  const files = list ? list.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  if (!list && !existsSync(files[0])) {
    throw new ClusterReadError(`No kubeconfig: KUBECONFIG is not set and ${files[0]} does not exist. Get one (for AKS: az aks get-credentials), or name it in wiMigrate.cluster.kubeconfig or --kubeconfig.`);
  }
  try {
    // Several files merge; the first file's current context wins (as with kubectl).
    kc.loadFromFile(files[0]);
    for (const file of files.slice(1)) {
      const next = new KubeConfig();
      next.loadFromFile(file);
      kc.mergeConfig(next, true);
    }
  } catch (e) {
    throw new ClusterReadError(`The kubeconfig could not be read: ${(e as Error).message.replace(/\.$/, '')}.`);
  }
  if (kc.getContexts().length === 0) throw new ClusterReadError('The kubeconfig names no context.');
  if (source.context) {
    if (!kc.getContextObject(source.context)) throw new ClusterReadError(`The kubeconfig has no context named ${source.context}.`);
    kc.setCurrentContext(source.context);
  }
  return kc;
}

/** The contexts of the kubeconfig and the current one (for a picker). */
export function kubeContexts(source: KubeconfigSource): { contexts: string[]; current: string } {
  const kc = loadKubeconfig(source);
  return { contexts: kc.getContexts().map((c) => c.name), current: kc.getCurrentContext() };
}

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

/** The errors of one resource that mean "not readable" rather than "cluster unreachable". */
function unreadableOf(resource: string, error: unknown): Unreadable | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const status = error.code;
  const message = statusMessage(error.body);
  if (status === 401) return { resource, status, message: `The API server refused the kubeconfig's credentials (401)${message ? `: ${message}` : ''}.` };
  if (status === 403) return { resource, status, message: `The account may not list ${resource} (403 Forbidden)${message ? `: ${message}` : ''}.` };
  return { resource, status, message: `Listing ${resource} failed (${status})${message ? `: ${message}` : ''}.` };
}

/** A Kubernetes Status object's message, whatever shape the client gave the body in. */
function statusMessage(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return '';
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.replace(/\.$/, '') : '';
}

/** The client's message for a failed connection, with a network error's code (ECONNREFUSED, certificate errors). */
function connectionMessage(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  return `${(e.message ?? String(error)).replace(/\.$/, '')}${code && !e.message?.includes(code) ? ` (${code})` : ''}`;
}

/** Reads the cluster of the kubeconfig's (current or named) context, read-only, and analyses it. */
export async function readCluster(options: ReadOptions = {}): Promise<ClusterReport> {
  const kc = loadKubeconfig(options);
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server ?? '';
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const limit = options.pageSize ?? PAGE_SIZE;
  const unreadable: Unreadable[] = [];
  let answered = false;
  let connectionError: unknown;

  /** Every item of one list, page after page; `absentIsEmpty`: a 404 means the CRD is not installed. */
  async function listAll<T>(resource: string, page: (cont: string | undefined) => Promise<Page<T>>, absentIsEmpty = false): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    try {
      do {
        const result = await page(cont);
        answered = true;
        items.push(...(result.items ?? []));
        cont = result.metadata?._continue ?? result.metadata?.continue ?? undefined;
      } while (cont);
      return items;
    } catch (error) {
      if (error instanceof ApiException) answered = true;
      if (absentIsEmpty && error instanceof ApiException && error.code === 404) return [];
      const problem = unreadableOf(resource, error);
      if (problem) unreadable.push(problem);
      else connectionError ??= error;
      return [];
    }
  }

  const podIdentity = (plural: string) =>
    listAll<CustomObject>(
      plural,
      async (cont) => (await custom.listClusterCustomObject({ group: 'aadpodidentity.k8s.io', version: 'v1', plural, limit, _continue: cont })) as Page<CustomObject>,
      true,
    );
  const [pods, serviceAccounts, replicaSets, jobs, webhookConfigurations, identities, bindings, exceptions] = await Promise.all([
    listAll('pods', (cont) => core.listPodForAllNamespaces({ limit, _continue: cont })),
    listAll('serviceaccounts', (cont) => core.listServiceAccountForAllNamespaces({ limit, _continue: cont })),
    listAll('replicasets', (cont) => apps.listReplicaSetForAllNamespaces({ limit, _continue: cont })),
    listAll('jobs', (cont) => batch.listJobForAllNamespaces({ limit, _continue: cont })),
    listAll('mutatingwebhookconfigurations', (cont) => admission.listMutatingWebhookConfiguration({ limit, _continue: cont })),
    podIdentity('azureidentities'),
    podIdentity('azureidentitybindings'),
    podIdentity('azurepodidentityexceptions'),
  ]);
  if (!answered) {
    throw new ClusterReadError(`The cluster of context ${context} (${server}) did not answer: ${connectionMessage(connectionError)}.`);
  }
  if (unreadable.length > 0 && unreadable.every((u) => u.status === 401)) {
    throw new ClusterReadError(`The API server of context ${context} refused the kubeconfig's credentials (401 Unauthorized). Sign in again (for AKS: az aks get-credentials, or kubelogin).`);
  }
  if (connectionError) unreadable.push({ resource: 'some resources', status: undefined, message: `Some lists failed: ${connectionMessage(connectionError)}.` });
  const objects: ClusterObjects = { context, server, pods, serviceAccounts, replicaSets, jobs, webhookConfigurations, identities, bindings, exceptions, unreadable };
  return analyseCluster(objects, options.audience);
}
