// What the running cluster says about the migration, from the objects read through the
// Kubernetes API (read.ts): pure, no I/O, no client-node at run time (its model types only).
import { posix } from 'node:path';
import type { V1Job, V1MutatingWebhookConfiguration, V1Pod, V1ReplicaSet, V1ServiceAccount } from '@kubernetes/client-node';
import type { FederatedReport } from './federated';

const LABEL_POD_IDENTITY = 'aadpodidbinding';
const WI_USE = 'azure.workload.identity/use';
const WI_CLIENT_ID = 'azure.workload.identity/client-id';
const WI_SKIP_CONTAINERS = 'azure.workload.identity/skip-containers';
/** The webhook's name in its MutatingWebhookConfiguration (azure-workload-identity, every install: Helm, AKS add-on). */
const WI_WEBHOOK_NAME = 'mutation.azure-workload-identity.io';
const WI_WEBHOOK_CONFIGURATION = 'azure-wi-webhook-mutating-webhook-configuration';
/** What the webhook injects into each container it mutates. */
export const INJECTED_ENV = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST'] as const;
const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';
/** The exception the AKS-managed pod identity add-on creates for its own pods. */
const AKS_ADDON_EXCEPTION = 'aks-addon-exception';

/** A custom object as the API returns it (pod identity CRDs): plain JSON. */
export interface CustomObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** A resource the account could not list, and why. */
export interface Unreadable {
  resource: string;
  status: number | undefined;
  message: string;
}

/** Everything read from the cluster (read.ts), each list already followed through its pages. */
export interface ClusterObjects {
  context: string;
  server: string;
  pods: V1Pod[];
  serviceAccounts: V1ServiceAccount[];
  replicaSets: V1ReplicaSet[];
  jobs: V1Job[];
  webhookConfigurations: V1MutatingWebhookConfiguration[];
  identities: CustomObject[];
  bindings: CustomObject[];
  exceptions: CustomObject[];
  unreadable: Unreadable[];
}

export interface ObjectRef {
  namespace: string;
  name: string;
}

export interface PodIdentityInstall {
  identities: Array<ObjectRef & { clientID: string | undefined; type: number | undefined; resourceID: string | undefined }>;
  bindings: Array<ObjectRef & { identity: string | undefined; selector: string | undefined }>;
  exceptions: ObjectRef[];
  nmiPods: ObjectRef[];
  micPods: ObjectRef[];
  /** The AKS-managed add-on seems installed: its exception `kube-system/aks-addon-exception`, or NMI in kube-system without any MIC pod (AKS runs MIC out of sight). */
  managedAddOn: boolean;
}

export interface ContainerCheck {
  name: string;
  /** Injected variables the container lacks. */
  missingEnv: string[];
  tokenFile: string | undefined;
  /** A projected service-account token is mounted at the directory of AZURE_FEDERATED_TOKEN_FILE, with that file name. */
  tokenMounted: boolean;
  /** The projected token's audience (undefined: none set, the API server's own audience). */
  audience: string | undefined;
  clientId: string | undefined;
}

export interface WorkloadIdentityCheck {
  serviceAccount: string;
  serviceAccountFound: boolean | undefined;
  serviceAccountClientId: string | undefined;
  containers: ContainerCheck[];
  /** Every checked container has the variables and the token (and there is one to check). */
  mutated: boolean;
}

export interface PodIdentityUse {
  selector: string;
  identities: Array<{ binding: string; identity: string; namespace: string; clientID: string | undefined }>;
}

export interface WorkloadReport {
  /** `<namespace>/<Kind>/<name>`: the key the migration view and the repository's index use. */
  key: string;
  namespace: string;
  kind: string;
  name: string;
  pods: string[];
  podIdentity: PodIdentityUse | undefined;
  workloadIdentity: WorkloadIdentityCheck | undefined;
  state: string;
  detail: string;
  problem: boolean;
}

export interface ClusterReport {
  context: string;
  server: string;
  audience: string;
  unreadable: Unreadable[];
  podIdentity: PodIdentityInstall;
  webhook: { installed: boolean; configurations: string[] };
  workloads: WorkloadReport[];
  /** Workloads whose pods carry neither label: kept for the comparison with the repository. */
  otherWorkloads: string[];
  /** Differences with the repository (compare.ts); empty until compared. */
  drift: DriftEntry[];
  /** Federated credentials of the workload-identity workloads, checked through Azure (federated.ts); absent until asked. */
  federated?: FederatedReport;
  /** What the walkthrough and the command's context keys read. */
  summary: { workloadIdentityReady: boolean; podIdentityGone: boolean };
}

