import { isScalar, type Node } from 'yaml';
import {
  dns1123,
  envEntries,
  GUID,
  LABEL_POD_IDENTITY,
  labelsOf,
  metadataOf,
  pairOf,
  pairOfAny,
  podSiteOf,
  scalarString,
  WI_CLIENT_ID,
  WI_USE,
  WORKLOAD_KINDS,
  type PodSite,
} from '../k8s';
import { YAML_FILE_KINDS } from '../fileKinds';
import { namespaceIn } from '../builds';
import { patchSetting } from '../build-values';
import { accountIn, accountInBuild, relativeLeaf, type Place } from './pod-identity-kustomize';
import { pathKey } from '../paths';
import { lookupIdentity, type IdentityLookup } from '../lookup';
import { objectAt, rangeOf, type K8sObject } from '../model';
import { fixLabel, serviceAccountLabel } from '../labels';
import type { Fix, RelatedLocation, Rule, RuleContext } from '../rule';
import type { ServiceAccountFact } from '../facts';
import { holdsTemplate, insertPair, replaceScalar, scalarText, templatedNode, type EditTarget } from '../yaml-edit';
import { annotateServiceAccount, appendServiceAccount, serviceAccountKey } from '../service-account';

/**
 * A pod labelled `azure.workload.identity/use: "true"` gets its token for the client id its
 * service account names in `azure.workload.identity/client-id`. Without a named service account,
 * or with one that carries no client id, the webhook has nothing to federate: the pod starts but
 * every token request fails.
 */
export const wiServiceAccount: Rule = {
  id: 'wi-service-account',
  description: 'A pod that uses workload identity has no named service account, or its ServiceAccount lacks the client-id annotation.',
  severity: 'warning',
  kinds: WORKLOAD_KINDS,
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    const t: EditTarget = { file: ctx.file, doc: ctx.doc };
    for (const obj of ctx.objects) {
      const site = podSiteOf(obj);
      const use = site?.metadata && labelsOf(site.metadata) ? pairOf(labelsOf(site.metadata)!, WI_USE) : undefined;
      if (!site?.spec || !use || templatedNode(t, use.value) || scalarString(use.value) !== 'true') continue;
      const namePair = pairOfAny(site.spec, ['serviceAccountName', 'serviceAccount']);
      if (namePair && (templatedNode(t, namePair.value) || !isScalar(namePair.value))) continue;
      const namespace = ctx.index.namespaceOf(obj);
      const name = scalarString(namePair?.value) ?? 'default';
      if (checkBuilt(ctx, t, obj, site, namePair?.value ?? use.key, name)) continue;
      const sa = ctx.index.serviceAccount(namespace, name);
      if (name === 'default' && !sa?.clientId) {
        const [start] = rangeOf(ctx.doc, use.key);
        const [, end] = rangeOf(ctx.doc, use.value ?? use.key);
        reportNoServiceAccount(ctx, t, obj, site, { start, end, explicitDefault: namePair !== undefined });
      } else if (!sa) {
        ctx.report({
          node: namePair!.value,
          severity: 'info',
          message:
            `ServiceAccount ${namespace}/${name} was not found in the workspace. If another chart or kubectl creates it, ` +
            `make sure it carries ${WI_CLIENT_ID} with the client id of the managed identity federated with it.`,
        });
      } else {
        // A default ServiceAccount that carries a client id is a deliberate choice: only the env check applies.
        if (namePair?.value) checkServiceAccount(ctx, obj, site, namePair.value, sa);
        checkClientIdEnv(ctx, t, site, sa);
      }
    }
  },
};

/**
 * A pod that kustomize builds has, in each build, the account of that name in its namespace:
 * reported when a build lacks it; each account found is checked where it is written, unless a
 * patch gives it its client id. False when no build renders the pod.
 */
