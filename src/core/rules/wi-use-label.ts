import { YAML_FILE_KINDS } from '../fileKinds';
import { isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { TextEdit } from '../edits';
import { labelsOf, mapAt, metadataOf, pairOf, podSiteOf, readsAsNonString, scalarString, selectorHits, WI_USE, WORKLOAD_KINDS, type PodSite } from '../k8s';
import { rangeOf, type K8sObject } from '../model';
import { fixLabel, serviceAccountLabel } from '../labels';
import type { Fix, Rule, RuleContext } from '../rule';
import { holdsTemplate, insertAtPath, removeEntry, replaceScalar, templatedNode, type EditTarget } from '../yaml-edit';

/**
 * Workload identity's webhook selects pods by the label `azure.workload.identity/use: "true"` on
 * the pod itself. Anywhere else (an annotation, the ServiceAccount, the workload's own labels, the
 * selector) or with any other value, the pod silently gets no token, or the manifest is rejected.
 */
export const wiUseLabel: Rule = {
  id: 'wi-use-label',
  description: 'azure.workload.identity/use is misplaced (annotation, ServiceAccount, selector, workload labels) or not the string "true".',
  severity: 'warning',
  kinds: [...WORKLOAD_KINDS, 'ServiceAccount'],
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    const t: EditTarget = { file: ctx.file, doc: ctx.doc };
    for (const obj of ctx.objects) {
      if (obj.kind === 'ServiceAccount') checkServiceAccount(ctx, t, obj);
      else checkWorkload(ctx, t, obj);
    }
  },
};

type UsePair = Pair<Scalar, Node | null>;

const TRUTHY = /^(?:true|yes|on|y)$/i;
const FALSY = /^(?:false|no|off|n)$/i;

/** The label's value as written, when it is a scalar whose text is known (not templated). */
function writtenValue(t: EditTarget, node: Node | null): string | undefined {
  if (!isScalar(node) || templatedNode(t, node)) return undefined;
  return scalarString(node) ?? '';
}

/**
 * The value must be the string "true" (or a string saying no: an explicit opt-out is valid).
 * Reports booleans and other spellings; fixes those whose meaning is plain.
 */
function checkValue(ctx: RuleContext, t: EditTarget, pair: UsePair, where: string, label: string): void {
  const value = writtenValue(t, pair.value);
  if (value === undefined || (value === 'true' && !readsAsNonString(pair.value))) return;
  const text = ctx.file.text.slice(...rangeOf(t.doc, pair.value!));
  if (readsAsNonString(pair.value)) {
    const word = TRUTHY.test(text) ? 'true' : FALSY.test(text) ? 'false' : undefined;
    ctx.report({
      node: pair.value,
      message:
        `${WI_USE}: ${text} ${where} is not a string (YAML reads it as a ${word ? 'boolean' : 'number'}), and Kubernetes rejects label values that are not strings. ` +
        (word ? `Quote it: "${word}".` : 'Write "true" to use workload identity.'),
      fix: word ? ctx.fix({ title: `Quote the label value: "${word}"`, label, edits: [replaceScalar(t, pair.value, word, 'QUOTE_DOUBLE')] }) : undefined,
    });
    return;
  }
  if (FALSY.test(value)) return;
  const truthy = TRUTHY.test(value);
  ctx.report({
    node: pair.value,
    message:
      `${WI_USE} is "${value}" ${where}: the webhook only selects pods whose label is exactly "true", so this pod gets no workload identity. ` +
      (truthy ? 'Write "true".' : 'Write "true" to use workload identity, or remove the label.'),
    // A quoted value keeps its quotes; a tagged plain one (`!!str yes`) gets some.
    fix: truthy ? ctx.fix({ title: 'Set the label to "true"', label, edits: [replaceScalar(t, pair.value, 'true', (pair.value as Scalar).type === 'PLAIN' ? 'QUOTE_DOUBLE' : undefined)] }) : undefined,
  });
}

function checkWorkload(ctx: RuleContext, t: EditTarget, obj: K8sObject): void {
  const site = podSiteOf(obj);
  if (!site) return;
  const what = site.path.length === 0 ? 'on the pod' : `on the pod template (${site.path.join('.')})`;
  const podUse = pairIn(labelsOf(site.metadata), WI_USE);
  const label = fixLabel('Migrate', ctx.index, obj);
  if (podUse) checkValue(ctx, t, podUse, what, label);
  checkAnnotation(ctx, t, site, podUse, label);
  if (site.path.length > 0) {
    checkOwnLabels(ctx, t, obj, site, podUse);
    checkSelector(ctx, obj, site);
  }
}

function pairIn(map: YAMLMap | undefined, key: string): UsePair | undefined {
  return map ? pairOf(map, key) : undefined;
}

/** The pod template's labels can take the key: not there yet, and no template action may render it. */
function addToPodLabels(t: EditTarget, site: PodSite): TextEdit | undefined {
  if (holdsTemplate(t, site.template, ['metadata', 'labels'])) return undefined;
  return insertAtPath(t, site.template, ['metadata', 'labels'], WI_USE, '"true"', site.metadata ? 'last' : 'first');
}