export interface DriftEntry {
  key: string;
  state: string;
  detail: string;
  problem: boolean;
}

export const STATES = {
  podIdentity: 'still on pod identity',
  migrated: 'migrated',
  notMutated: 'migrated, not mutated',
  problems: 'migrated, with problems',
} as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A pod identity spec field in its current or pre-1.6 (capitalised) spelling. */
function specField(obj: CustomObject, name: string): unknown {
  const spec = obj.spec ?? {};
  return spec[name] ?? spec[name[0].toUpperCase() + name.slice(1)];
}

const refOf = (o: { metadata?: { name?: string; namespace?: string } }): ObjectRef => ({ namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });

function imageOf(pod: V1Pod): string[] {
  return (pod.spec?.containers ?? []).map((c) => c.image ?? '');
}

/** NMI or MIC by the image (mcr.microsoft.com/oss/azure/aad-pod-identity/nmi:…), or by the upstream chart's component label. */
function podIdentityComponent(pod: V1Pod): 'nmi' | 'mic' | undefined {
  for (const image of imageOf(pod)) {
    const m = /aad-pod-identity\/(nmi|mic)(?::|@|$)/.exec(image);
    if (m) return m[1] as 'nmi' | 'mic';
  }
  const labels = pod.metadata?.labels ?? {};
  const component = labels['app.kubernetes.io/component'] ?? labels.component;
  const partOf = `${labels['app.kubernetes.io/name'] ?? ''} ${labels.app ?? ''} ${labels['app.kubernetes.io/part-of'] ?? ''}`;
  if ((component === 'nmi' || component === 'mic') && /pod-identity|^\s*(nmi|mic)\b/.test(partOf)) return component;
  return undefined;
}

function podIdentityInstall(objects: ClusterObjects): PodIdentityInstall {
  const nmiPods: ObjectRef[] = [];
  const micPods: ObjectRef[] = [];
  for (const pod of objects.pods) {
    const component = podIdentityComponent(pod);
    if (component === 'nmi') nmiPods.push(refOf(pod));
    if (component === 'mic') micPods.push(refOf(pod));
  }
  const exceptions = objects.exceptions.map(refOf);
  const managedAddOn =
    exceptions.some((e) => e.namespace === 'kube-system' && e.name === AKS_ADDON_EXCEPTION) ||
    (nmiPods.some((p) => p.namespace === 'kube-system') && micPods.length === 0);
  return {
    identities: objects.identities.map((o) => {
      const type = specField(o, 'type');
      return { ...refOf(o), clientID: str(specField(o, 'clientID')), type: typeof type === 'number' ? type : undefined, resourceID: str(specField(o, 'resourceID')) };
    }),
    bindings: objects.bindings.map((o) => ({ ...refOf(o), identity: str(specField(o, 'azureIdentity')), selector: str(specField(o, 'selector')) })),
    exceptions,
    nmiPods,
    micPods,
    managedAddOn,
  };
}

function webhookConfigurations(objects: ClusterObjects): string[] {
  return objects.webhookConfigurations
    .filter((c) => c.metadata?.name === WI_WEBHOOK_CONFIGURATION || (c.webhooks ?? []).some((w) => w.name === WI_WEBHOOK_NAME))
    .map((c) => c.metadata?.name ?? '');
}

/** The workload a pod belongs to: its controller, followed from ReplicaSet to Deployment and from Job to CronJob. */
function ownerOf(pod: V1Pod, objects: ClusterObjects): { kind: string; name: string } {
  const namespace = pod.metadata?.namespace ?? '';
  const controller = (o: { metadata?: { ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> } }) =>
    (o.metadata?.ownerReferences ?? []).find((r) => r.controller) ?? o.metadata?.ownerReferences?.[0];
  const owner = controller(pod);
  if (!owner) return { kind: 'Pod', name: pod.metadata?.name ?? '' };
  if (owner.kind === 'ReplicaSet') {
    const rs = objects.replicaSets.find((r) => r.metadata?.namespace === namespace && r.metadata?.name === owner.name);
    const up = rs && controller(rs);
    if (up) return { kind: up.kind, name: up.name };
    // ReplicaSets unreadable: a Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (!rs && hash && owner.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
  }
  if (owner.kind === 'Job') {
    const job = objects.jobs.find((j) => j.metadata?.namespace === namespace && j.metadata?.name === owner.name);
    const up = job && controller(job);
    if (up) return { kind: up.kind, name: up.name };
  }
  return { kind: owner.kind, name: owner.name };
}

