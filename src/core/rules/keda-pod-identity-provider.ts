import { YAML_FILE_KINDS } from '../fileKinds';
import { isScalar, type Node, type YAMLMap } from 'yaml';
import { pairOf, scalarString } from '../k8s';
import { azureProvider, podIdentityBlocks } from '../keda';
import { fixLabel } from '../labels';
import type { K8sObject } from '../model';
import type { Rule, RuleContext } from '../rule';
import { rawText, removePair, replaceScalar, templatedNode, type EditTarget } from '../yaml-edit';
import { chartOf, isTemplateOf, renderedFrom, renderScalar } from '../chart';
import type { FileEdit } from '../edits';

const OPERATOR_NOTE =
  'With azure-workload, the KEDA operator, not your app, requests the token: federate the managed identity with the KEDA operator\'s ' +
  'service account (AKS add-on: system:serviceaccount:kube-system:keda-operator; Helm install: the keda-operator service account of the namespace KEDA runs in), ' +
  'and give that service account the azure.workload.identity/client-id annotation (Helm: podIdentity.azureWorkload.enabled, clientId, tenantId).';

/**
 * KEDA's `azure` pod-identity provider was deprecated in KEDA 2.13 and removed in 2.15, which
 * rejects it; `azure-workload` (KEDA 2.8+) replaces it. KEDA 2.12+ also rejects an empty
 * `identityId` when the key is present.
 */
export const kedaPodIdentityProvider: Rule = {
  id: 'keda-pod-identity-provider',
  description: 'KEDA TriggerAuthentication uses the removed `azure` pod identity provider.',
  severity: 'error',
  kinds: ['TriggerAuthentication', 'ClusterTriggerAuthentication'],
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    for (const obj of ctx.objects) {
      for (const { block, where, keda1 } of podIdentityBlocks({ file: ctx.file, doc: ctx.doc }, obj)) checkBlock(ctx, obj, block, where, keda1);
    }
  },
};

function checkBlock(ctx: RuleContext, obj: K8sObject, block: YAMLMap, where: string, keda1: boolean): void {
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  const provider = azureProvider(t, block);
  const identity = pairOf(block, 'identityId');
  const name = `${obj.kind} ${obj.name ?? ''}`.trim();
  // Both fixes are part of one move to azure-workload.
  const label = fixLabel('Migrate', ctx.index, obj, 'to azure-workload');
  if (provider) {
    const identityId = scalarString(identity?.value);
    const edit = keda1 ? undefined : replaceScalar(t, provider, 'azure-workload');
    ctx.report({
      node: provider,
      deprecated: true,
      message:
        `${name} uses the pod identity provider "azure" in ${where}: KEDA deprecated it in 2.13 and 2.15 rejects it. ` +
        (keda1
          ? 'This is KEDA 1.x (keda.k8s.io/v1alpha1), which has no azure-workload: move to KEDA 2.8+ (apiVersion keda.sh/v1alpha1) and use provider: azure-workload. '
          : 'Use provider: azure-workload (KEDA 2.8+)' + (identityId ? `; identityId ${identityId} stays as the identity's client id. ` : '. ')) +
        OPERATOR_NOTE,
      fix: ctx.fix({ title: 'Use provider azure-workload', label, edits: [edit] }),
    });
  }
  const templated = provider ? undefined : templatedAzureProvider(ctx, t, block);
  if (templated) {
    ctx.report({
      node: templated.node,
      deprecated: true,
      message:
        `${name} uses the pod identity provider "azure" in ${where}: the template renders it from ${templated.from}. KEDA deprecated it in 2.13 and 2.15 rejects it. ` +
        (keda1
          ? 'This is KEDA 1.x (keda.k8s.io/v1alpha1), which has no azure-workload: move to KEDA 2.8+ (apiVersion keda.sh/v1alpha1) and use provider: azure-workload. '
          : `Set ${templated.key} to azure-workload (KEDA 2.8+); the fix changes it where the chart's values set it. `) +
        OPERATOR_NOTE,
      fix: keda1 ? undefined : ctx.fix({ title: `Set ${templated.key} to azure-workload in ${templated.from}`, label, edits: templated.edits }),
    });
  }
  if (identity && isScalar(identity.value) && identity.value.value === '' && !templatedNode(t, identity.value)) {
    // An anchor on the value may be used elsewhere: then the key cannot simply go.
    const edit = identity.value.anchor ? undefined : removePair(t, block, identity);
    ctx.report({
      node: identity.value,
      message:
        `${name} has an empty identityId in ${where}: KEDA 2.12+ rejects an empty identityId when the key is present. ` +
        'Remove the key to use the identity of the KEDA operator\'s service account, or set the managed identity\'s client id.',
      fix: ctx.fix({ title: `Remove the empty identityId from ${name}`, label, edits: [edit] }),
    });
  }
}

/**
 * A templated `provider:` that the chart's values render as `azure` (`provider: {{ .Values.keda.provider }}`):
 * the value is changed where the chart's values files set it to `azure`, when the action is the
 * whole value (a plain reference, possibly quoted or with a default).
 */
function templatedAzureProvider(ctx: RuleContext, t: EditTarget, block: YAMLMap): { node: Node; key: string; from: string; edits: Array<FileEdit | undefined> } | undefined {
  const value = pairOf(block, 'provider')?.value;
  if (!isScalar(value) || !templatedNode(t, value)) return undefined;
  const chart = chartOf(ctx.index, t.file.path);
  if (!chart || !isTemplateOf(chart, t.file.path)) return undefined;
  const text = rawText(t, value);
  const rendered = renderScalar(chart, text);
  if ('problem' in rendered || rendered.value.toLowerCase() !== 'azure' || rendered.refs.length !== 1) return undefined;
  const [{ ref, lookup }] = rendered.refs;
  const key = `.Values.${ref.path.join('.')}`;
  const whole = /^\s*["']?\{\{[^}]*\}\}["']?\s*$/.test(text);
  const sources = lookup.sources.filter((s) => s.value?.toLowerCase() === 'azure');
  // Only the default of `default "azure"` gives it: the fix would have to edit the template.
  const edits = whole && sources.length
    ? sources.map((s) => {
        const e = isScalar(s.pair.value) ? replaceScalar({ file: s.file, doc: s.doc }, s.pair.value, 'azure-workload') : undefined;
        return e && { ...e, file: s.file.path };
      })
    : [undefined];
  return { node: value, key, from: renderedFrom(rendered), edits };
}
