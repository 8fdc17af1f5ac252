import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { LABEL_POD_IDENTITY, pairOf, scalarString, WI_CLIENT_ID, WI_USE } from '../k8s';
import { readKustomization } from '../kustomize';
import { rangeOf } from '../model';
import { pathKey } from '../paths';
import type { Fix, Rule, RuleContext } from '../rule';
import { jsonLabelFix, labelOf, opSiteInDoc, opSitesInline } from './kustomize-json-patch';
import { labelEntryMigration } from './kustomize-label-fix';
import { inlineStrategicMergeFix } from './kustomize-inline-patch';

/**
 * Pod identity that kustomize itself writes: a `commonLabels`/`labels` entry, an inline patch, or
 * a JSON 6902 patch that puts `aadpodidbinding` on pods. The pods' own files do not show the
 * label, so the label rule cannot see it; this rule reports it where it is written. No fix: a
 * label that kustomize also writes into selectors cannot go without recreating the workloads,
 * and a patch is rewritten together with the account its pods need.
 */
export const kustomizePodIdentity: Rule = {
  id: 'kustomize-pod-identity',
  description: 'A kustomization (commonLabels, labels, inline or JSON 6902 patch) that puts `aadpodidbinding` on pods.',
  severity: 'warning',
  kinds: ['*'],
  fileKinds: ['kustomization', 'manifest'],
  fixable: true,
  check(ctx) {
    if (ctx.file.kind === 'kustomization') checkKustomization(ctx);
    else if (ctx.index.kustomize.patchFiles.has(pathKey(ctx.file.path))) checkJsonPatch(ctx, ctx.doc.yaml.contents);
  },
};

const MIGRATE = `Workload identity needs ${WI_USE}: "true" on the pod template and a service account annotated with ${WI_CLIENT_ID}.`;

function checkKustomization(ctx: RuleContext): void {
  // The model's own reading: fixes match its patches by identity.
  const k = ctx.index.kustomize.kustomizations.find((m) => m.path === ctx.file.path) ?? readKustomization(ctx.file);
  if (!k || k.doc !== ctx.doc) return;
  for (const entry of k.labels) {
    const pair = pairOf(entry.map, LABEL_POD_IDENTITY);
    if (!pair) continue;
    const label = scalarString(pair.value) ?? '';
    const what = entry.includeSelectors ? 'commonLabels (or labels with includeSelectors)' : 'labels';
    const migration = entry.includeTemplates && label ? labelEntryMigration(ctx, k, entry.map, label) : undefined;
    const done = migration && migration.total > 0 && migration.migrated === migration.total;
    ctx.report({
      node: pair.key,
      deprecated: true,
      fix: migration?.fix,
      message:
        `${what} gives every object this kustomization builds the label aadpodidbinding: ${label}, ` +
        (entry.includeSelectors
          ? 'pod templates and selectors included. A Deployment\'s selector cannot change, so removing it here means recreating those workloads. '
          : entry.includeTemplates ? 'pod templates included. ' : 'but not their pods, where pod identity reads it: it binds nothing. ') +
        (done
          ? `Its ${migration.total === 1 ? 'pod is' : `${migration.total} workloads' pods are`} migrated (use label, service account with the client id): drop the label when the workloads may be recreated, and pod identity with it.`
          : migration?.fix
            ? `${MIGRATE} The fix keeps this label (the selectors need it) and adds a patch here that puts the use label on the pod templates (and names an account where a pod runs as default), and gives each build's account its client id.`
            : `${MIGRATE} No fix: add the use label to the pod templates (a patch) and the annotated service account, then drop the label when the workloads may be recreated.`),
    });
  }
  for (const patch of k.patches) {
    const node = isMap(patch.node) ? patch.node.get('patch', true) : patch.node;
    if (patch.inline === undefined || !isScalar(node) || !patch.inline.includes(LABEL_POD_IDENTITY)) continue;
    const ops = opSitesInline(ctx.file, ctx.doc, node).filter(({ op }) => labelOf(op) !== undefined);
    const whole = { start: rangeOf(ctx.doc, node)[0], end: rangeOf(ctx.doc, node)[1] };
    for (const { op, site } of ops) reportOp(ctx, op, site ? { start: site.path[0], end: site.path[1] } : whole, jsonLabelFix(ctx, k, patch, op, site, ctx.file.path));
    if (ops.length) continue;
    const [start, end] = rangeOf(ctx.doc, node);
    const at = ctx.file.text.indexOf(LABEL_POD_IDENTITY, start);
    const fix = inlineStrategicMergeFix(ctx, k, patch, node);
    ctx.report({
      start: at >= 0 && at < end ? at : start,
      end: at >= 0 && at < end ? at + LABEL_POD_IDENTITY.length : end,
      deprecated: true,
      fix,
      message:
        `This inline patch (${patch.field}) puts aadpodidbinding on the pods it targets. ${MIGRATE} ` +
        (fix
          ? `The fix makes the patch set ${WI_USE}: "true" instead (naming an account where its target runs as default) and gives the target's service account each build's client id.`
          : 'No fix: rewrite the patch to set the use label, and give its target\'s service account the client id (a selector that uses the label, or a layout that cannot be edited safely, prevents it here).'),
    });
  }
}

/** A JSON 6902 patch file: operations that add or replace the pod label. */
function checkJsonPatch(ctx: RuleContext, contents: unknown): void {
  if (!isSeq(contents)) return;
  const owners = ctx.index.kustomize.patchFiles.get(pathKey(ctx.file.path)) ?? [];
  const patch = owners.length === 1 ? owners[0].patches.find((p) => p.path !== undefined && pathKey(p.path) === pathKey(ctx.file.path)) : undefined;
  for (const op of contents.items) {
    if (!isMap(op) || !labelOf(op)) continue;
    const site = opSiteInDoc(ctx.file, ctx.doc, op);
    const fix = patch ? jsonLabelFix(ctx, owners[0], patch, op, site, ctx.file.path) : undefined;
    const [start, end] = rangeOf(ctx.doc, op.get('path', true) as Node);
    reportOp(ctx, op, { start, end }, fix);
  }
}

function reportOp(ctx: RuleContext, op: YAMLMap, range: { start: number; end: number }, fix: Fix | undefined): void {
  const verb = scalarString(op.get('op', true)) ?? 'add';
  ctx.report({
    ...range,
    deprecated: true,
    fix,
    message:
      `This JSON 6902 patch ${verb}s the pod label aadpodidbinding. ${MIGRATE} ` +
      (fix
        ? `The fix makes the operation set ${WI_USE}: "true" instead and gives the target's service account each build's client id.`
        : `No fix here: make the operation set ${WI_USE} (path …/labels/${WI_USE.replace('/', '~1')}, value "true") and give its target's service account the client id.`),
  });
}
