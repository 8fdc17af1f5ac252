import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { YAML_FILE_KINDS } from '../fileKinds';
import { isTemplated } from '../helm';
import { LABEL_POD_IDENTITY, mapAt, pairOf, POD_IDENTITY_GROUP, POD_IDENTITY_KINDS, scalarString, TEMPLATE_PATHS } from '../k8s';
import { rangeOf, type K8sObject } from '../model';
import type { Fix, RelatedLocation, Rule, RuleContext } from '../rule';
import { specPair, type BindingFact, type IdentityFact } from '../facts';
import { removeDocument, templatedNode, type EditTarget } from '../yaml-edit';
import { removeSeqItem } from '../yaml-seq-edit';
import { podIdentityInstallers } from './pod-identity-installer';
import { label, rawText, usersOf } from './pod-identity-users';
import { fixLabel } from '../labels';
import { nameOf } from '../builds';
import { referencedByBuild, resolveVars, valueIn } from '../build-values';
import { pathKey } from '../paths';
import { relativeLeaf } from './pod-identity-kustomize';
import { withItsPatches } from './kustomize-removal';

const IDENTITY = 'AzureIdentity';
const BINDING = 'AzureIdentityBinding';
const EXCEPTION = 'AzurePodIdentityException';
const ASSIGNED = 'AzureAssignedIdentity';

/** How many users a finding lists in `related`; the message gives the full count. */
const MAX_RELATED = 10;

/**
 * The pod identity objects themselves. Each is retired once nothing in the workspace uses it any
 * more: a binding when no pod carries its selector, an identity when no binding names it, an
 * exception when pod identity is gone altogether. Fix-all gets there in passes: pods move first
 * (another rule), then their bindings go, then the identities.
 */
export const podIdentityResource: Rule = {
  id: 'pod-identity-resource',
  description: 'AAD Pod Identity object (AzureIdentity, AzureIdentityBinding, AzurePodIdentityException) to retire.',
  severity: 'warning',
  kinds: POD_IDENTITY_KINDS,
  fileKinds: YAML_FILE_KINDS,
  fixable: true,
  check(ctx) {
    const t: EditTarget = { file: ctx.file, doc: ctx.doc };
    for (const obj of ctx.objects) {
      if (!isPodIdentityGroup(t, obj)) continue;
      const kindNode = pairOf(obj.node, 'kind')?.value;
      const users = usersOf(ctx.index, ctx.file, obj);
      const unrecorded = users.length === 0 ? onlyRecord(ctx, obj) : undefined;
      const installers = users.length === 0 && obj.kind === EXCEPTION ? podIdentityInstallers(ctx.index) : [];
      const held = users.length === 0 && !unrecorded ? heldByKustomize(ctx, obj) : undefined;
      const fix = users.length === 0 && !unrecorded && !held && installers.length === 0 ? removal(ctx, obj) : undefined;
      const why = unrecorded ?? (held ? `It is not removed automatically: ${held}.` : installers.length ? keptForInstallers(installers) : usage(obj, users, fix !== undefined));
      ctx.report({
        node: kindNode,
        deprecated: true,
        severity: obj.kind === ASSIGNED ? 'info' : undefined,
        message: `${replacement(ctx, obj)} ${why}`,
        related: (users.length ? users : installers).slice(0, MAX_RELATED),
        fix,
      });
    }
  },
};

/** The group must be pod identity's when it is written out (other versions are tolerated). */
export function isPodIdentityGroup(t: EditTarget, obj: K8sObject): boolean {
  const api = pairOf(obj.node, 'apiVersion')?.value;
  if (!obj.apiVersion || templatedNode(t, api)) return true;
  return obj.apiVersion.split('/')[0] === POD_IDENTITY_GROUP;
}