/** Since workload identity v1.0.0 the webhook reads `use` only as a label; the annotation does nothing. */
function checkAnnotation(ctx: RuleContext, t: EditTarget, site: PodSite, podUse: UsePair | undefined, label: string): void {
  const annotations = site.metadata ? mapAt(site.metadata, ['annotations']) : undefined;
  const pair = pairIn(annotations, WI_USE);
  if (!pair || !site.metadata) return;
  const value = writtenValue(t, pair.value);
  const optsIn = value !== undefined && TRUTHY.test(value);
  const remove = value === undefined ? undefined : removeEntry(t, site.metadata, 'annotations', pair);
  let fix: Fix | undefined;
  const what = `annotation ${WI_USE} from ${site.owner.kind} ${site.owner.name ?? '(unnamed)'}`;
  if (podUse) fix = ctx.fix({ title: `Remove ${what} (the label is already there)`, label, edits: [remove] });
  else if (optsIn) fix = ctx.fix({ title: `Move ${WI_USE} to the pod labels`, label, edits: [remove, addToPodLabels(t, site)] });
  else if (value !== undefined) fix = ctx.fix({ title: `Remove ${what} (it does nothing)`, label, edits: [remove] });
  ctx.report({
    node: pair.key,
    message:
      `${WI_USE} is written as an annotation; since workload identity v1.0.0 the webhook reads it only as a label on the pod, so this does nothing. ` +
      (podUse ? 'The label is already there: remove the annotation.' : optsIn || value === undefined ? `Move it to the pod's labels as ${WI_USE}: "true".` : 'Remove it.'),
    fix,
  });
}

/** A Deployment's (Job's, …) own labels are not the pod's: the webhook never sees them. */
function checkOwnLabels(ctx: RuleContext, t: EditTarget, obj: K8sObject, site: PodSite, podUse: UsePair | undefined): void {
  const own = pairIn(labelsOf(metadataOf(obj)), WI_USE);
  if (!own) return;
  if (readsAsNonString(own.value)) checkValue(ctx, t, own, `on the ${obj.kind}'s own labels`, fixLabel('Migrate', ctx.index, obj));
  const value = writtenValue(t, own.value);
  if (podUse || value === undefined || !TRUTHY.test(value) || holdsTemplate(t, site.template, ['metadata', 'labels'])) return;
  ctx.report({
    node: own.key,
    message:
      `${WI_USE} is on the ${obj.kind}'s own labels, which the webhook never reads: the pods are not selected. ` +
      `Add it to the pod template's labels (${site.path.join('.')}.metadata.labels).`,
    fix: ctx.fix({ title: `Add ${WI_USE}: "true" to the pod template's labels`, label: fixLabel('Migrate', ctx.index, obj), edits: [addToPodLabels(t, site)] }),
  });
}

/** `selector` sits beside `template` in every workload kind (CronJob: in its jobTemplate's spec). */
function checkSelector(ctx: RuleContext, obj: K8sObject, site: PodSite): void {
  const selector = mapAt(obj.node, [...site.path.slice(0, -1), 'selector']);
  if (!selector) return;
  const keys = selectorHits(selector, WI_USE, obj.kind === 'ReplicationController');
  for (const key of keys) {
    ctx.report({
      node: key,
      message:
        `The ${obj.kind}'s selector includes ${WI_USE}. The selector is immutable: upgrading a release that adds or drops it fails, and ` +
        `turning workload identity on or off must not change which pods the ${obj.kind} owns. Keep ${WI_USE} on the pod template's labels only. ` +
        `Not fixed automatically: removing it from the selector means deleting and re-creating the ${obj.kind}.`,
    });
  }
}

/** `use` on a ServiceAccount does nothing; the pods that run under it need the label. */
function checkServiceAccount(ctx: RuleContext, t: EditTarget, obj: K8sObject): void {
  const metadata = metadataOf(obj);
  if (!metadata) return;
  for (const where of ['labels', 'annotations'] as const) {
    const pair = pairIn(mapAt(metadata, [where]), WI_USE);
    if (!pair) continue;
    const safe = pair.value === null || !templatedNode(t, pair.value);
    ctx.report({
      node: pair.key,
      message:
        `${WI_USE} in a ServiceAccount's ${where} does nothing: the webhook reads it from the pod's labels. ` +
        `Remove it here and add ${WI_USE}: "true" to the labels of the pod templates that run under ${obj.name ?? 'this service account'}.`,
      fix: safe
        ? ctx.fix({ title: `Remove ${where === 'labels' ? 'label' : 'annotation'} ${WI_USE} from ServiceAccount ${obj.name ?? '(unnamed)'}`, label: serviceAccountLabel('Update', ctx.index.namespaceOf(obj), obj.name ?? '(unnamed)'), edits: [removeEntry(t, metadata, where, pair)] })
        : undefined,
    });
  }
}
