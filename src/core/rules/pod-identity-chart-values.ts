import { isMap, isPair, isScalar, visit, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { TextEdit } from '../edits';
import { withIdentityMarker } from '../addon-fill';
import { YAML_FILE_KINDS } from '../fileKinds';
import { mapAt, pairOf, PLACEHOLDER_CLIENT_ID, scalarString } from '../k8s';
import { lookupIdentity } from '../lookup';
import type { ManifestDoc } from '../model';
import type { Rule, RuleContext } from '../rule';
import { insertMapPair, insertPair, replacePair, replaceScalar, templatedNode, type EditTarget } from '../yaml-edit';

/**
 * Helm values that switch a chart to pod identity: the Application Gateway Ingress Controller's
 * `armAuth.type: aadPodIdentity` and KEDA's `podIdentity.activeDirectory.identity`. Only documents
 * without a `kind` are values; umbrella charts nest a subchart's values under its name, so the
 * keys are looked for at any depth.
 */
export const podIdentityChartValues: Rule = {
  id: 'pod-identity-chart-values',
  description: 'Helm chart values (AGIC armAuth, KEDA podIdentity) that switch a chart to AAD Pod Identity.',
  severity: 'warning',
  kinds: ['*'],
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    for (const { map, path } of valuesMapsWithPaths(ctx.doc)) {
      const armAuth = mapAt(map, ['armAuth']);
      if (armAuth) checkAgic(ctx, armAuth, valuesLabel([...path, 'armAuth']));
      const podIdentity = mapAt(map, ['podIdentity']);
      if (podIdentity) checkKeda(ctx, podIdentity, valuesLabel([...path, 'podIdentity']));
    }
  },
};

type AnyPair = Pair<Scalar, Node | null>;

/** Every map of a values document (a document without `kind`), the root first; none for a manifest. */
function valuesMaps(doc: ManifestDoc): YAMLMap[] {
  return valuesMapsWithPaths(doc).map((m) => m.map);
}

/** `valuesMaps`, each with the keys that lead to it. */
function valuesMapsWithPaths(doc: ManifestDoc): Array<{ map: YAMLMap; path: string[] }> {
  const root = doc.yaml.contents;
  if (doc.errors.length > 0 || !isMap(root) || pairOf(root, 'kind')) return [];
  const out: Array<{ map: YAMLMap; path: string[] }> = [];
  // Maps reached through map values only: not through lists, keys or aliases.
  visit(root, {
    Seq: () => visit.SKIP,
    Map(_, map, path) {
      const parent = path[path.length - 1];
      if (isPair(parent) && parent.value !== map) return visit.SKIP;
      out.push({ map, path: path.flatMap((p) => (isPair(p) ? [String(scalarString(p.key) ?? '')] : [])) });
    },
  });
  return out;
}

/** Values are no object: their fixes are labelled by the keys they change ("Migrate chart values keda.podIdentity"). */
function valuesLabel(path: string[]): string {
  return `Migrate chart values ${path.join('.')}`;
}

const quoted = (value: string) => JSON.stringify(value);

/** An empty, null or missing value: a field the chart treats as unset. */
function isUnset(pair: AnyPair | undefined): boolean {
  return !pair || pair.value === null || (isScalar(pair.value) && (pair.value.value === null || pair.value.value === ''));
}

/** Sets `key` to `valueText` when it is missing or empty; leaves a value already written. */
function setIfUnset(t: EditTarget, map: YAMLMap, key: string, valueText: string): TextEdit | undefined | null {
  const pair = pairOf(map, key);
  if (!isUnset(pair)) return null;
  return pair ? replacePair(t, pair, key, valueText) : insertPair(t, map, key, valueText);
}

function checkAgic(ctx: RuleContext, armAuth: YAMLMap, label: string): void {
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  const type = pairOf(armAuth, 'type');
  const clientPair = pairOf(armAuth, 'identityClientID');
  const typeValue = scalarString(type?.value);
  if (type && typeValue === 'aadPodIdentity' && !templatedNode(t, type.value)) {
    const client = setIfUnset(t, armAuth, 'identityClientID', quoted(PLACEHOLDER_CLIENT_ID));
    ctx.report({
      node: type.value,
      deprecated: true,
      message:
        'armAuth.type: aadPodIdentity makes the Application Gateway Ingress Controller reach ARM through AAD Pod Identity, which is deprecated. ' +
        'Use armAuth.type: workloadIdentity with armAuth.identityClientID set to the managed identity\'s client id, and add a federated credential ' +
        'on that identity for the ingress controller\'s service account.',
      fix: ctx.fix({
        title: 'Use AGIC workload identity (armAuth.type: workloadIdentity)',
        label,
        edits: [replaceScalar(t, type.value, 'workloadIdentity'), ...(client === null ? [] : [client])],
      }),
    });
  }
  if (typeValue === 'workloadIdentity') reportPlaceholder(ctx, clientPair, 'armAuth.identityClientID');
}

