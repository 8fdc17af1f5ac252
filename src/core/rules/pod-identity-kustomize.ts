import type { FileEdit } from '../edits';
import { nameBefore, nameOf, namespaceIn, type AppliedPatch, type Build, type BuildObject } from '../builds';
import { patchSetting, resolveVars, valueIn } from '../build-values';
import { GUID, LABEL_POD_IDENTITY, WI_CLIENT_ID, type PodSite } from '../k8s';
import type { Kustomization } from '../kustomize';
import { serviceAccountLabel } from '../labels';
import { lookupIdentity, type IdentityLookup } from '../lookup';
import { rangeOf } from '../model';
import { baseName, joinPath, pathKey, relativePath } from '../paths';
import type { Fix, RelatedLocation, RuleContext } from '../rule';
import { annotateServiceAccount, serviceAccountLines } from '../service-account';
import type { IdentityFact } from '../facts';
import type { EditTarget } from '../yaml-edit';
import { appendSeqItem } from '../yaml-seq-edit';

/**
 * The ServiceAccount side of a pod's migration when kustomize builds the pod: per build (leaf
 * kustomization) that renders it, the identity its label leads to in that build, and the account
 * that must carry that build's client id (written in the pod's file's indentation). The account is annotated where it is written when its
 * file is an ordinary resource that only builds wanting the same client id read; otherwise it is
 * patched (a new patch file listed in a kustomization's `patches`), or created (a new file listed
 * in `resources`). Each goes into the innermost kustomization that only builds wanting the same
 * client id read: the workload's own when all agree, each overlay's when they differ. Nothing is
 * ever appended to a patch file.
 */

/** The pod as one build renders it. */
export interface Place {
  build: Build;
  bo: BuildObject;
  /** When the document being checked is a patch of `bo`: the patch. */
  applied?: AppliedPatch;
}

export interface BuildPlan {
  place: Place;
  lookup: IdentityLookup;
  namespace: string;
}

export interface AccountEdits {
  edits: Array<FileEdit | undefined>;
  related: RelatedLocation[];
  creates: string[];
  placeholder: boolean;
  notes: string[];
}

const specPath = (key: string) => ['spec', key];

function specValue(build: Build, bo: BuildObject, key: string): string | undefined {
  return resolveVars(build, valueIn(bo, specPath(key)) ?? valueIn(bo, specPath(key[0].toUpperCase() + key.slice(1))));
}

/** The pod's label value in a build (patches and vars applied). */
export function bindingLabelIn(place: Place, site: PodSite): string | undefined {
  return resolveVars(place.build, valueIn(place.bo, [...site.path, 'metadata', 'labels', LABEL_POD_IDENTITY]));
}

/** The pod's service account in a build, without the patch being checked (what the base gives it). */
export function accountIn(place: Place, site: PodSite, withoutChecked: boolean): string | undefined {
  const except = withoutChecked ? place.applied : undefined;
  const path = [...site.path, 'spec'];
  const name = valueIn(place.bo, [...path, 'serviceAccountName'], except) ?? valueIn(place.bo, [...path, 'serviceAccount'], except);
  return name && name !== 'default' ? name : undefined;
}

function factOf(bo: BuildObject, build: Build, defaultNamespace: string): IdentityFact {
  const [start, end] = rangeOf(bo.obj.doc, bo.obj.node);
  const type = Number(specValue(build, bo, 'type') ?? '0');
  return {
    file: bo.file,
    start,
    end,
    namespace: namespaceIn(bo) ?? defaultNamespace,
    name: nameOf(bo),
    type: Number.isFinite(type) ? type : undefined,
    clientID: specValue(build, bo, 'clientID'),
    resourceID: specValue(build, bo, 'resourceID'),
    tenantID: specValue(build, bo, 'tenantID'),
  };
}

