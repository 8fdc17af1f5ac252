import { isMap, isScalar } from 'yaml';
import { valueIn } from './build-values';
import { chartOf, renderScalar } from './chart';
import type { PodFact, ServiceAccountFact } from './facts';
import { annotationsOf, GUID, metadataOf, PLACEHOLDER_CLIENT_ID, WI_CLIENT_ID } from './k8s';
import { rangeOf, type K8sObject, type ManifestFile } from './model';
import type { ReportObject } from './report';
import { fixLabelsOf } from './report-states';
import type { Finding } from './rule';
import type { WorkloadState } from './workloadState';
import type { WorkspaceIndex } from './workspace';
import { rawText, templatedNode } from './yaml-edit';

// What the migration report reads of the workspace's objects: the object behind a pod fact, the
// objects of some kinds, and the client id a service account carries.

/** The object a pod fact was read from. */
export function objectOf(index: WorkspaceIndex, pod: PodFact): K8sObject | undefined {
  const file = index.file(pod.file);
  for (const doc of file?.docs ?? []) {
    if (doc.start > pod.start || doc.end < pod.end) continue;
    for (const obj of doc.objects) if (rangeOf(doc, obj.node)[0] === pod.start) return obj;
  }
  return undefined;
}

/** Every object of these kinds in the workspace, with its file. */
export function* objectsOf(index: WorkspaceIndex, kinds: readonly string[]): Generator<{ file: ManifestFile; obj: K8sObject }> {
  for (const path of [...index.paths].sort()) {
    const file = index.parsedFile(path);
    if (!file) continue;
    const seen = new Set<number>();
    for (const doc of file.docs) {
      for (const obj of doc.objects) {
        if (!kinds.includes(obj.kind)) continue;
        // The alternatives of a Helm document repeat its objects at the same place.
        const [start] = rangeOf(doc, obj.node);
        if (seen.has(start)) continue;
        seen.add(start);
        yield { file, obj };
      }
    }
  }
}

export function reportObject(index: WorkspaceIndex, file: ManifestFile, obj: K8sObject, state: WorkloadState, findings: readonly Finding[] = []): ReportObject {
  const [start, end] = rangeOf(obj.doc, obj.node);
  const fixLabels = fixLabelsOf(findings.filter((f) => f.start >= start && f.end <= end));
  const namespace = obj.kind === 'ClusterTriggerAuthentication' ? '' : index.namespaceOf(obj);
  const name = obj.name ?? '(unnamed)';
  return { kind: obj.kind, namespace, name, state, location: { file: file.path, start, end, what: `${obj.kind} ${namespace ? `${namespace}/` : ''}${name}` }, fixLabels };
}

/** The client id a service account carries: a GUID, the placeholder, or a templated value. */
export function clientIdOf(index: WorkspaceIndex, account: ServiceAccountFact): { value?: string; placeholder?: boolean; templated?: string } | undefined {
  if (account.clientId !== undefined) {
    if (account.clientId === PLACEHOLDER_CLIENT_ID) return { placeholder: true };
    return GUID.test(account.clientId) ? { value: account.clientId } : undefined;
  }
  const object = index.serviceAccountObject(account);
  if (!object) return undefined;
  // An annotation a kustomize patch adds (Flux's way of annotating its controllers' accounts).
  for (const { bo } of index.kustomize.placesOf(object)) {
    const built = valueIn(bo, ['metadata', 'annotations', WI_CLIENT_ID]);
    if (built !== undefined) return built === PLACEHOLDER_CLIENT_ID ? { placeholder: true } : GUID.test(built) ? { value: built } : undefined;
  }
  const file = index.file(account.file);
  const annotations = annotationsOf(metadataOf(object));
  const node = annotations && isMap(annotations) ? (annotations).get(WI_CLIENT_ID, true) : undefined;
  if (!file || !isScalar(node) || !templatedNode({ file, doc: object.doc }, node)) return undefined;
  // A chart's template: the value its values render.
  const text = rawText({ file, doc: object.doc }, node);
  const chart = chartOf(index, account.file);
  const rendered = chart ? renderScalar(chart, text) : undefined;
  if (rendered && 'value' in rendered) return rendered.value === PLACEHOLDER_CLIENT_ID ? { placeholder: true } : GUID.test(rendered.value) ? { value: rendered.value } : undefined;
  return { templated: text };
}