function envValue(container: { env?: Array<{ name: string; value?: string }> }, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

/** Checks one container the webhook should have mutated. The token volume is found by its mount path, never by its name (it changed between webhook versions). */
function checkContainer(pod: V1Pod, container: NonNullable<V1Pod['spec']>['containers'][number]): ContainerCheck {
  const names = new Set((container.env ?? []).map((e) => e.name));
  const tokenFile = envValue(container, 'AZURE_FEDERATED_TOKEN_FILE');
  let tokenMounted = false;
  let audience: string | undefined;
  if (tokenFile) {
    const dir = posix.dirname(tokenFile);
    const file = posix.basename(tokenFile);
    for (const mount of container.volumeMounts ?? []) {
      if (posix.normalize(`${mount.mountPath}/`) !== posix.normalize(`${dir}/`)) continue;
      const volume = pod.spec?.volumes?.find((v) => v.name === mount.name);
      const source = volume?.projected?.sources?.find((s) => s.serviceAccountToken?.path === file)?.serviceAccountToken;
      if (source) {
        tokenMounted = true;
        audience = source.audience;
        break;
      }
    }
  }
  return { name: container.name, missingEnv: INJECTED_ENV.filter((n) => !names.has(n)), tokenFile, tokenMounted, audience, clientId: envValue(container, 'AZURE_CLIENT_ID') };
}

function checkWorkloadIdentity(pod: V1Pod, objects: ClusterObjects, serviceAccountsReadable: boolean): WorkloadIdentityCheck {
  const namespace = pod.metadata?.namespace ?? '';
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  const sa = objects.serviceAccounts.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === serviceAccount);
  const skipped = new Set((pod.metadata?.annotations?.[WI_SKIP_CONTAINERS] ?? '').split(';').map((s) => s.trim()).filter(Boolean));
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].filter((c) => !skipped.has(c.name)).map((c) => checkContainer(pod, c));
  return {
    serviceAccount,
    serviceAccountFound: serviceAccountsReadable ? sa !== undefined : undefined,
    serviceAccountClientId: sa?.metadata?.annotations?.[WI_CLIENT_ID],
    containers,
    mutated: containers.length > 0 && containers.every((c) => c.missingEnv.length === 0 && c.tokenMounted),
  };
}

function podIdentityUse(selector: string, install: PodIdentityInstall): PodIdentityUse {
  return {
    selector,
    identities: install.bindings
      .filter((b) => b.selector === selector)
      .map((b) => {
        const identity = install.identities.find((i) => i.namespace === b.namespace && i.name === b.identity);
        return { binding: `${b.namespace}/${b.name}`, identity: b.identity ?? '', namespace: b.namespace, clientID: identity?.clientID };
      }),
  };
}

/** The problems of a workload-identity pod, in words (empty: all is well). */
function workloadIdentityProblems(check: WorkloadIdentityCheck, webhookInstalled: boolean, audience: string): string[] {
  const problems: string[] = [];
  if (!webhookInstalled) problems.push('the workload identity webhook is not installed');
  if (check.serviceAccountFound === false) problems.push(`service account ${check.serviceAccount} does not exist`);
  else if (check.serviceAccountFound && !check.serviceAccountClientId) problems.push(`service account ${check.serviceAccount} has no ${WI_CLIENT_ID} annotation`);
  for (const c of check.containers) {
    if (c.missingEnv.length) problems.push(`container ${c.name} lacks ${c.missingEnv.join(', ')}`);
    if (c.tokenFile && !c.tokenMounted) problems.push(`container ${c.name} has no projected service-account token mounted at ${posix.dirname(c.tokenFile)}`);
    if (c.tokenMounted && c.audience !== audience) problems.push(`container ${c.name}'s token audience is ${c.audience ?? 'the API server\'s default'}, not ${audience}`);
    if (c.clientId !== undefined && check.serviceAccountClientId && c.clientId.toLowerCase() !== check.serviceAccountClientId.toLowerCase()) {
      problems.push(`container ${c.name} sets AZURE_CLIENT_ID ${c.clientId || '(empty)'}, not the service account's ${check.serviceAccountClientId}`);
    }
  }
  return problems;
}