/**
 * label → binding → identity inside one build, the identity's fields as the build renders them
 * (a JSON 6902 patch of an overlay sets the real client id over a base's `replace`). Undefined
 * when no binding of the build selects the label: the identity may then come from another build
 * deployed to the same cluster, and the workspace-wide lookup decides.
 */
function lookupInBuild(ctx: RuleContext, place: Place, selector: string | undefined, namespace: string): IdentityLookup {
  const { build } = place;
  const def = ctx.options.defaultNamespace;
  const bindings = selector === undefined ? [] : build.objects.filter((o) => o.obj.kind === 'AzureIdentityBinding' && specValue(build, o, 'selector') === selector);
  if (bindings.length === 0) return lookupIdentity(ctx.index, selector, namespace);
  const rel = (bo: BuildObject, message: string): RelatedLocation => {
    const [start, end] = rangeOf(bo.obj.doc, bo.obj.node);
    return { file: bo.file, start, end, message };
  };
  const found = new Set<BuildObject>();
  for (const b of bindings) {
    const name = specValue(build, b, 'azureIdentity');
    const ids = build.objects.filter((o) => o.obj.kind === 'AzureIdentity' && name !== undefined && (nameOf(o) === name || o.names.includes(name)));
    for (const id of ids) found.add(id);
  }
  const leaf = relativeLeaf(build.leaf);
  const related = [
    ...bindings.map((b) => rel(b, `AzureIdentityBinding ${namespaceIn(b) ?? def}/${nameOf(b)} selects "${selector}" in ${leaf}`)),
    ...[...found].map((i) => rel(i, `AzureIdentity ${namespaceIn(i) ?? def}/${nameOf(i)} in ${leaf}`)),
  ];
  const none = (problem: string, identity?: IdentityFact): IdentityLookup => ({ clientId: undefined, tenantId: undefined, identity, problem, related });
  if (found.size === 0) return none(`the AzureIdentity named by binding "${nameOf(bindings[0])}" is not in the build of ${leaf}`);
  if (found.size > 1) return none(`selector "${selector}" gives the pod ${found.size} identities in ${leaf}; a service account carries one client id, so choose one`);
  const identity = factOf([...found][0], build, def);
  if (identity.type !== undefined && identity.type !== 0) return none(`AzureIdentity ${identity.name} is a service principal (type ${identity.type}): federate its app registration instead of a managed identity`, identity);
  if (!identity.clientID || !GUID.test(identity.clientID)) {
    return none(`AzureIdentity ${identity.name} has clientID "${identity.clientID ?? ''}" in ${leaf}, not a client id`, identity);
  }
  return { clientId: identity.clientID, tenantId: identity.tenantID && GUID.test(identity.tenantID) ? identity.tenantID : undefined, identity, problem: undefined, related };
}

/** The ServiceAccount `name` (any of its names so far) in the pod's build and namespace. */
export function accountInBuild({ build, bo }: Place, name: string): BuildObject | undefined {
  return build.objects.find((o) => o.obj.kind === 'ServiceAccount' && o.names.includes(name) && namespaceIn(o) === namespaceIn(bo));
}

/** Each build's plan for the pod: its namespace there, and the identity its label leads to there. */
export function plansOf(ctx: RuleContext, places: Place[], site: PodSite): BuildPlan[] {
  return places.map((place) => {
    const namespace = namespaceIn(place.bo) ?? ctx.options.defaultNamespace;
    return { place, namespace, lookup: lookupInBuild(ctx, place, bindingLabelIn(place, site), namespace) };
  });
}

/**
 * The fix of a kustomize patch that puts the label on the pods of `places` (a JSON 6902
 * operation, an inline patch): `edits` rewrite the patch, and the account `account` of each build
 * gets that build's client id, its new files beside kustomization `from`.
 */
