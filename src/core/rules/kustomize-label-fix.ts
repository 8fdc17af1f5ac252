import type { YAMLMap } from 'yaml';
import type { FileEdit } from '../edits';
import { nameBefore, nameOf, type BuildObject } from '../builds';
import { valueIn } from '../build-values';
import { dns1123, LABEL_POD_IDENTITY, podSiteOf, WI_CLIENT_ID, WI_USE, type PodSite } from '../k8s';
import type { Kustomization } from '../kustomize';
import type { Fix, RuleContext } from '../rule';
import { appendSeqItem } from '../yaml-seq-edit';
import { accountIn, accountInBuild, planAccounts, plansOf, type Place } from './pod-identity-kustomize';

/**
 * The migration of pods that get `aadpodidbinding` from a kustomization's `commonLabels` (or a
 * `labels` entry that reaches pod templates). The entry stays: it also writes selectors, which
 * are immutable on a Deployment, and a pod keeps matching its selector only while it keeps the
 * label. Instead, the kustomization gets one inline strategic-merge patch per workload (with a
 * `target`, under `patches`) that puts `azure.workload.identity/use: "true"` on the pod template
 * and, when the workload runs as `default`, names its account; each build's account gets that
 * build's client id (annotated, patched or created as for any pod kustomize builds). A patch, not
 * a second `labels` entry: that would also label every Service and ConfigMap of the build.
 */

/** One workload the entry reaches, as each build renders it. */
interface Workload {
  places: Place[];
  site: PodSite;
}

export interface LabelMigration {
  /** The fix, when some pod still needs one and it can be made safely. */
  fix?: Fix;
  /** Workloads the entry reaches that are already migrated in every build. */
  migrated: number;
  /** Workloads it reaches. */
  total: number;
}

export function labelEntryMigration(ctx: RuleContext, k: Kustomization, entry: YAMLMap, label: string): LabelMigration {
  const workloads = workloadsOf(ctx, k, entry);
  const todo = workloads.filter((w) => !w.places.every((p) => migratedIn(p, w.site)));
  const out: LabelMigration = { migrated: workloads.length - todo.length, total: workloads.length };
  if (todo.length === 0) return out;
  const edits: Array<FileEdit | undefined> = [];
  const items: string[] = [];
  const creates: string[] = [];
  let placeholder = false;
  const namespaces = new Set<string>();
  for (const w of todo) {
    const inherited = [...new Set(w.places.map((p) => accountIn(p, w.site, false)))];
    if (inherited.length > 1) return out;
    const account = inherited[0] ?? dns1123(label);
    if (!account) return out;
    const first = w.places[0].bo;
    const target = { kind: first.obj.kind, name: nameBefore(first, k) };
    if (w.places.some((p) => nameBefore(p.bo, k) !== target.name)) return out;
    items.push(patchItem(first.obj.apiVersion, target, w.site.path, inherited[0] ? undefined : account));
    const plans = plansOf(ctx, w.places, w.site);
    for (const plan of plans) namespaces.add(plan.namespace);
    const file = ctx.index.file(first.file);
    if (!file) return out;
    const accounts = planAccounts(ctx, { file, doc: first.obj.doc }, plans, account, () => k);
    edits.push(...accounts.edits);
    creates.push(...accounts.creates);
    placeholder ||= accounts.placeholder;
  }
  const patches = appendSeqItem({ file: k.file, doc: k.doc }, k.root, 'patches', items);
  if (!patches || edits.some((e) => e === undefined)) return out;
  const names = todo.map((w) => `${w.places[0].bo.obj.kind} ${nameOf(w.places[0].bo)}`);
  out.fix = ctx.fix({
    title: `Migrate ${names.join(', ')} to workload identity (a patch beside the label sets the use label)`,
    label: `Migrate ${todo.length === 1 ? `${todo[0].places[0].bo.obj.kind} ${[...namespaces].join(',')}/${nameOf(todo[0].places[0].bo)}` : `${todo.length} workloads of ${k.path}`}`,
    // The accounts first: a resource listed at the end of the file goes before the new `patches`.
    edits: [...(edits as FileEdit[]), { ...patches, file: k.path }],
    creates,
    needsInput: placeholder,
  });
  return out;
}

/** The workloads (objects with a pod template) that only `entry` labels, in every build reading `k`. */
function workloadsOf(ctx: RuleContext, k: Kustomization, entry: YAMLMap): Workload[] {
  const byObject = new Map<BuildObject['obj'], Workload>();
  for (const build of ctx.index.kustomize.buildsReading(k)) {
    for (const bo of build.objects) {
      const applied = bo.patches.find((a) => a.labels && a.by === k && a.patch.node === entry);
      const site = podSiteOf(bo.obj);
      if (!applied || !site) continue;
      // The pod's file or a patch gives it the label too: that finding's fix migrates it.
      if (valueIn(bo, [...site.path, 'metadata', 'labels', LABEL_POD_IDENTITY], applied) !== undefined) continue;
      let w = byObject.get(bo.obj);
      if (!w) byObject.set(bo.obj, (w = { places: [], site }));
      w.places.push({ build, bo });
    }
  }
  return [...byObject.values()];
}

/** The pod has the use label and an account that carries the client id its build's identity has. */
function migratedIn(place: Place, site: PodSite): boolean {
  if (valueIn(place.bo, [...site.path, 'metadata', 'labels', WI_USE]) !== 'true') return false;
  const account = accountIn(place, site, false);
  const sa = account && accountInBuild(place, account);
  return !!sa && valueIn(sa, ['metadata', 'annotations', WI_CLIENT_ID]) !== undefined;
}

/** A `patches` item: an inline strategic-merge patch of the pod template, targeted by kind and name. */
function patchItem(apiVersion: string | undefined, target: { kind: string; name: string }, templatePath: readonly string[], account: string | undefined): string {
  const lines = ['target:', `  kind: ${target.kind}`, `  name: ${target.name}`, 'patch: |-'];
  const body = [`apiVersion: ${apiVersion ?? 'apps/v1'}`, `kind: ${target.kind}`, 'metadata:', `  name: ${target.name}`];
  let indent = '';
  for (const key of templatePath) {
    body.push(`${indent}${key}:`);
    indent += '  ';
  }
  body.push(`${indent}metadata:`, `${indent}  labels:`, `${indent}    ${WI_USE}: "true"`);
  if (account) body.push(`${indent}spec:`, `${indent}  serviceAccountName: ${account}`);
  return [...lines, ...body.map((l) => `  ${l}`)].join('\n');
}
