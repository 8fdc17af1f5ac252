import { isMap, isNode } from 'yaml';
import { patchSetting, valueIn } from './build-values';
import { nameOf, namespaceIn, type AppliedPatch, type BuildObject } from './builds';
import type { PodFact } from './facts';
import { LABEL_POD_IDENTITY, pairOf, TEMPLATE_PATHS, WI_USE } from './k8s';
import { rangeOf, type K8sObject } from './model';
import type { ReportLocation } from './report';
import type { Finding } from './rule';
import type { WorkspaceIndex } from './workspace';

/*
 * The migration report's view of kustomize: where a workload is deployed (one place per build
 * that renders it), and the pod labels a build writes that the workload's own file does not show
 * (`commonLabels`/`labels`, an inline or JSON 6902 patch), with the kustomization line that writes them.
 */

export interface Place {
  namespace: string;
  name: string;
  /** The service account the build renders for the pod, when a build renders it. */
  account?: string;
}

/** A place where a build gives the pod a label its own file lacks. */
export interface BuiltPlace extends Place {
  /** The `aadpodidbinding` value the build renders, if any. */
  bindingLabel?: string;
  /** The build renders the `use` label as "true". */
  usesWorkloadIdentity: boolean;
  /** The line that writes the label: a `commonLabels`/`labels` entry, or the label in a patch. */
  labelAt: ReportLocation;
  /** The kustomize-pod-identity finding of that line, when it has one (looked up by the caller). */
  finding?: Finding;
}

const placeOf = (pod: PodFact, accountPath: readonly string[], bo: BuildObject): Place => ({
  namespace: namespaceIn(bo) ?? pod.namespace,
  name: nameOf(bo),
  account: valueIn(bo, accountPath),
});

/** Where the workload is deployed: one place per kustomize build that renders it (its namespace and name there), else its own. */
export function placesOf(index: WorkspaceIndex, obj: K8sObject, pod: PodFact): Place[] {
  const model = index.kustomize;
  // A patch document is deployed as the objects it patches.
  const builds = [...model.placesOf(obj), ...model.targetsOf(obj)];
  const accountPath = [...(TEMPLATE_PATHS[pod.ownerKind] ?? []), 'spec', 'serviceAccountName'];
  const built = builds.map(({ bo }) => placeOf(pod, accountPath, bo));
  const unique = new Map([...built].map((p) => [`${p.namespace}/${p.name}`, p]));
  return unique.size ? [...unique.values()].sort((a, b) => a.namespace.localeCompare(b.namespace)) : [{ namespace: pod.namespace, name: obj.name ?? pod.ownerName ?? '(unnamed)' }];
}

/**
 * The builds that put `aadpodidbinding` or the `use` label on a pod whose own file has neither:
 * one place per build (deduplicated by namespace and name), with the line that writes the label.
 * A label a patch file's document sets is not here: that document is a pod of its own in the index.
 */
export function builtPlacesOf(index: WorkspaceIndex, obj: K8sObject, pod: PodFact): BuiltPlace[] {
  const template = TEMPLATE_PATHS[pod.ownerKind];
  if (!template) return [];
  const labels = [...template, 'metadata', 'labels'];
  const accountPath = [...template, 'spec', 'serviceAccountName'];
  const places = new Map<string, BuiltPlace>();
  for (const { bo } of index.kustomize.placesOf(obj)) {
    const bindingLabel = valueIn(bo, [...labels, LABEL_POD_IDENTITY]);
    const usesWorkloadIdentity = valueIn(bo, [...labels, WI_USE]) === 'true';
    const label = bindingLabel !== undefined ? LABEL_POD_IDENTITY : usesWorkloadIdentity ? WI_USE : undefined;
    const setting = label ? patchSetting(bo, [...labels, label]) : undefined;
    if (!label || !setting || setting.object) continue;
    const labelAt = lineOf(index, setting, label);
    if (!labelAt) continue;
    const place = { ...placeOf(pod, accountPath, bo), bindingLabel, usesWorkloadIdentity, labelAt };
    places.set(`${place.namespace}/${place.name}`, place);
  }
  return [...places.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/** The place of the label in the kustomization (or patch file) that writes it. */
function lineOf(index: WorkspaceIndex, applied: AppliedPatch, label: string): ReportLocation | undefined {
  const k = applied.by;
  if (applied.labels && isMap(applied.patch.node)) {
    const pair = pairOf(applied.patch.node, label);
    if (!pair) return undefined;
    const [start, end] = rangeOf(k.doc, pair.key);
    return { file: k.file.path, start, end: pair.value ? rangeOf(k.doc, pair.value)[1] : end, what: `commonLabels ${label} in ${baseName(k.file.path)}` };
  }
  if (applied.patch.path !== undefined) {
    const file = index.file(applied.patch.path);
    const at = file?.text.indexOf(label) ?? -1;
    return file && at >= 0 ? { file: file.path, start: at, end: at + label.length, what: `patch ${baseName(file.path)}` } : undefined;
  }
  const inline = isMap(applied.patch.node) ? applied.patch.node.get('patch', true) : undefined;
  const [start, end] = rangeOf(k.doc, isNode(inline) ? inline : applied.patch.node);
  const at = k.file.text.indexOf(label, start);
  return { file: k.file.path, start: at >= 0 && at < end ? at : start, end: at >= 0 && at < end ? at + label.length : end, what: `inline patch in ${baseName(k.file.path)}` };
}

/** The kustomize-pod-identity finding on a built place's line: the one that starts there, else one over it. */
export function findingAt(findings: readonly Finding[], at: ReportLocation): Finding | undefined {
  const ours = findings.filter((f) => f.ruleId === 'kustomize-pod-identity' && f.file === at.file);
  return ours.find((f) => f.start === at.start) ?? ours.find((f) => f.start <= at.end && f.end >= at.start);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