/**
 * The KEDA chart's pod identity switches in a values document: `podIdentity.activeDirectory.identity`
 * values, each the `aadpodidbinding` label the chart gives the KEDA operator (so a binding's user).
 */
export function kedaPodIdentitySelectors(doc: ManifestDoc): Scalar[] {
  return valuesMaps(doc).flatMap((map) => {
    const value = kedaIdentityPair(mapAt(map, ['podIdentity']))?.value;
    return isScalar(value) && scalarString(value) ? [value] : [];
  });
}

function kedaIdentityPair(podIdentity: YAMLMap | undefined): AnyPair | undefined {
  const activeDirectory = podIdentity ? mapAt(podIdentity, ['activeDirectory']) : undefined;
  return activeDirectory ? pairOf(activeDirectory, 'identity') : undefined;
}

function checkKeda(ctx: RuleContext, podIdentity: YAMLMap, label: string): void {
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  const identity = kedaIdentityPair(podIdentity);
  const selector = scalarString(identity?.value);
  const workload = pairOf(podIdentity, 'azureWorkload');
  if (identity && selector && !templatedNode(t, identity.value)) {
    // The chart labels the operator `aadpodidbinding: <identity>`: follow it to the identity's client id.
    const lookup = lookupIdentity(ctx.index, selector, ctx.options.defaultNamespace);
    const clientId = quoted(lookup.clientId ?? PLACEHOLDER_CLIENT_ID);
    const tenantId = lookup.clientId && lookup.tenantId ? quoted(lookup.tenantId) : undefined;
    // A placeholder names the identity it stands for, for "Fill in client ids from Azure".
    const named = (e: TextEdit | undefined) => (e && !lookup.clientId ? withIdentityMarker(e, ctx.file.text, lookup.identity?.resourceID) : e);
    const edits = [replaceScalar(t, identity.value, '', 'QUOTE_DOUBLE'), ...azureWorkloadEdits(t, podIdentity, workload, clientId, tenantId).map(named)];
    ctx.report({
      node: identity.value,
      deprecated: true,
      message:
        `podIdentity.activeDirectory.identity: ${selector} makes the KEDA chart label its operator aadpodidbinding: ${selector} (AAD Pod Identity, deprecated). ` +
        'Clear it and set podIdentity.azureWorkload.enabled: true with clientId (and tenantId) of the managed identity, federated with the ' +
        'KEDA operator\'s service account (system:serviceaccount:<KEDA\'s namespace>:keda-operator)' +
        (lookup.clientId ? ` (client id ${lookup.clientId} found through the binding with selector ${selector}).` : lookup.problem ? `; ${lookup.problem}.` : '.'),
      related: lookup.related,
      fix: ctx.fix({ title: lookup.clientId ? `Use KEDA workload identity with client id ${lookup.clientId}` : 'Use KEDA workload identity (client id to fill in)', label, edits }),
    });
  }
  const azureWorkload = mapAt(podIdentity, ['azureWorkload']);
  if (azureWorkload && scalarString(pairOf(azureWorkload, 'enabled')?.value) === 'true') {
    reportPlaceholder(ctx, pairOf(azureWorkload, 'clientId'), 'podIdentity.azureWorkload.clientId');
  }
}

/** Edits that turn on `podIdentity.azureWorkload` with a client id; `[undefined]` when that cannot be done safely. */
function azureWorkloadEdits(t: EditTarget, podIdentity: YAMLMap, workload: AnyPair | undefined, clientId: string, tenantId: string | undefined): Array<TextEdit | undefined> {
  if (!workload) {
    const entries: Array<[string, string]> = [['enabled', 'true'], ['clientId', clientId], ...(tenantId ? [['tenantId', tenantId] as [string, string]] : [])];
    return [insertMapPair(t, podIdentity, 'azureWorkload', entries)];
  }
  if (!isMap(workload.value)) return [undefined];
  const map = workload.value;
  const enabled = pairOf(map, 'enabled');
  const edits: Array<TextEdit | undefined | null> = [
    // `true` must stay a plain boolean: replacePair writes it as given.
    !enabled ? insertPair(t, map, 'enabled', 'true') : scalarString(enabled.value) === 'true' ? null : replacePair(t, enabled, 'enabled', 'true'),
    setIfUnset(t, map, 'clientId', clientId),
    tenantId ? setIfUnset(t, map, 'tenantId', tenantId) : null,
  ];
  return edits.filter((e): e is TextEdit | undefined => e !== null);
}

function reportPlaceholder(ctx: RuleContext, pair: AnyPair | undefined, key: string): void {
  if (pair && scalarString(pair.value) === PLACEHOLDER_CLIENT_ID) {
    ctx.report({ node: pair.value, message: `Replace the placeholder in ${key} with the client id of the managed identity the chart should use.` });
  }
}
