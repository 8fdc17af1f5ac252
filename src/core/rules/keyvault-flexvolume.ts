import { YAML_FILE_KINDS } from '../fileKinds';
import { labelsOf, LABEL_POD_IDENTITY, pairOf, podIdentityFlexVolumesOf, podSiteOf, scalarString, WORKLOAD_KINDS, type PodIdentityFlexVolume } from '../k8s';
import { lookupIdentity } from '../lookup';
import type { Rule } from '../rule';
import { templatedNode, type EditTarget } from '../yaml-edit';
import { podSubject } from './pod-identity-migration';

/**
 * The Key Vault FlexVolume (driver `azure/kv`, Azure/kubernetes-keyvault-flexvol, archived) read
 * Key Vault with the pod's AAD Pod Identity when `options.usepodidentity` is "true". Neither has a
 * workload identity mode: the mount moves to the Secrets Store CSI driver's Azure provider.
 */
export const keyvaultFlexvolume: Rule = {
  id: 'keyvault-flexvolume',
  description: 'Legacy Key Vault FlexVolume (driver azure/kv) that reads Key Vault through pod identity (usepodidentity: "true").',
  severity: 'warning',
  kinds: WORKLOAD_KINDS,
  fileKinds: YAML_FILE_KINDS,
  fixable: false,
  check(ctx) {
    const t: EditTarget = { file: ctx.file, doc: ctx.doc };
    for (const obj of ctx.objects) {
      const site = podSiteOf(obj);
      const volumes = site ? podIdentityFlexVolumesOf(site.spec) : [];
      // Most pods mount none: no identity is looked up for them.
      if (!site || volumes.length === 0) continue;
      const labels = labelsOf(site.metadata);
      const binding = labels ? pairOf(labels, LABEL_POD_IDENTITY)?.value : undefined;
      const lookup = lookupIdentity(ctx.index, templatedNode(t, binding) ? undefined : scalarString(binding), ctx.index.namespaceOf(obj));
      const subject = podSubject(t, obj);
      for (const volume of volumes) {
        ctx.report({
          node: volume.use.value ?? volume.use.key,
          deprecated: true,
          message:
            `${subject} mounts Key Vault through the legacy Key Vault FlexVolume (driver azure/kv, volume ${volume.name ?? '(unnamed)'}) with usepodidentity: "true". ` +
            'The FlexVolume driver is archived and gets its token from AAD Pod Identity, so the mount stops working when the pod moves to workload identity. ' +
            `Move it to the Secrets Store CSI driver: ${csiPlan(volume)}, with clientID ` +
            (lookup.clientId ? `${lookup.clientId} (found through the pod's aadpodidbinding label)` : 'set to the managed identity\'s client id') +
            ', and a csi volume (driver secrets-store.csi.k8s.io, volumeAttributes.secretProviderClass) in place of the flexVolume. ' +
            'No automatic fix: the CSI driver and its provider must be installed on the cluster, and mounted file names may differ.',
          related: lookup.related,
        });
      }
    }
  },
};

/** The SecretProviderClass that replaces the volume, from what its options name. */
function csiPlan(volume: PodIdentityFlexVolume): string {
  const option = (key: string) => scalarString(volume.options.get(key, true)) || undefined;
  const vault = option('keyvaultname');
  const objects = option('keyvaultobjectnames');
  const tenant = option('tenantid');
  const params = [
    vault ? `keyvaultName: ${vault}` : undefined,
    objects ? `objects for ${objects.split(';').join(', ')}` : undefined,
    tenant ? `tenantId: ${tenant}` : undefined,
  ].filter((p) => p !== undefined);
  return `a SecretProviderClass (secrets-store.csi.x-k8s.io/v1, provider: azure${params.length ? `, ${params.join(', ')}` : ''})`;
}