/** What workload identity puts in the object's place. */
function replacement(ctx: RuleContext, obj: K8sObject): string {
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  const name = label({ kind: obj.kind, name: obj.name, namespace: ctx.index.namespaceOf(obj) });
  const spec = mapAt(obj.node, ['spec']);
  // Values are shown as written, template actions included, with what the chart's values make of them.
  const fact = factOf(ctx, obj) as Record<string, unknown> | undefined;
  const field = (key: string) => {
    const value = specPair(spec, key)?.value;
    if (!isScalar(value) || !templatedNode(t, value)) return scalarString(value);
    const rendered = fact?.[key];
    return typeof rendered === 'string' ? `${rendered} (${rawText(t, value)})` : rawText(t, value);
  };
  switch (obj.kind) {
    case IDENTITY: {
      // A missing type is 0 (pod identity's default); a templated one is taken as 0 too.
      const type = /\{\{/.test(field('type') ?? '') ? '0' : (field('type') ?? '0');
      const clientId = field('clientID') ?? '<its clientID>';
      if (type !== '0') {
        return `${name} is an AAD Pod Identity service principal (type ${type}), deprecated. With workload identity, ` +
          `federate its app registration (client id ${clientId}) with the pods' service account and annotate that ServiceAccount with azure.workload.identity/client-id: ${clientId}.`;
      }
      const identity = field('resourceID')?.match(/\/userAssignedIdentities\/([^/]+)\/?$/i)?.[1];
      return `${name} is AAD Pod Identity, deprecated. Workload identity replaces it with a ServiceAccount annotated with ` +
        `azure.workload.identity/client-id: ${clientId} and a federated credential on identity ${identity ?? '<the user-assigned managed identity>'}.`;
    }
    case BINDING: {
      const selector = field('selector') ?? '<its selector>';
      return `${name} is AAD Pod Identity, deprecated: pods labelled aadpodidbinding: ${selector} get the azure.workload.identity/use label and a service account instead.`;
    }
    case EXCEPTION:
      return `${name} is AAD Pod Identity, deprecated. The workload identity equivalent is simply not opting those pods in (no azure.workload.identity/use label).`;
    default:
      return `${name} is written by the AAD Pod Identity controller and never belongs in a manifest.`;
  }
}

function usage(obj: K8sObject, users: RelatedLocation[], removable: boolean): string {
  if (users.length > 0) {
    const listed = users.length > MAX_RELATED ? `, the first ${MAX_RELATED} listed` : '';
    const count = `${users.length} object${users.length === 1 ? '' : 's'}${listed}`;
    if (obj.kind === IDENTITY) return `Still named by ${count}: it can go once no binding names it.`;
    if (obj.kind === BINDING) return `Still used by ${count}: it can go once no pod carries its selector.`;
    return `Pod identity is still in use in the workspace (${count}): it can go once pod identity is gone.`;
  }
  const how = removable ? 'remove it.' : 'remove it by hand (not removed automatically: Helm template actions or a layout that cannot be edited safely).';
  return obj.kind === ASSIGNED ? `${how[0].toUpperCase()}${how.slice(1)}` : `Nothing in the workspace uses it any more: ${how}`;
}

/** The index's fact of a pod identity object: its fields as the chart's values render them. */
function factOf(ctx: RuleContext, obj: K8sObject): IdentityFact | BindingFact | undefined {
  const start = rangeOf(obj.doc, obj.node)[0];
  return obj.kind === IDENTITY ? ctx.index.identityAt(ctx.file.path, start) : obj.kind === BINDING ? ctx.index.bindingAt(ctx.file.path, start) : undefined;
}

/**
 * Why an unused AzureIdentity stays: it is the only record of which identity its pods used. Its
 * client id is written nowhere else in the workspace (not on a ServiceAccount's
 * `azure.workload.identity/client-id`, not in chart values, not in any document other than a pod
 * identity one), or it has no literal client id at all, only a `resourceID`. A typo in a pod's
 * label makes an identity look unused, and overlays may each hold their own: it stays until the
 * migration has written its id somewhere. Undefined when it may go.
 */
function onlyRecord(ctx: RuleContext, obj: K8sObject): string | undefined {
  if (obj.kind !== IDENTITY) return undefined;
  const spec = mapAt(obj.node, ['spec']);
  // Built by kustomize, it has the client id each build gives it (an overlay's patch may set it).
  const built = ctx.index.kustomize.placesOf(obj).map(({ bo }) => valueIn(bo, ['spec', 'clientID']) ?? valueIn(bo, ['spec', 'ClientID']));
  // A templated client id is known as far as the chart's values render it.
  const fact = factOf(ctx, obj);
  const written = fact && 'clientID' in fact ? fact.clientID : undefined;
  const ids = (built.length ? built : [written]).map((id) => id?.trim()).filter((id): id is string => Boolean(id));
  const unrecorded = ids.find((id) => !ctx.index.records(id));
  if (unrecorded) return keptForItsClientId(unrecorded);
  if (ids.length) return undefined;
  const resourceId = scalarString(specPair(spec, 'resourceID')?.value)?.trim();
  return resourceId
    ? `Nothing in the workspace uses it any more, but it has no literal clientID, so the migration cannot have written its id anywhere, and its resourceID ${resourceId} ` +
      'is the only record of the managed identity to federate: it is not removed automatically. Remove it by hand once that identity is federated.'
    : undefined;
}

/**
 * Why kustomize needs the object where it is: a patch (of an overlay, say) targets it, or a var
 * or replacement reads it, so the build fails without it; or the document is itself a patch,
 * which goes with the object it patches.
 */
function heldByKustomize(ctx: RuleContext, obj: K8sObject): string | undefined {
  const model = ctx.index.kustomize;
  if (model.patchFiles.has(pathKey(ctx.file.path))) return `this document is a kustomize patch (listed in ${model.patchFiles.get(pathKey(ctx.file.path))!.map((k) => relativeLeaf(k)).join(', ')}): it goes with the object it patches`;
  for (const { build, bo } of model.placesOf(obj)) {
    const selector = obj.kind === BINDING ? resolveVars(build, valueIn(bo, ['spec', 'selector'])) : undefined;
    const carrier = selector === undefined ? undefined : build.objects.find((o) => TEMPLATE_PATHS[o.obj.kind] && resolveVars(build, valueIn(o, [...TEMPLATE_PATHS[o.obj.kind], 'metadata', 'labels', LABEL_POD_IDENTITY])) === selector);
    if (carrier) return `the pods of ${carrier.obj.kind} ${nameOf(carrier)} still carry its selector in ${relativeLeaf(build.leaf)} (kustomize writes the label there)`;
    if (referencedByBuild(build, bo)) return `a var or replacement of ${relativeLeaf(build.leaf)} reads it, so that build fails without it`;
  }
  const patches = withItsPatches(ctx, obj);
  return 'held' in patches ? patches.held : undefined;
}

function keptForItsClientId(clientId: string): string {
  return `Nothing in the workspace uses it any more, but its client id ${clientId} is written nowhere else in the workspace ` +
    `(a ServiceAccount's azure.workload.identity/client-id, chart values): it is not removed automatically, so that the only record of the identity is not lost. ` +
    `Migrate its pods or annotate their ServiceAccount first, or remove it by hand.`;
}

function keptForInstallers(installers: RelatedLocation[]): string {
  return `No pod uses pod identity any more, but the workspace still deploys NMI or MIC (${installers[0].message}${installers.length > 1 ? `, and ${installers.length - 1} more` : ''}): ` +
    'while they run, this exception keeps NMI from intercepting the token requests of the pods it exempts (kube-system add-ons among them). ' +
    'It is not removed automatically: remove it together with pod identity itself.';
}

/** Deletes the object: its whole document, or its item of a `kind: List`. */
function removal(ctx: RuleContext, obj: K8sObject): Fix | undefined {
  const { file, doc } = ctx;
  // Deleting text between `{{ if }}` and `{{ end }}` (or inside a `range`) could break the template.
  if (isTemplated(file.masked.actions, doc.start, doc.end)) return undefined;
  // An identity's title names its client id: the preview shows which id goes (and is kept elsewhere).
  const clientId = obj.kind === IDENTITY ? scalarString(specPair(mapAt(obj.node, ['spec']), 'clientID')?.value) : undefined;
  const what = `${obj.name ? `${obj.kind} ${obj.name}` : obj.kind}${clientId ? ` with client id ${clientId}` : ''}`;
  const title = `Remove ${what} (no longer used)`;
  const fixed = fixLabel('Remove', ctx.index, obj);
  const t: EditTarget = { file, doc };
  // Kustomize patches of it go with it: the builds would fail on a patch without its target.
  const patches = withItsPatches(ctx, obj);
  if ('held' in patches) return undefined;
  if (!obj.inList) {
    const more = patches.edits.length ? ` and its patches in ${patches.where.join(', ')}` : '';
    return ctx.fix({ title: `Remove ${what}${more} (no longer used)`, label: fixed, edits: [removeDocument(t), ...patches.edits] });
  }
  if (patches.edits.length) return undefined;
  const items = doc.yaml.contents && isMap(doc.yaml.contents) ? doc.yaml.contents.get('items', true) : undefined;
  if (!isSeq(items)) return undefined;
  // When every item goes, the List goes too (an empty List is noise); each item's fix is then the same edit.
  const others = doc.objects.filter((o) => o !== obj);
  if (items.items.length === doc.objects.length && others.every((o) => removableItem(ctx, o))) {
    return ctx.fix({ title: `Remove ${what} and its List (no item is used any more)`, label: `${fixed} and its List`, edits: [removeDocument(t)] });
  }
  const edit = removeSeqItem(t, items.items as Node[], obj.node, items.flow === true);
  return ctx.fix({ title, label: fixed, edits: [edit] });
}

function removableItem(ctx: RuleContext, obj: K8sObject): boolean {
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  return (
    podIdentityResource.kinds.includes(obj.kind) &&
    isPodIdentityGroup(t, obj) &&
    usersOf(ctx.index, ctx.file, obj).length === 0 &&
    !onlyRecord(ctx, obj) &&
    (obj.kind !== EXCEPTION || podIdentityInstallers(ctx.index).length === 0)
  );
}

