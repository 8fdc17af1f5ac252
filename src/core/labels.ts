import type { K8sObject } from './model';
import type { WorkspaceIndex } from './workspace';

/**
 * Labels of fixes (`Fix.label`, `FileEdit.label`): what a fix does, said of the object it changes,
 * "<Verb> <Kind> <namespace>/<name>", so that a preview of a whole migration groups its edits by
 * object. Rules say "Migrate" for a workload or object moved to workload identity, "Create" and
 * "Annotate" for a ServiceAccount, "Remove" for a pod identity object.
 */

/** Kinds without a namespace among those that fixes change. */
const CLUSTER_SCOPED = new Set(['ClusterTriggerAuthentication']);

/** "Kind namespace/name", the namespace as the index resolves it; "Kind name" for a cluster-scoped kind. */
function objectLabel(index: WorkspaceIndex, obj: K8sObject): string {
  const name = obj.name ?? '(unnamed)';
  if (CLUSTER_SCOPED.has(obj.kind)) return `${obj.kind} ${name}`;
  // A kustomize base deployed by several overlays: each namespace it lands in.
  const namespaces = index.namespacesOf(obj);
  return `${obj.kind} ${namespaces.length === 1 ? namespaces[0] : `{${namespaces.join(',')}}`}/${name}`;
}

/** "<verb> <Kind> <namespace>/<name>[ <rest>]". */
export function fixLabel(verb: string, index: WorkspaceIndex, obj: K8sObject, rest?: string): string {
  return `${verb} ${objectLabel(index, obj)}${rest ? ` ${rest}` : ''}`;
}

/** "<verb> ServiceAccount <namespace>/<name>". */
export function serviceAccountLabel(verb: 'Create' | 'Annotate' | 'Update', namespace: string, name: string): string {
  return `${verb} ServiceAccount ${namespace}/${name}`;
}
