import type { IdentityFact, PodFact } from './facts';
import { podIdentityBlocks, isAzureBlock, TRIGGER_AUTH_KINDS } from './keda';
import { LABEL_POD_IDENTITY, labelsOf, mapAt, pairOf, PLACEHOLDER_CLIENT_ID, POD_FRAGMENT_KIND, podSiteOf, scalarString, WI_USE } from './k8s';
import { builtPlacesOf, findingAt, placesOf, type BuiltPlace, type Place } from './report-kustomize';
import { rangeOf, type K8sObject } from './model';
import { clientIdOf, objectOf, objectsOf, reportObject } from './report-objects';
import { builtState, fixLabelsOf, labelledState } from './report-states';
import type { Finding } from './rule';
import type { Steps } from './steps';
import type { WorkspaceIndex } from './workspace';

/*
 * The migration report: what is left to migrate, by identity. A pure model of the workspace index
 * and the findings of the files that hold workloads, read by the editor's migration view and by
 * `wi-migrate report`. Identity → bindings (or the service accounts of migrated workloads) →
 * workloads → the places in files that take part, each workload with a state.
 */

import type { WorkloadState } from './workloadState';

export { STATE_LABELS, type WorkloadState } from './workloadState';

/** A place in a file: a path (as the index keys it) and offsets; `what` says what is there. */
export interface ReportLocation {
  file: string;
  start: number;
  end: number;
  what: string;
}

export interface ReportWorkload {
  kind: string;
  namespace: string;
  name: string;
  /** `<namespace>/<Kind>/<name>`: the key of the workload in the cluster's states too. */
  key: string;
  state: WorkloadState;
  /** Why it needs input or is blocked, in words. */
  reason?: string;
  /** True while the pod template still carries `aadpodidbinding`. */
  onPodIdentity: boolean;
  /** The workload's own place first (the object), then its label, its service account, its binding and identity. */
  locations: ReportLocation[];
  /** The service account it runs as (or will, after the migration), when known. */
  serviceAccount?: { namespace: string; name: string };
  /** The labels of the edits its fix makes (`Fix.label`, `FileEdit.label`): what a migration preview keeps to fix it alone. */
  fixLabels: string[];
}

/** A group under an identity: a binding (pod identity), or a service account (migrated workloads). */
export interface ReportGroup {
  kind: 'AzureIdentityBinding' | 'ServiceAccount' | 'selector';
  namespace: string;
  name: string;
  /** What to call it when not `<kind> <namespace>/<name>`: a binding of the AKS add-on is named after what creates it. */
  label?: string;
  location?: ReportLocation;
  workloads: ReportWorkload[];
}

/** A KEDA TriggerAuthentication or CSI SecretProviderClass that reaches Azure with the identity. */
export interface ReportObject {
  kind: string;
  namespace: string;
  name: string;
  state: WorkloadState;
  reason?: string;
  location: ReportLocation;
  fixLabels: string[];
}

export interface StateCounts {
  workloads: number;
  'pod-identity': number;
  migrated: number;
  'needs-input': number;
  blocked: number;
}

export interface ReportIdentity {
  /** `azureIdentity:<ns>/<name>`, `clientId:<guid>` or `unknown`: stable across rebuilds (the view keeps nodes by it). */
  id: string;
  /** What the view shows: "AzureIdentity orders/orders-identity", "client id …", "unknown identity". */
  label: string;
  name?: string;
  namespace?: string;
  clientId?: string;
  resourceId?: string;
  location?: ReportLocation;
  groups: ReportGroup[];
  keda: ReportObject[];
  csi: ReportObject[];
  /** The service accounts its workloads run as (the subjects of its federated credentials). */
  serviceAccounts: Array<{ namespace: string; name: string }>;
  counts: StateCounts;
  /** The labels of every fix under it, and of the removal of its bindings and of itself (fix-all's later rounds). */
  fixLabels: string[];
}

export interface MigrationReport {
  identities: ReportIdentity[];
  /** Every workload once, whatever number of identities it appears under. */
  counts: StateCounts;
  /** Workloads whose pod template still carries `aadpodidbinding`. */
  stillOnPodIdentity: number;
}

/** The findings of a file, as steps (the editor checks in time slices; the CLI runs them at once). */
export type FindingsOf = (path: string) => Steps<readonly Finding[]>;

const UNKNOWN = 'unknown';

function emptyCounts(): StateCounts {
  return { workloads: 0, 'pod-identity': 0, migrated: 0, 'needs-input': 0, blocked: 0 };
}