/** Reads what the cluster's objects say: pod identity installed or not, the webhook, and each workload's state. */
export function analyseCluster(objects: ClusterObjects, audience = DEFAULT_AUDIENCE): ClusterReport {
  const install = podIdentityInstall(objects);
  const configurations = webhookConfigurations(objects);
  const webhookInstalled = configurations.length > 0;
  const serviceAccountsReadable = !objects.unreadable.some((u) => u.resource === 'serviceaccounts');
  const groups = new Map<string, { namespace: string; kind: string; name: string; pods: V1Pod[] }>();
  for (const pod of objects.pods) {
    const namespace = pod.metadata?.namespace ?? '';
    const owner = ownerOf(pod, objects);
    const key = `${namespace}/${owner.kind}/${owner.name}`;
    const group = groups.get(key) ?? { namespace, ...owner, pods: [] };
    group.pods.push(pod);
    groups.set(key, group);
  }
  const workloads: WorkloadReport[] = [];
  const otherWorkloads: string[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    // The first pod that shows the worst state speaks for the workload: a rollout may be half done.
    const selector = group.pods.map((p) => p.metadata?.labels?.[LABEL_POD_IDENTITY]).find((s) => s !== undefined);
    const wiPods = group.pods.filter((p) => p.metadata?.labels?.[WI_USE] === 'true');
    if (selector === undefined && wiPods.length === 0) {
      otherWorkloads.push(key);
      continue;
    }
    const base = { key, namespace: group.namespace, kind: group.kind, name: group.name, pods: group.pods.map((p) => p.metadata?.name ?? '') };
    const podIdentity = selector === undefined ? undefined : podIdentityUse(selector, install);
    const checks = wiPods.map((p) => ({ check: checkWorkloadIdentity(p, objects, serviceAccountsReadable), pod: p }));
    const worst = checks.find((c) => workloadIdentityProblems(c.check, webhookInstalled, audience).length > 0) ?? checks[0];
    const workloadIdentity = worst?.check;
    if (podIdentity) {
      const names = podIdentity.identities.map((i) => `${i.namespace}/${i.identity}${i.clientID ? ` (client id ${i.clientID})` : ''}`);
      const gets = names.length ? `gets ${names.join(', ')}` : 'matches no AzureIdentityBinding';
      workloads.push({ ...base, podIdentity, workloadIdentity, state: STATES.podIdentity, problem: true, detail: `Pods labelled ${LABEL_POD_IDENTITY}: ${selector}; ${gets}.` });
      continue;
    }
    const problems = workloadIdentity ? workloadIdentityProblems(workloadIdentity, webhookInstalled, audience) : [];
    const state = problems.length === 0 ? STATES.migrated : workloadIdentity?.mutated || (workloadIdentity?.containers.some((c) => c.missingEnv.length < INJECTED_ENV.length) ?? false) ? STATES.problems : STATES.notMutated;
    const detail = problems.length
      ? `${capitalise(problems.join('; '))}.`
      : `Mutated by the webhook; service account ${workloadIdentity?.serviceAccount} carries client id ${workloadIdentity?.serviceAccountClientId}; token audience ${audience}.`;
    workloads.push({ ...base, podIdentity, workloadIdentity, state, detail, problem: problems.length > 0 });
  }
  const podIdentityResources = ['azureidentities', 'azureidentitybindings', 'azurepodidentityexceptions', 'pods'];
  const podIdentityGone =
    !objects.unreadable.some((u) => podIdentityResources.includes(u.resource)) &&
    install.identities.length + install.bindings.length + install.exceptions.length + install.nmiPods.length + install.micPods.length === 0;
  return {
    context: objects.context,
    server: objects.server,
    audience,
    unreadable: objects.unreadable,
    podIdentity: install,
    webhook: { installed: webhookInstalled, configurations },
    workloads,
    otherWorkloads,
    drift: [],
    summary: { workloadIdentityReady: webhookInstalled && workloads.some((w) => w.workloadIdentity?.mutated === true), podIdentityGone },
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
