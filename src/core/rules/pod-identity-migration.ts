import { isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { FileEdit, TextEdit } from '../edits';
import { valueIn } from '../build-values';
import { dns1123, envEntries, LABEL_POD_IDENTITY, metadataOf, pairOf, PLACEHOLDER_CLIENT_ID, podIdentityFlexVolumesOf, scalarString, WI_CLIENT_ID, WI_USE, type PodSite } from '../k8s';
import { fixLabel, serviceAccountLabel } from '../labels';
import { identityName, lookupIdentity, type IdentityLookup } from '../lookup';
import { objectAt, type K8sObject } from '../model';
import type { Fix, RelatedLocation, RuleContext } from '../rule';
import { accountIn, bindingLabelIn, isPatchDocument, planAccounts, plansOf, relativeLeaf, type Place } from './pod-identity-kustomize';
import { annotateServiceAccount, appendServiceAccount, serviceAccountKey } from '../service-account';
import type { ServiceAccountFact } from '../facts';
import { insertPair, rawText, removePair, replacePair, replaceScalar, scalarText, templatedNode, type EditTarget } from '../yaml-edit';
import { helmCreateAccount, newChartAccount, readTemplatedLabel, removeReadValues } from './pod-identity-chart';
import { PROXY_SIDECAR_TITLE, proxySidecarEdits } from './proxy-sidecar';

/**
 * The migration fix of pod-identity-label, in the steps of its docs (docs/rules/pod-identity-label.md,
 * "What the fix does"): replace the label, name a service account, annotate or create that account.
 */

const USE_TRUE = '"true"';

export type LabelPair = Pair<Scalar, Node | null>;
/** Edits of one fix; `undefined` entries are edits that could not be made safely. */
type Planned = Array<TextEdit | FileEdit | undefined>;

/** aadpodidbinding among the workload's own labels (not the pod's). */
export interface OwnLabel {
  meta: YAMLMap;
  labels: YAMLMap;
  pair: LabelPair;
}

/** Removes the label, and `labels:` with it when nothing else is left in it. */
export function removeLabel(t: EditTarget, own: OwnLabel): TextEdit | undefined {
  const labelsPair = own.labels.items.length === 1 ? pairOf(own.meta, 'labels') : undefined;
  return labelsPair ? removePair(t, own.meta, labelsPair) : removePair(t, own.labels, own.pair);
}

interface Migration {
  message: string;
  related: RelatedLocation[];
  fix?: Fix;
}

/** The pod whose label is migrated: where its label sits, and whether the label must stay (its selector uses it). */
export interface LabelledPod {
  t: EditTarget;
  obj: K8sObject;
  site: PodSite;
  podLabels: YAMLMap;
  podPair: LabelPair;
  own: OwnLabel | undefined;
  keep: boolean;
}

export function planMigration(ctx: RuleContext, pod: LabelledPod): Migration {
  const { t, obj, site, podLabels, podPair, own, keep } = pod;
  const subject = podSubject(t, obj);
  // A templated label is read from the chart's values: then it is migrated like a literal one.
  const { chart, unknown } = readTemplatedLabel(ctx, t, podPair, subject);
  if (unknown) return { related: [], message: unknown };
  const places = placesOfPod(ctx, obj);
  if (places) return planBuiltMigration(ctx, pod, places, subject);
  const selector = chart?.selector ?? scalarString(podPair.value);
  const namespaceNode = metadataOf(obj)?.get('namespace', true);
  const namespace = ctx.index.namespaceOf(obj);
  const lookup = lookupIdentity(ctx.index, selector, namespace);
  const notes: string[] = [];
  let blocker: string | undefined;
  const block = (why: string) => (blocker ??= why);

  // The label: replaced by the `use` label, or kept beside it while the selector needs it.
  const labels = replaceLabel(t, obj, podLabels, podPair, own, keep, chart !== undefined);
  const edits: Planned = [...labels.edits];
  if (labels.note) notes.push(labels.note);
  if (chart && !keep) edits.push(...removeReadValues(chart, t, podPair));
  if (anchored(podLabels, podPair.value, own?.labels, site.spec)) block('the labels or pod spec carry a YAML anchor that other nodes may alias');
  const sidecar = withSidecar(ctx, t, site, edits);
  if (sidecar) block(sidecar);

  if (templatedNode(t, namespaceNode)) block('the namespace is templated');
  // The FlexVolume reads Key Vault with the pod's pod identity: migrating the pod alone breaks the mount.
  const flexVolumes = podIdentityFlexVolumesOf(site.spec).map((v) => v.name ?? '(unnamed)');
  if (flexVolumes.length) {
    block(
      `the pod mounts Key Vault through the legacy Key Vault FlexVolume (driver azure/kv, volume ${flexVolumes.join(', ')}) with usepodidentity: "true", ` +
        'which stops working once the pod leaves pod identity: move the mount to the Secrets Store CSI driver first (rule keyvault-flexvolume), then migrate the pod',
    );
  }

  const related = [...lookup.related];
  let placeholder = false;
  const creates: string[] = [];
  // In a `helm create` chart: the chart's own account, annotated through its values.
  const helm = helmCreateAccount(ctx, t, site, lookup);
  if (helm) notes.push(helm.note);
  if (helm?.problem) block(helm.problem);

  // Otherwise a named service account: kept, or named after the label value.
  const account = helm ? { name: undefined, templated: false, edits: [] } : planServiceAccountName(t, site, selector);
  edits.push(...account.edits);
  if (account.problem) block(account.problem);
  if (chart && account.templated) block('its service account name is templated and the chart does not keep its account in helm create\'s serviceAccount values');

  // That account carries the client id: annotated where it is, or created beside the workload.
  const annotated = helm ?? (account.name && !account.templated && !blocker ? annotateOrCreateAccount(ctx, t, obj, account.name, lookup) : undefined);
  if (annotated) {
    if (annotated !== helm && 'note' in annotated && annotated.note) notes.push(annotated.note);
    edits.push(...annotated.edits);
    related.push(...annotated.related);
    creates.push(...annotated.creates);
    placeholder = annotated.placeholder;
  } else if (account.templated && !chart) {
    notes.push(`Its service account name is templated: annotate that account with ${WI_CLIENT_ID}${lookup.clientId ? ` "${lookup.clientId}"` : ''} in the chart.`);
  }

  const identity = lookup.clientId
    ? `; it maps to ${identityName(lookup.identity!)} (client id ${lookup.clientId}).`
    : `; ${lookup.problem}.`;
  const fix = blocker
    ? undefined
    : ctx.fix({ title: migrateTitle(ctx, t, obj), label: fixLabel('Migrate', ctx.index, obj), edits, needsInput: placeholder, creates });
  if (placeholder && fix) notes.push(`The client id could not be found, so the fix writes the placeholder ${PLACEHOLDER_CLIENT_ID} to fill in.`);
  const envNote = hardCodedClientId(site.spec, lookup.clientId);
  if (envNote) notes.push(envNote);
  if (blocker) notes.push(`No fix: ${blocker}.`);
  else if (!fix && edits.length > 0) notes.push('No fix: the manifest cannot be edited here without touching template text or its layout.');
  const done = !blocker && edits.length === 0;
  return {
    related,
    fix,
    message:
      `${subject} binds a pod identity through aadpodidbinding "${selector ?? ''}"` +
      (chart ? ` (${rawText(t, podPair.value as Scalar)} in ${chart.from})` : '') +
      `${identity} ` +
      (done
        ? `It already has the ${WI_USE} label and an annotated service account.`
        : `Workload identity needs the label ${WI_USE}: "true" and a service account annotated with the identity's client id.`) +
      (notes.length ? ` ${notes.join(' ')}` : ''),
  };
}

/** Where kustomize renders the pod: its places as a resource, or the objects it patches; undefined outside kustomize. */
function placesOfPod(ctx: RuleContext, obj: K8sObject): Place[] | undefined {
  const model = ctx.index.kustomize;
  if (isPatchDocument(ctx)) return model.targetsOf(obj);
  const places = model.placesOf(obj);
  return places.length ? places : undefined;
}

/**
 * The migration of a pod that kustomize builds: per build, its label's identity in that build,
 * and the account that must carry that build's client id (see pod-identity-kustomize.ts).
 */
function planBuiltMigration(ctx: RuleContext, pod: LabelledPod, places: Place[], subject: string): Migration {
  const { t, obj, site, podLabels, podPair, own } = pod;
  let keep = pod.keep;
  if (places.length === 0) {
    return {
      related: [],
      message: `${subject} is a kustomize patch whose target is not in the workspace (a remote base?), so what the pod runs as is unknown. ` +
        `No fix: replace the label with ${WI_USE}: "true" and annotate the pod's service account with ${WI_CLIENT_ID} by hand.`,
    };
  }
  const plans = plansOf(ctx, places, site);
  keep ||= places.some((p) => valueIn(p.bo, [...site.path.slice(0, -1), 'selector', 'matchLabels', LABEL_POD_IDENTITY]) !== undefined);
  const labels = replaceLabel(t, obj, podLabels, podPair, own, keep);
  const edits: Planned = [...labels.edits];
  const notes: string[] = labels.note ? [labels.note] : [];
  let blocker: string | undefined;
  if (anchored(podLabels, podPair.value, own?.labels, site.spec)) blocker = 'the labels or pod spec carry a YAML anchor that other nodes may alias';
  blocker ??= withSidecar(ctx, t, site, edits);
  // A patch keeps the account its target already runs as: overriding it would drop that account's RBAC.
  const patched = places.every((p) => p.applied);
  const inherited = patched ? [...new Set(places.map((p) => accountIn(p, site, true)))] : [];
  let account: string | undefined;
  if (patched && inherited.length === 1 && inherited[0] && !site.spec?.has('serviceAccountName')) {
    account = inherited[0];
    notes.push(`The patch keeps the account its target runs as (${account}).`);
  } else {
    const planned = planServiceAccountName(t, site, bindingLabelIn(places[0], site));
    if (planned.problem) blocker ??= planned.problem;
    if (planned.templated) blocker ??= 'its service account name is templated';
    edits.push(...planned.edits);
    account = planned.name;
  }
  const accounts = account && !blocker ? planAccounts(ctx, t, plans, account, (p) => p.applied?.by ?? p.bo.chain[0]) : undefined;
  if (accounts) {
    edits.push(...accounts.edits);
    notes.push(...accounts.notes);
  }
  const fix = blocker
    ? undefined
    : ctx.fix({ title: migrateTitle(ctx, t, obj), label: fixLabel('Migrate', ctx.index, obj), edits, needsInput: accounts?.placeholder, creates: accounts?.creates });
  if (accounts?.placeholder && fix) notes.push(`Where the client id could not be found, the fix writes the placeholder ${PLACEHOLDER_CLIENT_ID} to fill in.`);
  const done = !blocker && edits.length === 0;
  if (blocker) notes.push(`No fix: ${blocker}.`);
  else if (!fix && !done) notes.push('No fix: a file it would edit cannot be edited safely here.');
  const builds = plans.map((p) => {
    const found = p.lookup.clientId ? `${identityName(p.lookup.identity!)} (client id ${p.lookup.clientId})` : p.lookup.problem;
    return `in ${relativeLeaf(p.place.build.leaf)} (namespace ${p.namespace}): ${found}`;
  });
  return {
    related: plans.flatMap((p) => p.lookup.related),
    fix,
    message:
      `${subject} binds a pod identity through aadpodidbinding "${scalarString(podPair.value) ?? ''}"; kustomize builds it ${plans.length === 1 ? 'once' : `${plans.length} times`}: ${builds.join('; ')}. ` +
      (done
        ? `It already has the ${WI_USE} label and, in each build, a service account annotated with that build's client id.`
        : `Workload identity needs the label ${WI_USE}: "true" and, in each build, a service account annotated with that build's client id.`) +
      (notes.length ? ` ${notes.join(' ')}` : ''),
  };
}

/**
 * The pod template's `aadpodidbinding` becomes the `use` label on the same line (or goes, when the
 * `use` label is there already); when the workload's selector uses it, it stays and the `use`
 * label is added beside it. Otherwise it also leaves the workload's own labels.
 */
function replaceLabel(t: EditTarget, obj: K8sObject, podLabels: YAMLMap, podPair: LabelPair, own: OwnLabel | undefined, keep: boolean, templated = false): { edits: Planned; note?: string } {
  const edits: Planned = [];
  const use = pairOf(podLabels, WI_USE);
  let note: string | undefined;
  if (keep) {
    if (!use) edits.push(insertPair(t, podLabels, WI_USE, USE_TRUE));
    note = `The label stays on the pod template because the ${obj.kind}'s selector uses it (a selector cannot change); drop it when the ${obj.kind} is recreated with a new selector.`;
  } else {
    const edit = use ? removePair(t, podLabels, podPair) : replacePair(t, podPair, WI_USE, USE_TRUE);
    // A templated value read from the chart's values goes with its actions: the `use` label is written literally.
    edits.push(edit && templated ? { ...edit, replacesActions: true } : edit);
  }
  if (own) edits.push(removeLabel(t, own));
  return { edits, note };
}

/**
 * That ServiceAccount gets the client id (and tenant id) in its own file when it is in the
 * workspace; otherwise a new annotated ServiceAccount is created beside the workload.
 */
function annotateOrCreateAccount(
  ctx: RuleContext,
  t: EditTarget,
  obj: K8sObject,
  name: string,
  lookup: IdentityLookup,
): { edits: Planned; related: RelatedLocation[]; creates: string[]; placeholder: boolean; note?: string } {
  const namespace = ctx.index.namespaceOf(obj);
  const fact = ctx.index.serviceAccount(namespace, name);
  if (fact) {
    const annotated = annotateAccount(ctx, fact, lookup);
    return { ...annotated, related: [{ file: fact.file, start: fact.start, end: fact.end, message: `ServiceAccount ${namespace}/${name}` }], creates: [] };
  }
  // A chart template: the client id becomes a chart value, rendered by a new template.
  const namespaceNode = metadataOf(obj)?.get('namespace', true);
  const chartAccount = t.file.masked.actions.length > 0 ? newChartAccount(ctx, t, isScalar(namespaceNode) ? namespaceNode : undefined, name, lookup) : undefined;
  if (chartAccount) {
    const label = serviceAccountLabel('Create', namespace, name);
    return { edits: chartAccount.edits.map((e) => e && { ...e, label }), related: [], creates: [...chartAccount.creates, serviceAccountKey(namespace, name)], placeholder: chartAccount.placeholder, note: chartAccount.note };
  }
  const created = appendServiceAccount(t, { name, namespace, writeNamespace: obj.namespace !== undefined, clientId: lookup.clientId, tenantId: lookup.tenantId, resourceId: lookup.identity?.resourceID }, ctx.index);
  return {
    edits: [{ ...created, label: serviceAccountLabel('Create', namespace, name) }],
    related: [],
    creates: [serviceAccountKey(namespace, name)],
    placeholder: !lookup.clientId,
  };
}

interface AccountPlan {
  name: string | undefined;
  templated: boolean;
  edits: Planned;
  problem?: string;
}

/** Keeps a named account; otherwise names one after the label value (replacing `default`). */
function planServiceAccountName(t: EditTarget, site: PodSite, selector: string | undefined): AccountPlan {
  const spec = site.spec;
  if (!spec) return { name: undefined, templated: false, edits: [], problem: 'the pod has no spec' };
  const pairs = ['serviceAccountName', 'serviceAccount'].flatMap((k) => {
    const p = pairOf(spec, k);
    return p ? [p] : [];
  });
  if (pairs.some((p) => templatedNode(t, p.value))) return { name: undefined, templated: true, edits: [] };
  const named = pairs.map((p) => scalarString(p.value)).find((n) => n !== undefined && n !== '' && n !== 'default');
  if (named) return { name: named, templated: false, edits: [] };
  const name = dns1123(selector ?? '');
  if (!name) return { name: undefined, templated: false, edits: [], problem: 'the label value cannot name a service account' };
  const text = scalarText(name);
  const edits = pairs.length
    ? pairs.map((p) => isScalar(p.value) && p.value.value !== null ? replaceScalar(t, p.value, name) : replacePair(t, p, String(p.key.value), text))
    : [insertPair(t, spec, 'serviceAccountName', text, 'first')];
  return { name, templated: false, edits };
}

/** Adds (or corrects) the client id annotation of an account in the workspace, in its own file. */
function annotateAccount(ctx: RuleContext, fact: ServiceAccountFact, lookup: IdentityLookup): { edits: Planned; placeholder: boolean } {
  // An account in the workload's own file is edited through that file (same text): no parse of the documents the pre-scan skipped.
  const file = fact.file === ctx.file.path ? ctx.file : ctx.index.file(fact.file);
  const account = file && objectAt(file, fact.start, 'ServiceAccount');
  const result = account && annotateServiceAccount({ file, doc: account.doc }, account, lookup);
  if (!file || !result || 'unsafe' in result) return { edits: [undefined], placeholder: false };
  // Its own group: the account may serve other workloads too.
  const label = serviceAccountLabel('Annotate', fact.namespace, fact.name);
  return { edits: result.edits.map((e) => ({ ...e, file: file.path, label })), placeholder: result.placeholder };
}

function migrateTitle(ctx: RuleContext, t: EditTarget, obj: K8sObject): string {
  return `Migrate ${obj.kind} ${displayName(t, obj)} to workload identity${ctx.options.proxySidecar ? PROXY_SIDECAR_TITLE : ''}`;
}

/** With the `proxySidecar` option: adds the sidecar's annotations to `edits`, or says why it cannot. */
function withSidecar(ctx: RuleContext, t: EditTarget, site: PodSite, edits: Planned): string | undefined {
  if (!ctx.options.proxySidecar) return undefined;
  const sidecar = proxySidecarEdits(t, site);
  edits.push(...sidecar.edits);
  return sidecar.problem;
}

/** A hard-coded AZURE_CLIENT_ID wins over the one the webhook injects. */
function hardCodedClientId(spec: YAMLMap | undefined, clientId: string | undefined): string | undefined {
  for (const { container, value } of envEntries(spec, 'AZURE_CLIENT_ID')) {
    const text = scalarString(value);
    if (text !== undefined && text.toLowerCase() !== clientId?.toLowerCase()) {
      return `Container ${scalarString(container.get('name', true)) ?? ''} hard-codes AZURE_CLIENT_ID "${text}", which the webhook does not override: remove it or set it to the identity's client id.`;
    }
  }
  return undefined;
}

function anchored(...nodes: unknown[]): boolean {
  return nodes.some((n) => (n as { anchor?: string } | null | undefined)?.anchor !== undefined);
}

/** How a message names the pod: "Pod api", "The pod template of Deployment api". */
export function podSubject(t: EditTarget, obj: K8sObject): string {
  return obj.kind === 'Pod' ? `Pod ${displayName(t, obj)}` : `The pod template of ${obj.kind} ${displayName(t, obj)}`;
}

export function displayName(t: EditTarget, obj: K8sObject): string {
  const node = metadataOf(obj)?.get('name', true);
  return templatedNode(t, node) ? '(templated name)' : (obj.name ?? '(unnamed)');
}