function countOf(workloads: Iterable<{ state: WorkloadState }>): StateCounts {
  const c = emptyCounts();
  for (const w of workloads) {
    c.workloads++;
    c[w.state]++;
  }
  return c;
}

/** The report of the workspace: one step per workload file checked, one per workload read. */
export function* reportSteps(index: WorkspaceIndex, findingsOf: FindingsOf): Steps<MigrationReport> {
  const builder = new ReportBuilder(index);
  const findings = new Map<string, readonly Finding[]>();
  // The alternatives of a Helm document give one fact each for the same object: the first that names its label counts.
  const byPlace = new Map<string, PodFact>();
  // The pods of documents the pre-scan skipped are read in steps, not in one go.
  for (const p of yield* index.podsSteps()) {
    if (p.ownerKind === POD_FRAGMENT_KIND) continue;
    const key = `${p.file}#${p.start}`;
    const known = byPlace.get(key);
    if (!known || (known.bindingLabel === undefined && p.bindingLabel !== undefined)) byPlace.set(key, p);
  }
  const pods = [...byPlace.values()];
  for (const pod of pods) {
    if (!findings.has(pod.file)) findings.set(pod.file, yield* findingsOf(pod.file));
    // Labels a kustomize build writes (commonLabels, an inline patch): the findings of the line that writes them.
    const built = builder.builtPlaces(pod);
    for (const path of new Set(built.map((b) => b.labelAt.file))) if (!findings.has(path)) findings.set(path, yield* findingsOf(path));
    builder.addPod(pod, findings.get(pod.file)!, built.map((b) => ({ ...b, finding: findingAt(findings.get(b.labelAt.file) ?? [], b.labelAt) })));
    yield;
  }
  const others = [...objectsOf(index, [...TRIGGER_AUTH_KINDS, 'SecretProviderClass'])];
  for (const { file } of others) {
    if (!findings.has(file.path)) findings.set(file.path, yield* findingsOf(file.path));
  }
  yield* builder.addKeda(findings);
  yield* builder.addCsi(findings);
  return builder.finish();
}

interface Entry {
  identity: ReportIdentity;
  groups: Map<string, ReportGroup>;
}

class ReportBuilder {
  private readonly entries = new Map<string, Entry>();
  private readonly workloads = new Map<string, ReportWorkload>();
  /** The files kustomize builds read objects from (made on first use). */
  private builtFiles: Set<string> | undefined;
  /** The first AzureIdentity of each client id (lower case), made when first asked. */
  private byClientId: Map<string, IdentityFact> | undefined;

  constructor(private readonly index: WorkspaceIndex) {}

