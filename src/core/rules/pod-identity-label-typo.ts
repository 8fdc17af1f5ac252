import type { Node, Pair, Scalar, YAMLMap } from 'yaml';
import { YAML_FILE_KINDS } from '../fileKinds';
import { annotationsOf, labelsOf, LABEL_POD_IDENTITY, pairOf, podSiteOf, scalarString, WI_CLIENT_ID, WI_USE, WORKLOAD_KINDS } from '../k8s';
import { lookupIdentity } from '../lookup';
import type { K8sObject } from '../model';
import type { Rule } from '../rule';
import { templatedNode, type EditTarget } from '../yaml-edit';
import { podSubject } from './pod-identity-migration';

/**
 * Pod identity binds a pod only through the exact label key `aadpodidbinding`. A near miss
 * (`aadpodidentitybinding`, `aadpodidbindings`, `aadpodIdBinding`) or the key written as an
 * annotation binds nothing: the pod never had the identity it names. Reported so that the
 * identity it meant is known, and (in pod-identity-users) counted as a user of that binding, so
 * that the only trace of the identity the pod meant is not deleted as unused.
 */
export const podIdentityLabelTypo: Rule = {
  id: 'pod-identity-label-typo',
  description: 'A misspelt `aadpodidbinding` pod label, or the label written as an annotation: pod identity never bound that pod.',
  severity: 'info',
  kinds: WORKLOAD_KINDS,
  fileKinds: YAML_FILE_KINDS,
  fixable: false,
  check(ctx) {
    const t: EditTarget = { file: ctx.file, doc: ctx.doc };
    for (const obj of ctx.objects) {
      for (const miss of misspeltBindingLabels(obj)) {
        const value = templatedNode(t, miss.pair.value) ? undefined : scalarString(miss.pair.value);
        const lookup = lookupIdentity(ctx.index, value, ctx.index.namespaceOf(obj));
        const subject = podSubject(t, obj);
        const written = miss.where === 'annotations' && miss.key === LABEL_POD_IDENTITY ? `writes ${LABEL_POD_IDENTITY} as an annotation` : `has the ${miss.where === 'labels' ? 'label' : 'annotation'} ${miss.key}, a misspelling of the label ${LABEL_POD_IDENTITY}`;
        const meant = lookup.identity
          ? `It meant AzureIdentity ${lookup.identity.namespace}/${lookup.identity.name}${lookup.identity.clientID ? ` (client id ${lookup.identity.clientID})` : ''} through selector "${value}".`
          : `It meant selector "${value ?? ''}"; ${lookup.problem}.`;
        ctx.report({
          node: miss.pair.key,
          message:
            `${subject} ${written}: pod identity reads only the pod label ${LABEL_POD_IDENTITY}, so this pod never got an identity from it. ${meant} ` +
            `If the pod needs that identity, give it the label ${WI_USE}: "true" and a service account annotated with ${WI_CLIENT_ID}${lookup.clientId ? ` "${lookup.clientId}"` : ''}; ` +
            'if it never needed one, remove the key. No automatic fix: either way changes what the pod runs with. ' +
            'The identity it meant is kept (pod-identity-resource counts this key as a user).',
          related: lookup.related,
        });
      }
    }
  },
};

export interface MisspeltBinding {
  where: 'labels' | 'annotations';
  key: string;
  pair: Pair<Scalar, Node | null>;
}

/** The near misses of `aadpodidbinding` among a pod's labels and annotations; none when the pod has the real label. */
export function misspeltBindingLabels(obj: K8sObject): MisspeltBinding[] {
  const site = podSiteOf(obj);
  const labels = labelsOf(site?.metadata);
  if (!site || (labels && pairOf(labels, LABEL_POD_IDENTITY))) return [];
  const found: MisspeltBinding[] = [];
  const scan = (map: YAMLMap | undefined, where: MisspeltBinding['where']) => {
    for (const item of map?.items ?? []) {
      const key = scalarString(item.key);
      const pair = item as Pair<Scalar, Node | null>;
      if (key !== undefined && (where === 'annotations' ? key === LABEL_POD_IDENTITY || isNearMiss(key) : isNearMiss(key))) found.push({ where, key, pair });
    }
  };
  scan(labels, 'labels');
  scan(annotationsOf(site.metadata), 'annotations');
  return found;
}

/** A key that is not `aadpodidbinding` but close to it: in case, separators, "identity" for "id", or two edits. */
export function isNearMiss(key: string): boolean {
  if (key === LABEL_POD_IDENTITY || key.length > 30) return false;
  const normal = key.toLowerCase().replace(/[-_.]/g, '').replace('identity', 'id');
  // The distance is at least the difference in length: most keys (app, app.kubernetes.io/name) are far.
  return Math.abs(normal.length - LABEL_POD_IDENTITY.length) <= 2 && editDistance(normal, LABEL_POD_IDENTITY) <= 2;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