export function patchedPodsFix(ctx: RuleContext, places: Place[], site: PodSite, account: string, from: Kustomization, edits: Array<FileEdit | undefined>, how: string): Fix | undefined {
  const plans = plansOf(ctx, places, site);
  const target = ctx.index.file(places[0].bo.file);
  if (!target) return undefined;
  const accounts = planAccounts(ctx, { file: target, doc: places[0].bo.obj.doc }, plans, account, () => from);
  const { kind } = places[0].bo.obj;
  return ctx.fix({
    title: `Migrate ${kind} ${nameOf(places[0].bo)} to workload identity (${how})`,
    label: `Migrate ${kind} ${[...new Set(plans.map((p) => p.namespace))].join(',')}/${nameOf(places[0].bo)}`,
    edits: [...edits, ...accounts.edits],
    creates: accounts.creates,
    needsInput: accounts.placeholder,
  });
}

/** How a build is named in messages: its kustomization's folder. */
export function relativeLeaf(k: Kustomization): string {
  return pathKey(k.dir).split('/').slice(-2).join('/');
}

const idKey = (plan: BuildPlan) => plan.lookup.clientId?.toLowerCase() ?? '';

/**
 * The innermost kustomization of the pod's chain that only builds wanting the same client id
 * read: there the account (or its patch) goes. `from` is where the chain starts (the
 * kustomization listing the workload's file, or the one listing the patch).
 */
function homeOf(plan: BuildPlan, plans: BuildPlan[], from: Kustomization): Kustomization {
  const chain = plan.place.bo.chain;
  const start = Math.max(0, chain.indexOf(from));
  for (const k of chain.slice(start)) {
    const readers = plans.filter((p) => p.place.build.members.has(k));
    if (readers.every((p) => idKey(p) === idKey(plan))) return k;
  }
  return chain[chain.length - 1];
}

/**
 * The account edits of every build: annotate, patch or create, once per kustomization (builds
 * that share one share its edits).
 */
export function planAccounts(ctx: RuleContext, t: EditTarget, plans: BuildPlan[], account: string, from: (p: Place) => Kustomization): AccountEdits {
  const out: AccountEdits = { edits: [], related: [], creates: [], placeholder: false, notes: [] };
  const done = new Set<string>();
  for (const plan of plans) {
    const { build, bo } = plan.place;
    const home = homeOf(plan, plans, from(plan.place));
    const sa = accountInBuild(plan.place, account);
    const ids = { clientId: plan.lookup.clientId, tenantId: plan.lookup.tenantId, identity: plan.lookup.identity, resourceId: plan.lookup.identity?.resourceID };
    if (sa) {
      const current = valueIn(sa, ['metadata', 'annotations', WI_CLIENT_ID]);
      if (current && ids.clientId && current.toLowerCase() === ids.clientId.toLowerCase()) continue;
      const key = `${sa.file}#${rangeOf(sa.obj.doc, sa.obj.node)[0]}`;
      if (editableInPlace(ctx, sa, plans, plan)) {
        if (done.has(key)) continue;
        done.add(key);
        const file = ctx.index.file(sa.file);
        const result = file && annotateServiceAccount({ file, doc: sa.obj.doc }, sa.obj, ids);
        if (!file || !result || 'unsafe' in result) out.edits.push(undefined);
        else out.edits.push(...result.edits.map((e) => ({ ...e, file: file.path, label: serviceAccountLabel('Annotate', plan.namespace, nameOf(sa)) })));
        out.placeholder ||= !ids.clientId;
        continue;
      }
      // The patch must sit where the account is already among the resources.
      const at = sa.chain.includes(home) ? home : sa.chain.find((k) => bo.chain.indexOf(k) >= bo.chain.indexOf(home));
      if (!at) {
        out.edits.push(undefined);
        continue;
      }
      if (done.has(`patch:${at.path}`)) continue;
      done.add(`patch:${at.path}`);
      out.edits.push(...newFileInKustomization(ctx, at, 'patches', `${nameBefore(sa, at)}-serviceaccount-patch.yaml`, serviceAccountLines(t, nameBefore(sa, at), sa.namespaces[Math.max(0, sa.chain.indexOf(at))], ids), `Patch ServiceAccount ${plan.namespace}/${nameOf(sa)}`));
      out.creates.push(`Patch/ServiceAccount/${account}@${at.path}`);
      out.notes.push(`${sa.file === bo.file ? 'Its' : `ServiceAccount ${nameOf(sa)} (in ${baseName(sa.file)})`} is ${generated(ctx, sa) ? 'in a generated file' : 'shared by builds that need different client ids'}, so ${relativeLeaf(at)} patches it.`);
    } else if (ctx.index.kustomize.incomplete(build)) {
      // A remote base may define the account: a second one would fail the build.
      out.edits.push(undefined);
      out.notes.push(`${relativeLeaf(build.leaf)} reads a base that is not in the workspace, which may define ServiceAccount ${account}: annotate it there.`);
    } else {
      if (done.has(`create:${home.path}`)) continue;
      done.add(`create:${home.path}`);
      const namespaced = bo.chain.slice(Math.max(0, bo.chain.indexOf(home))).some((k) => k.namespace);
      const written = namespaced ? undefined : bo.namespaces[Math.max(0, bo.chain.indexOf(home))];
      out.edits.push(...newFileInKustomization(ctx, home, 'resources', `${account}-serviceaccount.yaml`, serviceAccountLines(t, account, written, ids), serviceAccountLabel('Create', plan.namespace, account)));
      out.creates.push(`ServiceAccount/${plan.namespace}/${account}@${home.path}`);
    }
    out.placeholder ||= !ids.clientId;
  }
  return out;
}