function checkBuilt(ctx: RuleContext, t: EditTarget, obj: K8sObject, site: PodSite, nameNode: Node | null, written: string): boolean {
  const model = ctx.index.kustomize;
  // A patch: its targets are the pods, and they run as the account the base names unless the patch names one.
  const patch = model.patchFiles.has(pathKey(ctx.file.path));
  const places: Place[] = patch ? model.targetsOf(obj) : model.placesOf(obj);
  if (patch && places.length === 0) return true;
  if (places.length === 0 || (written === 'default' && !patch)) return false;
  const names = places.map((p) => accountIn(p, site, false) ?? 'default');
  if (names.includes('default')) return patch;
  const accounts = places.map((p, i) => accountInBuild(p, names[i]));
  const name = [...new Set(names)].join(', ');
  const missing = places.filter((_, i) => !accounts[i]).map((p) => `${relativeLeaf(p.build.leaf)} (namespace ${namespaceIn(p.bo) ?? ctx.options.defaultNamespace})`);
  if (missing.length) {
    ctx.report({
      node: nameNode,
      severity: 'info',
      message: `ServiceAccount ${name} is not in the kustomize build of ${missing.join(', ')}. If something else creates it there, make sure it carries ${WI_CLIENT_ID} with the client id of the managed identity federated with it.`,
    });
    return true;
  }
  for (const bo of new Set(accounts)) {
    const start = rangeOf(bo!.obj.doc, bo!.obj.node)[0];
    const fact = ctx.index.serviceAccounts.find((f) => f.start === start && pathKey(f.file) === pathKey(bo!.file));
    if (!fact || patchSetting(bo!, ['metadata', 'annotations', WI_CLIENT_ID])) continue;
    if (nameNode) checkServiceAccount(ctx, obj, site, nameNode, { ...fact, namespace: namespaceIn(bo!) ?? fact.namespace });
    checkClientIdEnv(ctx, t, site, fact);
  }
  return true;
}

/** The client id to write: followed from the pod's `aadpodidbinding` label when it still has one. */
function clientIdFor(ctx: RuleContext, site: PodSite, namespace: string): IdentityLookup {
  const labels = labelsOf(site.metadata);
  const binding = labels ? pairOf(labels, LABEL_POD_IDENTITY) : undefined;
  if (!binding) return { ...lookupIdentity(ctx.index, undefined, namespace), problem: 'the pod has no aadpodidbinding label to follow to its identity' };
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  return lookupIdentity(ctx.index, templatedNode(t, binding.value) ? undefined : scalarString(binding.value), namespace);
}

function withLookup(lookup: IdentityLookup): string {
  return lookup.clientId ? ` (client id ${lookup.clientId}, found through the pod's aadpodidbinding label)` : `; ${lookup.problem}, so the client id is left to fill in`;
}

function reportNoServiceAccount(
  ctx: RuleContext,
  t: EditTarget,
  obj: K8sObject,
  site: PodSite,
  where: { start: number; end: number; explicitDefault: boolean },
): void {
  const namespace = ctx.index.namespaceOf(obj);
  const metadata = metadataOf(obj);
  const knownName = metadata && !templatedNode(t, metadata.get('name', true)) ? obj.name : undefined;
  const knownNamespace = metadata && !templatedNode(t, metadata.get('namespace', true));
  const name = knownName && knownNamespace ? dns1123(knownName) || undefined : undefined;
  const lookup = clientIdFor(ctx, site, namespace);
  const existing = name ? ctx.index.serviceAccount(namespace, name) : undefined;
  let fix: Fix | undefined;
  if (name && site.spec) {
    const namePair = pairOfAny(site.spec, ['serviceAccountName', 'serviceAccount']);
    const setName = namePair ? replaceScalar(t, namePair.value, name) : insertPair(t, site.spec, 'serviceAccountName', scalarText(name), 'first');
    if (existing) {
      fix = ctx.fix({ title: `Run under the existing ServiceAccount ${name}`, label: fixLabel('Migrate', ctx.index, obj), edits: [setName] });
    } else {
      const namespace = ctx.index.namespaceOf(obj);
      const account = appendServiceAccount(t, { name, namespace, writeNamespace: obj.namespace !== undefined, clientId: lookup.clientId, tenantId: lookup.tenantId, resourceId: lookup.identity?.resourceID }, ctx.index);
      const title = `Run under a new ServiceAccount ${name}` + (lookup.clientId ? ` with client id ${lookup.clientId}` : ' (client id to fill in)');
      const edits = [setName, { ...account, label: serviceAccountLabel('Create', namespace, name) }];
      fix = ctx.fix({ title, label: fixLabel('Migrate', ctx.index, obj), edits, creates: [serviceAccountKey(namespace, name)] });
    }
  }
  const subject = obj.kind === 'Pod' ? `Pod ${knownName ?? ''}`.trim() : `The pod template of ${obj.kind}${knownName ? ` ${knownName}` : ''}`;
  ctx.report({
    start: where.start,
    end: where.end,
    message:
      `${subject} uses workload identity but ${where.explicitDefault ? 'sets serviceAccountName: default' : 'names no service account'}, so it runs as the default ServiceAccount, ` +
      `which carries no ${WI_CLIENT_ID}: the webhook has no client id to inject and every token request fails. ` +
      (existing
        ? `The fix sets serviceAccountName: ${name}, the existing ServiceAccount ${namespace}/${name}.`
        : name
          ? `The fix sets serviceAccountName: ${name} and creates ServiceAccount ${namespace}/${name} ` +
            (lookup.clientId ? `with client id ${lookup.clientId} (found through the pod's aadpodidbinding label).` : `with a placeholder client id to fill in (${lookup.problem}).`)
          : `No fix: the ${obj.kind}'s name or namespace is templated, so no ServiceAccount can be named after it; set serviceAccountName to a ServiceAccount annotated with the managed identity's client id.`) +
      (name ? ` The managed identity's federated credential names it as system:serviceaccount:${namespace}:${name}.` : ''),
    related: [
      ...(existing ? [related(existing, `ServiceAccount ${existing.namespace}/${existing.name}`)] : []),
      ...lookup.related,
    ],
    fix,
  });
}

