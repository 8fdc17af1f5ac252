import type { YAMLMap } from 'yaml';
import { YAML_FILE_KINDS } from '../fileKinds';
import { labelSelectorsOf, labelsOf, LABEL_POD_IDENTITY, mapAt, metadataOf, pairOf, podSiteOf, POD_FRAGMENT_KIND, selectorHits, WORKLOAD_KINDS, type PodSite } from '../k8s';
import { fixLabel } from '../labels';
import { rangeOf, type K8sObject } from '../model';
import type { Fix, Rule, RuleContext } from '../rule';
import { templatedNode, type EditTarget } from '../yaml-edit';
import { checkFragment } from './pod-identity-fragment';
import { displayName, planMigration, removeLabel, type LabelPair } from './pod-identity-migration';

/** Kinds that select pods by label without having pods of their own. */
const SELECTOR_KINDS = ['Service', 'NetworkPolicy', 'PodDisruptionBudget'];

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
  kinds: [...WORKLOAD_KINDS, ...SELECTOR_KINDS, POD_FRAGMENT_KIND],
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    for (const obj of ctx.objects) {
      if (obj.fragment) {
        checkFragment(ctx, obj, obj.fragment);
        continue;
      }
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
    const m = planMigration(ctx, { t, obj, site, podLabels, podPair, own, keep });
    migrationFix = m.fix;
    ctx.report({ ...pairRange(t, podPair), message: m.message, deprecated: true, related: m.related, fix: m.fix });
  }
  if (ownPair && ownLabels) {
    const where = site.path.length ? `${site.path.join('.')}.metadata.labels` : 'metadata.labels';
    const removal = own ? ctx.fix({ title: `Remove label aadpodidbinding from ${title}`, label: fixLabel('Migrate', ctx.index, obj), edits: [removeLabel(t, own)] }) : undefined;
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
  // A selector that names the label writes it out: when each time the object's text writes it is
  // one of its labels, no selector names it, and the object's tree is not walked.
  // In the document's own text: a search never runs on past it into the rest of the file.
  const [start, end] = obj.node.range ?? [0, 0];
  const text = ctx.doc.source;
  let written = 0;
  for (let i = text.indexOf(LABEL_POD_IDENTITY, start); i >= 0 && i < end; i = text.indexOf(LABEL_POD_IDENTITY, i + 1)) written++;
  const labelled = (meta: YAMLMap | undefined) => {
    const labels = labelsOf(meta);
    return labels && pairOf(labels, LABEL_POD_IDENTITY) ? 1 : 0;
  };
  const ownMeta = metadataOf(obj);
  if (written <= labelled(ownMeta) + (site && site.metadata !== ownMeta ? labelled(site.metadata) : 0)) return;
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

function pairRange(t: EditTarget, pair: LabelPair): { start: number; end: number } {
  const [start] = rangeOf(t.doc, pair.key);
  const end = pair.value ? rangeOf(t.doc, pair.value)[1] : rangeOf(t.doc, pair.key)[1];
  return { start, end };
}