  private entry(id: string, make: () => Omit<ReportIdentity, 'id' | 'groups' | 'keda' | 'csi' | 'serviceAccounts' | 'counts' | 'fixLabels'>): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { identity: { id, ...make(), groups: [], keda: [], csi: [], serviceAccounts: [], counts: emptyCounts(), fixLabels: [] }, groups: new Map() };
      this.entries.set(id, e);
    }
    return e;
  }

  private forIdentity(identity: IdentityFact): Entry {
    // A pod identity of the AKS add-on is named as its script or template declares it (its fact's name is unique per declaration).
    const label = identity.addon ? `AKS add-on pod identity ${identity.namespace}/${identity.addon.name ?? '(name unknown)'}` : `AzureIdentity ${identity.namespace}/${identity.name}`;
    return this.entry(`azureIdentity:${identity.namespace}/${identity.name}`, () => ({
      label,
      name: identity.addon ? identity.addon.name : identity.name,
      namespace: identity.namespace,
      clientId: identity.clientID,
      resourceId: identity.resourceID,
      location: { file: identity.file, start: identity.start, end: identity.end, what: label },
    }));
  }

  /** The identity of a client id: the AzureIdentity that writes it, else the client id alone. */
  private forClientId(clientId: string | undefined): Entry {
    if (clientId && !this.byClientId) {
      this.byClientId = new Map();
      for (const i of this.index.identities) {
        const id = i.clientID?.toLowerCase();
        if (id !== undefined && !this.byClientId.has(id)) this.byClientId.set(id, i);
      }
    }
    const identity = clientId ? this.byClientId!.get(clientId.toLowerCase()) : undefined;
    if (identity) return this.forIdentity(identity);
    if (!clientId) return this.entry(UNKNOWN, () => ({ label: 'unknown identity' }));
    return this.entry(`clientId:${clientId.toLowerCase()}`, () => ({ label: `client id ${clientId}`, clientId }));
  }

  private group(entry: Entry, kind: ReportGroup['kind'], namespace: string, name: string, location?: ReportLocation, label?: string): ReportGroup {
    const key = `${kind}/${namespace}/${name}`;
    let g = entry.groups.get(key);
    if (!g) {
      g = { kind, namespace, name, ...(label ? { label } : {}), location, workloads: [] };
      entry.groups.set(key, g);
      entry.identity.groups.push(g);
    }
    return g;
  }

  private account(entry: Entry, account: { namespace: string; name: string } | undefined): void {
    if (!account) return;
    const list = entry.identity.serviceAccounts;
    if (!list.some((a) => a.namespace === account.namespace && a.name === account.name)) list.push(account);
  }

  /** The builds that label the pod when its own file shows neither label (kustomize's commonLabels, an inline patch). */
  builtPlaces(pod: PodFact): BuiltPlace[] {
    if (pod.ownerKind === POD_FRAGMENT_KIND || pod.usesWorkloadIdentity || pod.bindingLabel !== undefined || pod.templated?.bindingLabel !== undefined) return [];
    // Only a file a build reads can be labelled by one.
    this.builtFiles ??= new Set(this.index.kustomize.builds.flatMap((b) => b.objects.map((bo) => bo.file)));
    if (!this.builtFiles.has(pod.file)) return [];
    const obj = objectOf(this.index, pod);
    const site = obj && podSiteOf(obj);
    const labels = site ? labelsOf(site.metadata) : undefined;
    if (!obj || (labels && (pairOf(labels, LABEL_POD_IDENTITY) || pairOf(labels, WI_USE)))) return [];
    return builtPlacesOf(this.index, obj, pod);
  }

  addPod(pod: PodFact, findings: readonly Finding[], built: readonly BuiltPlace[] = []): void {
    const obj = objectOf(this.index, pod);
    if (!obj) return;
    const site = podSiteOf(obj);
    const labels = site ? labelsOf(site.metadata) : undefined;
    const labelPair = labels ? pairOf(labels, LABEL_POD_IDENTITY) : undefined;
    const own = { file: pod.file, start: pod.start, end: pod.end, what: `${pod.ownerKind} ${obj.name ?? '(unnamed)'}` };
    const inPod = (f: Finding) => f.file === pod.file && f.start >= pod.start && f.end <= pod.end;
    if (labelPair) {
      const [start, end] = rangeOf(obj.doc, labelPair.key);
      const labelAt: ReportLocation = { file: pod.file, start, end: labelPair.value ? rangeOf(obj.doc, labelPair.value)[1] : end, what: 'aadpodidbinding label' };
      const finding = findings.find((f) => f.ruleId === 'pod-identity-label' && f.start === start);
      this.addLabelledPod(pod, obj, [own, labelAt], finding, fixLabelsOf(findings.filter((f) => inPod(f) && f.ruleId === 'pod-identity-label')));
      return;
    }
    const problems = findings.filter((f) => inPod(f) && f.ruleId.startsWith('wi-'));
    if (pod.usesWorkloadIdentity) {
      this.addMigratedPod(pod, [own], problems, placesOf(this.index, obj, pod));
      return;
    }
    for (const place of built) {
      if (place.bindingLabel === undefined) {
        this.addMigratedPod(pod, [own, place.labelAt], problems, [place]);
        continue;
      }
      const { state, reason } = builtState(place);
      const workload = this.workload(pod, place, state, reason, true, [own, place.labelAt], fixLabelsOf(place.finding ? [place.finding] : []));
      this.underBindings(place, place.bindingLabel, undefined, workload);
    }
  }

  /** A pod still on pod identity: under each identity its label reaches, per namespace it is deployed to. */
  private addLabelledPod(pod: PodFact, obj: K8sObject, locations: ReportLocation[], finding: Finding | undefined, fixLabels: string[]): void {
    const { state, reason } = labelledState(pod, finding);
    for (const place of placesOf(this.index, obj, pod)) {
      const workload = this.workload(pod, place, state, reason, true, locations, fixLabels);
      this.underBindings(place, pod.bindingLabel, pod.templated?.bindingLabel, workload);
    }
  }

  /** A workload on pod identity: under each binding its label selects (or under the unknown identity). */
  private underBindings(place: Place, bindingLabel: string | undefined, templated: string | undefined, workload: ReportWorkload): void {
    if (bindingLabel === undefined) {
      const entry = this.entry(UNKNOWN, () => ({ label: 'unknown identity' }));
      this.group(entry, 'selector', place.namespace, templated ?? '(templated)').workloads.push(workload);
      return;
    }
    // Pod identity matches bindings of any namespace; those of the pod's own namespace, when there are some, are the ones a build meant.
    const all = this.index.bindingsForSelector(bindingLabel, place.namespace);
    const local = all.filter((b) => b.namespace === place.namespace);
    const bindings = local.length ? local : all;
    let placed = false;
    for (const binding of bindings) {
      const identity = this.index.identityForBinding(binding);
      if (!identity) continue;
      const label = binding.addon ? `${addonCreator(this.index.parsedFile(binding.file)?.kind)} ${binding.namespace}/${binding.name}` : undefined;
      const where = { file: binding.file, start: binding.start, end: binding.end, what: label ?? `AzureIdentityBinding ${binding.namespace}/${binding.name}` };
      const entry = this.forIdentity(identity);
      this.group(entry, 'AzureIdentityBinding', binding.namespace, binding.name, where, label).workloads.push(withLocations(workload, where, entry.identity.location));
      this.account(entry, workload.serviceAccount);
      placed = true;
    }
    if (!placed) {
      const entry = this.entry(UNKNOWN, () => ({ label: 'unknown identity' }));
      this.group(entry, 'selector', place.namespace, bindingLabel).workloads.push(workload);
    }
  }

  /** A pod with the `use` label: under the identity its service account's client id names. */
  private addMigratedPod(pod: PodFact, own: ReportLocation[], problems: readonly Finding[], places: readonly Place[]): void {
    for (const place of places) {
      const accountName = place.account ?? pod.serviceAccountName ?? 'default';
      const account = this.index.serviceAccount(place.namespace, accountName);
      const clientId = account && clientIdOf(this.index, account);
      let state: WorkloadState = 'migrated';
      let reason: string | undefined;
      const problem = problems.find((f) => f.severity !== 'hint' && f.severity !== 'info');
      if (problem) [state, reason] = ['needs-input', problem.message];
      else if (clientId?.placeholder) [state, reason] = ['needs-input', `ServiceAccount ${place.namespace}/${accountName} carries the placeholder client id ${PLACEHOLDER_CLIENT_ID}: write the managed identity's client id.`];
      else if (clientId?.templated) [state, reason] = ['needs-input', `The client id of ServiceAccount ${place.namespace}/${accountName} is templated (${clientId.templated}) and no chart value renders it.`];
      const accountAt = account ? { file: account.file, start: account.start, end: account.end, what: `ServiceAccount ${account.namespace}/${account.name}` } : undefined;
      const locations = [...own, ...(accountAt ? [accountAt] : [])];
      const workload = this.workload(pod, place, state, reason, false, locations, fixLabelsOf(problems), { namespace: place.namespace, name: accountName });
      const entry = this.forClientId(clientId?.value);
      this.group(entry, 'ServiceAccount', place.namespace, accountName, accountAt).workloads.push(withLocations(workload, undefined, entry.identity.location));
      this.account(entry, workload.serviceAccount);
    }
  }

  private workload(pod: PodFact, place: Place, state: WorkloadState, reason: string | undefined, onPodIdentity: boolean, locations: ReportLocation[], fixLabels: string[], account?: ReportWorkload['serviceAccount']): ReportWorkload {
    const key = `${place.namespace}/${pod.ownerKind}/${place.name}`;
    const serviceAccount = account ?? (pod.serviceAccountName && pod.serviceAccountName !== 'default' ? { namespace: place.namespace, name: pod.serviceAccountName } : undefined);
    const workload: ReportWorkload = { kind: pod.ownerKind, namespace: place.namespace, name: place.name, key, state, ...(reason ? { reason } : {}), onPodIdentity, locations, ...(serviceAccount ? { serviceAccount } : {}), fixLabels };
    this.workloads.set(key, workload);
    return workload;
  }

  /** KEDA (Cluster)TriggerAuthentications with an Azure provider, under the identity their identityId names: a step per hundred objects. */
  *addKeda(findings: ReadonlyMap<string, readonly Finding[]>): Steps<void> {
    let read = 0;
    for (const { file, obj } of objectsOf(this.index, TRIGGER_AUTH_KINDS)) {
      if (++read % 100 === 0) yield;
      const blocks = podIdentityBlocks({ file, doc: obj.doc }, obj).filter(({ block }) => isAzureBlock(block));
      if (blocks.length === 0) continue;
      const onPodIdentity = blocks.some(({ block }) => scalarString(block.get('provider', true))?.toLowerCase() === 'azure');
      const identityId = blocks.map(({ block }) => scalarString(block.get('identityId', true))).find((v) => v);
      const state: WorkloadState = onPodIdentity ? 'pod-identity' : 'migrated';
      this.forClientId(identityId).identity.keda.push(reportObject(this.index, file, obj, state, findings.get(file.path)));
    }
  }

  /** Secrets Store CSI SecretProviderClasses: under the identity of their clientID, or of the pods that mount them; a step per hundred objects. */
  *addCsi(findings: ReadonlyMap<string, readonly Finding[]>): Steps<void> {
    let read = 0;
    for (const { file, obj } of objectsOf(this.index, ['SecretProviderClass'])) {
      if (++read % 100 === 0) yield;
      const parameters = mapAt(obj.node, ['spec', 'parameters']);
      if (!parameters) continue;
      const usePodIdentity = scalarString(parameters.get('usePodIdentity', true))?.toLowerCase() === 'true';
      const clientId = scalarString(parameters.get('clientID', true)) || undefined;
      if (!usePodIdentity && !clientId) continue;
      const namespace = this.index.namespaceOf(obj);
      let entry: Entry;
      if (clientId) entry = this.forClientId(clientId);
      else {
        const identities = this.index.podsMountingSecretProviderClass(namespace, obj.name ?? '').flatMap((p) => (p.bindingLabel ? this.index.identitiesForSelector(p.bindingLabel, p.namespace) : []));
        entry = identities.length ? this.forIdentity(identities[0].identity) : this.forClientId(undefined);
      }
      const state: WorkloadState = usePodIdentity ? 'pod-identity' : 'migrated';
      entry.identity.csi.push(reportObject(this.index, file, obj, state, findings.get(file.path)));
    }
  }

  finish(): MigrationReport {
    const identities = [...this.entries.values()].map(({ identity }) => {
      // In an order of their own, not the order files were read in: the view of a workspace is the same whatever the indexer read first.
      identity.groups.sort((a, b) => a.kind.localeCompare(b.kind) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
      for (const g of identity.groups) g.workloads.sort((a, b) => a.key.localeCompare(b.key));
      identity.serviceAccounts.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      const byPlace = (a: ReportObject, b: ReportObject) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`) || a.kind.localeCompare(b.kind);
      identity.keda.sort(byPlace);
      identity.csi.sort(byPlace);
      const seen = new Map<string, ReportWorkload>();
      for (const g of identity.groups) for (const w of g.workloads) seen.set(w.key, w);
      const removals = [
        ...identity.groups.filter((g) => g.kind === 'AzureIdentityBinding').map((g) => `Remove AzureIdentityBinding ${g.namespace}/${g.name}`),
        ...(identity.name ? [`Remove AzureIdentity ${identity.namespace}/${identity.name}`] : []),
      ];
      const fixLabels = [...new Set([...[...seen.values(), ...identity.keda, ...identity.csi].flatMap((w) => w.fixLabels), ...removals])];
      return { ...identity, counts: countOf([...seen.values(), ...identity.keda, ...identity.csi].map((w) => ({ state: w.state }))), fixLabels };
    });
    // Identities with work left first, then by label; the unknown identity last.
    const left = (i: ReportIdentity) => i.counts.workloads - i.counts.migrated;
    identities.sort((a, b) => Number(a.id === UNKNOWN) - Number(b.id === UNKNOWN) || Number(left(b) > 0) - Number(left(a) > 0) || a.label.localeCompare(b.label));
    const workloads = [...this.workloads.values()];
    return { identities, counts: countOf(workloads), stillOnPodIdentity: workloads.filter((w) => w.onPodIdentity).length };
  }
}

/** What creates a binding of the AKS add-on, by the kind of file that declares it. */
function addonCreator(fileKind: string | undefined): string {
  if (fileKind === 'bicep') return 'Bicep podIdentityProfile entry';
  if (fileKind === 'arm-template') return 'ARM template podIdentityProfile entry';
  return 'az aks pod-identity add';
}

/** A workload placed under a binding: the binding's and the identity's places added to its own. */
function withLocations(workload: ReportWorkload, binding: ReportLocation | undefined, identity: ReportLocation | undefined): ReportWorkload {
  // A pod identity of the AKS add-on is its binding too: one place, listed once.
  const places = identity && binding && identity.file === binding.file && identity.start === binding.start ? [binding] : [binding, identity];
  const extra = places.filter((l): l is ReportLocation => l !== undefined && !workload.locations.some((w) => w.file === l.file && w.start === l.start));
  return extra.length ? { ...workload, locations: [...workload.locations, ...extra] } : workload;
}