function related(sa: ServiceAccountFact, message: string): RelatedLocation {
  return { file: sa.file, start: sa.start, end: sa.end, message };
}

/** The named ServiceAccount exists but carries no client id: the webhook cannot inject one. */
function checkServiceAccount(ctx: RuleContext, obj: K8sObject, site: PodSite, nameNode: Node, sa: ServiceAccountFact): void {
  // Present in any form (a wrong value is wi-annotation-values' finding): the account's file is not read (fix-all then need not read this document again when that file changes).
  if (sa.clientIdWritten) return;
  const file = ctx.index.file(sa.file);
  const saObj = file && objectAt(file, sa.start, 'ServiceAccount');
  if (!saObj) return;
  const target: EditTarget = { file, doc: saObj.doc };
  // Possibly rendered by a template.
  if (holdsTemplate(target, saObj.node, ['metadata', 'annotations'])) return;
  const lookup = clientIdFor(ctx, site, ctx.index.namespaceOf(obj));
  const annotated = annotateServiceAccount(target, saObj, lookup);
  const title = lookup.clientId ? `Annotate ServiceAccount ${sa.name} with client id ${lookup.clientId}` : `Annotate ServiceAccount ${sa.name} (client id to fill in)`;
  ctx.report({
    node: nameNode,
    message:
      `ServiceAccount ${sa.namespace}/${sa.name} has no ${WI_CLIENT_ID} annotation, so workload identity cannot give this pod a token. ` +
      `Annotate it with the client id of the managed identity federated with it${withLookup(lookup)}.`,
    related: [related(sa, `ServiceAccount ${sa.namespace}/${sa.name}`), ...lookup.related],
    fix: ctx.fix({ title, label: serviceAccountLabel('Annotate', sa.namespace, sa.name), edits: 'unsafe' in annotated ? [undefined] : annotated.edits.map((e) => ({ ...e, file: sa.file })) }),
  });
}

/** The webhook injects AZURE_CLIENT_ID only where a container does not set it: a literal one wins. */
function checkClientIdEnv(ctx: RuleContext, t: EditTarget, site: PodSite, sa: ServiceAccountFact): void {
  if (!sa.clientId || !GUID.test(sa.clientId)) return;
  for (const { container, value } of envEntries(site.spec, 'AZURE_CLIENT_ID')) {
    const text = scalarString(value);
    if (text === undefined || templatedNode(t, value) || text.toLowerCase() === sa.clientId.toLowerCase()) continue;
    ctx.report({
      node: value as Node,
      message:
        `Container ${scalarString(container.get('name', true)) ?? ''} sets AZURE_CLIENT_ID to "${text}", but its ServiceAccount ${sa.name} ` +
        `carries client id ${sa.clientId}. The webhook does not override a variable the container sets, so the SDK asks for a token for the wrong identity: ` +
        `remove the variable (the webhook injects it) or make the two agree.`,
      related: [related(sa, `ServiceAccount ${sa.namespace}/${sa.name}`)],
    });
  }
}