/** An account's file may be edited when it is an ordinary resource and every build reading it wants this client id. */
function editableInPlace(ctx: RuleContext, sa: BuildObject, plans: BuildPlan[], plan: BuildPlan): boolean {
  if (generated(ctx, sa) || ctx.index.kustomize.patchFiles.has(pathKey(sa.file))) return false;
  if (patchSetting(sa, ['metadata', 'annotations', WI_CLIENT_ID])) return false;
  const readers = ctx.index.kustomize.placesOf(sa.obj).map((p) => p.build);
  return readers.every((b) => plans.some((p) => p.place.build === b && idKey(p) === idKey(plan)));
}

/** A file written by a tool (Flux's `gotk-components.yaml`): edits there are lost on the next bootstrap. */
function generated(ctx: RuleContext, bo: BuildObject): boolean {
  const text = ctx.index.textOf(bo.file)?.slice(0, 400) ?? '';
  return /generated by|DO NOT EDIT/i.test(text) || baseName(bo.file) === 'gotk-components.yaml';
}

/** A new file beside kustomization `home`, listed in its `field` (`resources`, or `patches` as `path:`). */
function newFileInKustomization(ctx: RuleContext, home: Kustomization, field: 'resources' | 'patches', name: string, lines: string[], label: string): Array<FileEdit | undefined> {
  let path = joinPath(home.dir, name);
  for (let i = 2; ctx.index.textOf(path) !== undefined || ctx.index.paths.some((p) => pathKey(p) === pathKey(path)); i++) path = joinPath(home.dir, name.replace(/\.yaml$/, `-${i}.yaml`));
  const rel = relativePath(home.dir, path);
  const item = field === 'resources' ? rel : `path: ${rel}`;
  const listed = appendSeqItem({ file: home.file, doc: home.doc }, home.root, field, item);
  return [
    { file: path, start: 0, end: 0, text: lines.join(home.file.eol) + home.file.eol, label },
    listed && { ...listed, file: home.path, label },
  ];
}

/** Is the document a kustomize patch (a file some kustomization lists under a patches field)? */
export function isPatchDocument(ctx: RuleContext): boolean {
  return ctx.index.kustomize.patchFiles.has(pathKey(ctx.file.path));
}

