import type { Node, Pair, Scalar, YAMLMap } from 'yaml';
import { withIdentityMarker } from '../addon-fill';
import { YAML_FILE_KINDS } from '../fileKinds';
import { GUID, mapAt, pairOf, PLACEHOLDER_CLIENT_ID, scalarString } from '../k8s';
import { fixLabel } from '../labels';
import { lookupIdentity, type IdentityLookup } from '../lookup';
import type { Rule, RuleContext } from '../rule';
import { insertPair, replaceScalar, templatedNode, type EditTarget } from '../yaml-edit';

/**
 * Key Vault through the Secrets Store CSI driver: `usePodIdentity: "true"` asks the driver for a
 * pod identity token. With workload identity the class names the identity's `clientID` instead.
 */
export const csiPodIdentity: Rule = {
  id: 'csi-pod-identity',
  description: 'SecretProviderClass reads Key Vault through pod identity (usePodIdentity: "true").',
  severity: 'warning',
  kinds: ['SecretProviderClass'],
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    for (const obj of ctx.objects) {
      const params = mapAt(obj.node, ['spec', 'parameters']);
      if (!params) continue;
      const t: EditTarget = { file: ctx.file, doc: ctx.doc };
      const use = usePodIdentity(t, params);
      const clientPair = pairOf(params, 'clientID');
      if (use) {
        const lookup = lookupForClass(ctx, obj.name, ctx.index.namespaceOf(obj));
        const clientId = lookup.clientId ?? PLACEHOLDER_CLIENT_ID;
        // Parameters are a map of strings: the new value is always quoted.
        const edits = [replaceScalar(t, use.value, 'false', 'QUOTE_DOUBLE')];
        if (!clientPair) {
          const insert = insertPair(t, params, 'clientID', JSON.stringify(clientId));
          // A placeholder names the identity it stands for, for "Fill in client ids from Azure".
          edits.push(insert && !lookup.clientId ? withIdentityMarker(insert, ctx.file.text, lookup.identity?.resourceID) : insert);
        }
        ctx.report({
          node: use.value,
          deprecated: true,
          message:
            `SecretProviderClass ${obj.name ?? ''} uses pod identity to reach Key Vault. ` +
            `Set usePodIdentity: "false" and clientID to the managed identity's client id, and run the pod under a service account federated with it` +
            (lookup.clientId ? ` (client id ${lookup.clientId} found through the pods that mount it).` : lookup.problem ? `; ${lookup.problem}.` : '.'),
          related: lookup.related,
          fix: ctx.fix({
            title: lookup.clientId ? `Use workload identity with client id ${lookup.clientId}` : 'Use workload identity (client id to fill in)',
            label: fixLabel('Migrate', ctx.index, obj),
            edits,
            needsInput: !lookup.clientId,
          }),
        });
      }
      const client = scalarString(clientPair?.value);
      if (clientPair && client !== undefined && !GUID.test(client) && !templatedNode(t, clientPair.value)) {
        ctx.report({
          node: clientPair.value,
          message: client === PLACEHOLDER_CLIENT_ID
            ? 'Replace the placeholder with the client id of the managed identity that reads this Key Vault.'
            : `clientID "${client}" is not a GUID: it must be the managed identity's client id.`,
        });
      }
    }
  },
};

/** The pair `usePodIdentity: "true"` (any case, quoted or not) of a class's parameters, unless templated. */
export function usePodIdentity(t: EditTarget, params: YAMLMap): Pair<Scalar, Node | null> | undefined {
  const use = pairOf(params, 'usePodIdentity');
  return use && scalarString(use.value)?.toLowerCase() === 'true' && !templatedNode(t, use.value) ? use : undefined;
}

/** The identity of the pods that mount this class, when they agree on one. */
function lookupForClass(ctx: RuleContext, name: string | undefined, namespace: string): IdentityLookup {
  const pods = name ? ctx.index.podsMountingSecretProviderClass(namespace, name) : [];
  const selectors = [...new Set(pods.map((p) => p.bindingLabel).filter((s): s is string => s !== undefined))];
  if (selectors.length === 1) return lookupIdentity(ctx.index, selectors[0], namespace);
  if (selectors.length > 1) return { ...lookupIdentity(ctx.index, undefined, namespace), problem: 'the pods that mount it use different identities' };
  return { ...lookupIdentity(ctx.index, undefined, namespace), problem: 'no pod in the workspace that mounts it has an aadpodidbinding label' };
}
