import { YAML_FILE_KINDS } from '../fileKinds';
import { GITOPS_KINDS, inlinePodIdentity, type InlineHit } from '../gitops';
import { mapAt, scalarString, WI_CLIENT_ID, WI_USE } from '../k8s';
import { lookupIdentity } from '../lookup';
import type { K8sObject } from '../model';
import type { Rule, RuleContext } from '../rule';
import { label } from './pod-identity-users';

/**
 * An Argo CD Application, Flux Kustomization or Flux HelmRelease whose inline Helm values or
 * patches carry pod identity. The cluster receives what they render, so the migration has to
 * reach them too; they are edited by hand (the content is often a YAML string inside the object).
 */
export const gitopsPodIdentity: Rule = {
  id: 'gitops-pod-identity',
  description: 'Argo CD Application or Flux Kustomization / HelmRelease whose inline Helm values or patches carry AAD Pod Identity.',
  severity: 'warning',
  kinds: GITOPS_KINDS,
  fileKinds: YAML_FILE_KINDS,
  fixable: false,
  check(ctx) {
    for (const obj of ctx.objects) {
      for (const hit of inlinePodIdentity(ctx.file, obj)) {
        const lookup = hit.value !== undefined && (hit.kind === 'label' || hit.kind === 'keda-chart') ? lookupIdentity(ctx.index, hit.value, targetNamespace(ctx, obj)) : undefined;
        ctx.report({
          start: hit.start,
          end: hit.end,
          deprecated: true,
          message: `${label({ kind: obj.kind, name: obj.name, namespace: ctx.index.namespaceOf(obj) })} carries AAD Pod Identity inline in ${hit.where}: ${what(hit, lookup?.clientId)} ` +
            'No automatic fix: edit the inline values or patch by hand (the rendered objects are what the cluster receives).',
          related: lookup?.related,
        });
      }
    }
  },
};

/** The namespace the object deploys into: Argo CD's destination, Flux's targetNamespace, else its own. */
function targetNamespace(ctx: RuleContext, obj: K8sObject): string {
  const spec = mapAt(obj.node, ['spec']);
  const destination = spec ? (mapAt(spec, ['destination'])?.get('namespace', true) ?? spec.get('targetNamespace', true)) : undefined;
  return scalarString(destination) ?? ctx.index.namespaceOf(obj);
}

function what(hit: InlineHit, clientId: string | undefined): string {
  const id = clientId ? ` (client id ${clientId}, found through its binding)` : '';
  switch (hit.kind) {
    case 'label':
      return `the label aadpodidbinding${hit.value !== undefined ? `: ${hit.value}` : ''} binds the rendered pods to a pod identity${id}. ` +
        `Replace it with ${WI_USE}: "true" and run the pods under a service account annotated with ${WI_CLIENT_ID}.`;
    case 'csi':
      return 'usePodIdentity: "true" makes a SecretProviderClass read Key Vault through pod identity. Set it to "false" and set clientID to the managed identity\'s client id.';
    case 'agic':
      return 'armAuth.type: aadPodIdentity makes the Application Gateway Ingress Controller use pod identity. Use armAuth.type: workloadIdentity with armAuth.identityClientID.';
    case 'keda-provider':
      return 'podIdentity provider "azure" is KEDA\'s pod identity provider (removed in KEDA 2.15). Use provider: azure-workload.';
    case 'keda-chart':
      return `podIdentity.activeDirectory.identity: ${hit.value ?? ''} makes the KEDA chart label its operator aadpodidbinding${id}. ` +
        'Clear it and set podIdentity.azureWorkload.enabled: true with clientId.';
  }
}
