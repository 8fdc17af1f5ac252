import { isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { FileEdit, TextEdit } from '../edits';
import {
  dns1123,
  envEntries,
  labelSelectorsOf,
  labelsOf,
  LABEL_POD_IDENTITY,
  mapAt,
  metadataOf,
  pairOf,
  PLACEHOLDER_CLIENT_ID,
  podSiteOf,
  scalarString,
  selectorHits,
  WI_CLIENT_ID,
  WI_USE,
  WORKLOAD_KINDS,
  type PodSite,
} from '../k8s';
import { annotateServiceAccount, appendServiceAccount, serviceAccountKey } from '../service-account';
import { fixLabel, serviceAccountLabel } from '../labels';
import { lookupIdentity, type IdentityLookup } from '../lookup';
import { rangeOf, type K8sObject } from '../model';
import type { Fix, RelatedLocation, Rule, RuleContext } from '../rule';
import type { ServiceAccountFact } from '../workspace';
import {
  insertPair,
  removePair,
  replacePair,
  replaceScalar,
  scalarText,
  templatedNode,
  type EditTarget,
} from '../yaml-edit';

/** Kinds that select pods by label without having pods of their own. */
const SELECTOR_KINDS = ['Service', 'NetworkPolicy', 'PodDisruptionBudget'];
const USE_TRUE = '"true"';

type LabelPair = Pair<Scalar, Node | null>;
/** Edits of one fix; `undefined` entries are edits that could not be made safely. */
type Planned = Array<TextEdit | FileEdit | undefined>;

/**
 * The pod label `aadpodidbinding` is what binds a pod to its AAD Pod Identity. Its workload
 * identity replacement is the label `azure.workload.identity/use: "true"` plus a named service
 * account annotated with the identity's client id, which the fix writes (in another file if the
 * account lives there, in a new document otherwise).
 */
export const podIdentityLabel: Rule = {
  id: 'pod-identity-label',
  description: '`aadpodidbinding` label on a pod or pod template (or on a workload, where it does nothing).',
  severity: 'warning',
  kinds: [...WORKLOAD_KINDS, ...SELECTOR_KINDS],
  fixable: true,
  check(ctx) {
    for (const obj of ctx.objects) {
      const site = podSiteOf(obj);
      if (site) checkWorkload(ctx, obj, site);
      reportSelectors(ctx, obj, site);
    }
  },
};

function checkWorkload(ctx: RuleContext, obj: K8sObject, site: PodSite): void {
  const podLabels = labelsOf(site.metadata);
  const podPair = podLabels ? pairOf(podLabels, LABEL_POD_IDENTITY) : undefined;
  const ownMeta = metadataOf(obj);
  const ownLabels = ownMeta !== site.metadata ? labelsOf(ownMeta) : undefined;
  const ownPair = ownLabels ? pairOf(ownLabels, LABEL_POD_IDENTITY) : undefined;
  if (!podPair && !ownPair) return;
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  const keep = selectorRequiresLabel(obj, site);
  // A templated own label stays: removing it would delete template text.
  const ownTemplated = ownPair !== undefined && templatedNode(t, ownPair.value);
  const own = ownMeta && ownPair && ownLabels && !keep && !ownTemplated ? { meta: ownMeta, labels: ownLabels, pair: ownPair } : undefined;
  const title = `${obj.kind} ${displayName(t, obj)}`;

  let migrationFix: Fix | undefined;
  if (podPair && podLabels) {
    const m = planMigration(ctx, t, obj, site, podLabels, podPair, own, keep);
    migrationFix = m.fix;
    ctx.report({ ...pairRange(t, podPair), message: m.message, deprecated: true, related: m.related, fix: m.fix });
  }
  if (ownPair && ownLabels) {
    const where = site.path.length ? `${site.path.join('.')}.metadata.labels` : 'metadata.labels';
    const removal = own ? ctx.fix({ title: `Remove aadpodidbinding from ${title}`, label: fixLabel('Migrate', ctx.index, obj), edits: [removeLabel(t, own)] }) : undefined;
    ctx.report({
      ...pairRange(t, ownPair),
      deprecated: true,
      message:
        `aadpodidbinding on the ${obj.kind}'s own labels does nothing: pod identity reads only pod labels (${where}).` +
        (keep
          ? ' The fix keeps it while the selector uses aadpodidbinding.'
          : ownTemplated
            ? ' Its value is templated, so no fix removes it: remove it in the chart.'
            : migrationFix
              ? ' The migration fix of the pod template removes it.'
              : ' Remove it.'),
      fix: own ? (migrationFix ?? removal) : undefined,
    });
  }
}

/** aadpodidbinding among the workload's own labels (not the pod's). */
interface OwnLabel {
  meta: YAMLMap;
  labels: YAMLMap;
  pair: LabelPair;
}

/** Removes the label, and `labels:` with it when nothing else is left in it. */
function removeLabel(t: EditTarget, own: OwnLabel): TextEdit | undefined {
  const labelsPair = own.labels.items.length === 1 ? pairOf(own.meta, 'labels') : undefined;
  return labelsPair ? removePair(t, own.meta, labelsPair) : removePair(t, own.labels, own.pair);
}

interface Migration {
  message: string;
  related: RelatedLocation[];
  fix?: Fix;
}

function planMigration(
  ctx: RuleContext,
  t: EditTarget,
  obj: K8sObject,
  site: PodSite,
  podLabels: YAMLMap,
  podPair: LabelPair,
  own: OwnLabel | undefined,
  keep: boolean,
): Migration {
  const subject = obj.kind === 'Pod' ? `Pod ${displayName(t, obj)}` : `The pod template of ${obj.kind} ${displayName(t, obj)}`;
  if (templatedNode(t, podPair.value) || templatedNode(t, podPair.key)) {
    return {
      related: [],
      message:
        `${subject} binds a pod identity through a templated aadpodidbinding label, so its identity is unknown. ` +
        `No fix: it would have to rewrite template text. In the chart, replace the label with ${WI_USE}: "true" and run the pod ` +
        `under a service account annotated with ${WI_CLIENT_ID}.`,
    };
  }
  const selector = scalarString(podPair.value);
  const namespaceNode = metadataOf(obj)?.get('namespace', true);
  const namespace = ctx.index.namespaceOf(obj);
  const lookup = lookupIdentity(ctx.index, selector, namespace);
  const notes: string[] = [];
  let blocker: string | undefined;
  const block = (why: string) => (blocker ??= why);

  // 1-2. Labels: the `use` label in place of aadpodidbinding, unless the selector needs it.
  const edits: Planned = [];
  const use = pairOf(podLabels, WI_USE);
  if (keep) {
    if (!use) edits.push(insertPair(t, podLabels, WI_USE, USE_TRUE));
    notes.push(`The label stays on the pod template because the ${obj.kind}'s selector uses it (a selector cannot change); drop it when the ${obj.kind} is recreated with a new selector.`);
  } else {
    edits.push(use ? removePair(t, podLabels, podPair) : replacePair(t, podPair, WI_USE, USE_TRUE));
  }
  if (own) edits.push(removeLabel(t, own));
  if (anchored(podLabels, podPair.value, own?.labels, site.spec)) block('the labels or pod spec carry a YAML anchor that other nodes may alias');

  // 3. A named service account.
  const account = planServiceAccountName(t, site, selector);
  edits.push(...account.edits);
  if (account.problem) block(account.problem);
  if (templatedNode(t, namespaceNode)) block('the namespace is templated');

  // 4-5. The account carries the client id: annotated where it is, or created in this file.
  const related = [...lookup.related];
  let placeholder = false;
  const creates: string[] = [];
  if (account.name && !account.templated && !blocker) {
    const fact = ctx.index.serviceAccount(namespace, account.name);
    if (fact) {
      related.push({ file: fact.file, start: fact.start, end: fact.end, message: `ServiceAccount ${namespace}/${account.name}` });
      const annotated = annotateAccount(ctx, fact, lookup);
      edits.push(...annotated.edits);
      placeholder = annotated.placeholder;
    } else {
      const created = appendServiceAccount(t, { name: account.name, namespace, writeNamespace: obj.namespace !== undefined, clientId: lookup.clientId, tenantId: lookup.tenantId }, ctx.index);
      edits.push({ ...created, label: serviceAccountLabel('Create', namespace, account.name) });
      creates.push(serviceAccountKey(namespace, account.name));
      placeholder = !lookup.clientId;
    }
  } else if (account.templated) {
    notes.push(`Its service account name is templated: annotate that account with ${WI_CLIENT_ID}${lookup.clientId ? ` "${lookup.clientId}"` : ''} in the chart.`);
  }

  const identity = lookup.clientId
    ? `; it maps to AzureIdentity ${lookup.identity!.namespace}/${lookup.identity!.name} (client id ${lookup.clientId}).`
    : `; ${lookup.problem}.`;
  const fix = blocker
    ? undefined
    : ctx.fix({ title: `Migrate ${obj.kind} ${displayName(t, obj)} to workload identity`, label: fixLabel('Migrate', ctx.index, obj), edits, needsInput: placeholder, creates });
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
      `${subject} binds a pod identity through aadpodidbinding "${selector ?? ''}"${identity} ` +
      (done
        ? `It already has the ${WI_USE} label and an annotated service account.`
        : `Workload identity needs the label ${WI_USE}: "true" and a service account annotated with the identity's client id.`) +
      (notes.length ? ` ${notes.join(' ')}` : ''),
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
  const file = ctx.index.file(fact.file);
  const result = file && annotateServiceAccount({ file, doc: fact.object.doc }, fact.object, lookup);
  if (!file || !result || 'unsafe' in result) return { edits: [undefined], placeholder: false };
  // Its own group: the account may serve other workloads too.
  const label = serviceAccountLabel('Annotate', fact.namespace, fact.name);
  return { edits: result.edits.map((e) => ({ ...e, file: file.path, label })), placeholder: result.placeholder };
}

/** True when the workload's selector needs the pod label (selectors are immutable). */
function selectorRequiresLabel(obj: K8sObject, site: PodSite): boolean {
  if (site.path.length === 0) return false;
  const selector = mapAt(obj.node, [...site.path.slice(0, -1), 'selector']);
  return selector !== undefined && selectorHits(selector, LABEL_POD_IDENTITY, obj.kind === 'ReplicationController').length > 0;
}

/**
 * aadpodidbinding in a label selector is not a pod identity usage; it only stops matching once
 * the pods lose the label. The workload's own selector is covered by the pod template finding.
 */
function reportSelectors(ctx: RuleContext, obj: K8sObject, site: PodSite | undefined): void {
  const own = site && site.path.length ? mapAt(obj.node, [...site.path.slice(0, -1), 'selector']) : undefined;
  for (const { key, selector } of labelSelectorsOf(obj.node)) {
    const hit = selector !== own ? selectorHits(selector, LABEL_POD_IDENTITY, key === 'selector')[0] : undefined;
    if (!hit) continue;
    ctx.report({
      node: hit,
      severity: 'info',
      message:
        `This ${key} matches pods on their aadpodidbinding label, which is a pod identity label, not a binding. ` +
        'Pods migrated to workload identity lose that label and this selector then stops matching them: select on another label.',
    });
  }
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

function pairRange(t: EditTarget, pair: LabelPair): { start: number; end: number } {
  const [start] = rangeOf(t.doc, pair.key);
  const end = pair.value ? rangeOf(t.doc, pair.value)[1] : rangeOf(t.doc, pair.key)[1];
  return { start, end };
}

function displayName(t: EditTarget, obj: K8sObject): string {
  const node = metadataOf(obj)?.get('name', true);
  return templatedNode(t, node) ? '(templated name)' : (obj.name ?? '(unnamed)');
}
