import { SCRIPT_KINDS, scriptOf } from '../scripts';
import { commandHead } from '../scripts/script';
import { podIdentityCommandsOf } from '../scripts/commands';
import { continuationOf, identityParts, migratedAccount, quotedPart, TOKEN_AUDIENCE } from '../scripts/federation';
import type { TextRule } from '../rule';

/**
 * `az aks pod-identity add` creates a pod identity of the AKS-managed add-on. Its workload identity
 * counterpart is a federated credential on the same managed identity for the service account the
 * workload migration gives its pods; the fix writes it in place, keeping the command's variables
 * and line continuations, with the issuer read from the cluster.
 */
export const scriptPodIdentityAdd: TextRule = {
  id: 'script-pod-identity-add',
  description: 'A script or pipeline step creates a pod identity of the AKS-managed add-on (az aks pod-identity add).',
  severity: 'warning',
  input: 'text',
  fileKinds: SCRIPT_KINDS,
  fixable: true,
  check(ctx) {
    const model = scriptOf(ctx.kind, ctx.text);
    for (const c of model ? podIdentityCommandsOf(model) : []) {
      if (c.kind !== 'add') continue;
      const { cmd, options } = c;
      const name = options.get('--name', '-n');
      const namespace = options.get('--namespace');
      const selector = options.get('--binding-selector')?.value ?? name?.value;
      const resourceId = options.get('--identity-resource-id');
      const group = options.get('--resource-group', '-g');
      const cluster = options.get('--cluster-name');
      const who = `pod identity ${namespace?.value ?? namespace?.text ?? '?'}/${name?.value ?? name?.text ?? '?'}`;
      let problem: string | undefined;
      let account: string | undefined;
      if (!name || !namespace || !resourceId || !group || !cluster) problem = 'the command lacks --name, --namespace, --identity-resource-id, --resource-group or --cluster-name';
      else if (selector === undefined || namespace.value === undefined) problem = 'its name (or binding selector) or namespace is not spelled out in the script, so the pods it selects are unknown';
      else ({ name: account, problem } = migratedAccount(ctx.index, selector, namespace.value));
      const parts = resourceId && identityParts(resourceId, cmd.dialect);
      const ns = quotedPart(namespace);
      if (!problem && (!parts || ns === undefined)) problem = 'its resource id or namespace is written in a way the fix cannot reuse';
      const fix =
        problem || !parts
          ? undefined
          : ctx.fix({
              title: 'Replace with a federated credential for the migrated service account',
              label: `Migrate PodIdentity ${namespace!.value}/${name!.value ?? name!.text} to a federated credential for ServiceAccount ${namespace!.value}/${account}`,
              edits: [{ start: cmd.start, end: cmd.end, text: federatedCredential(ctx.text, c.cmd, { name: name!.text, parts, group: group!.text, cluster: cluster!.text, subject: `system:serviceaccount:${ns}:${account}` }) }],
            });
      if (!problem && !fix) problem = 'the command cannot be replaced safely here';
      ctx.report({
        ...commandHead(ctx.text, cmd),
        deprecated: true,
        ...(fix ? { fix } : {}),
        message:
          `az aks pod-identity add creates ${who} of the AKS-managed add-on, which workload identity replaces with a federated credential on the same managed identity` +
          (account ? ` for service account ${namespace!.value}/${account} (the account its pods are migrated to), issued by the cluster's OIDC issuer.` : '.') +
          (problem ? ` No fix: ${problem}.` : ''),
      });
    }
  },
};

function federatedCredential(text: string, cmd: Parameters<typeof continuationOf>[0], f: { name: string; parts: { resourceGroup: string; name: string }; group: string; cluster: string; subject: string }): string {
  const next = continuationOf(cmd, text);
  return [
    `az identity federated-credential create --name ${f.name}`,
    `--identity-name ${f.parts.name} --resource-group ${f.parts.resourceGroup}`,
    `--issuer "$(az aks show --resource-group ${f.group} --name ${f.cluster} --query oidcIssuerProfile.issuerUrl -o tsv)"`,
    `--subject "${f.subject}" --audiences ${TOKEN_AUDIENCE}`,
  ].join(next);
}
