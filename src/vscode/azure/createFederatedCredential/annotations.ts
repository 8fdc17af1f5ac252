import { isScalar } from 'yaml';
import { applyEdits, diffEdit, type FileEdit, type TextEdit } from '../../../core/edits';
import { annotationsOf, metadataOf, pairOf, scalarString, WI_CLIENT_ID, WI_TENANT_ID } from '../../../core/k8s';
import { parseManifestFile, type K8sObject } from '../../../core/model';
import { holdsTemplate, insertAtPath, replaceScalar, type EditTarget } from '../../../core/yaml-edit';

export interface AnnotationWish {
  clientId: string;
  tenantId: string | undefined;
}

export type AnnotationEdit =
  /** One edit of the file, and the annotations it sets. */
  | { kind: 'edit'; edit: FileEdit; changes: string[] }
  | { kind: 'current' }
  /** Not written: templated, odd layout, not found; `why` says. */
  | { kind: 'unsafe'; why: string };

/**
 * The edit that gives a ServiceAccount the client-id (and tenant-id) annotations of the
 * federated identity, where they are missing or different. Each annotation is a minimal edit
 * (an inserted line, a replaced scalar); applied one after the other and returned as one edit.
 */
export function serviceAccountAnnotationEdit(
  path: string,
  text: string,
  account: { namespace: string; name: string },
  wish: AnnotationWish,
  namespaceOf: (obj: K8sObject) => string,
): AnnotationEdit {
  const wanted: Array<[string, string]> = [[WI_CLIENT_ID, wish.clientId], ...(wish.tenantId ? [[WI_TENANT_ID, wish.tenantId] as [string, string]] : [])];
  let current = text;
  const changes: string[] = [];
  for (const [key, value] of wanted) {
    const file = parseManifestFile(path, current);
    const obj = file.docs
      .flatMap((d) => d.objects)
      .find((o) => o.kind === 'ServiceAccount' && o.name === account.name && namespaceOf(o) === account.namespace);
    if (!obj) return { kind: 'unsafe', why: `ServiceAccount ${account.namespace}/${account.name} is no longer in ${path}` };
    const target: EditTarget = { file, doc: obj.doc };
    const annotations = annotationsOf(metadataOf(obj));
    const pair = annotations ? pairOf(annotations, key) : undefined;
    let edit: TextEdit | undefined;
    if (pair) {
      if (scalarString(pair.value) === value) continue;
      edit = isScalar(pair.value) ? replaceScalar(target, pair.value, value) : undefined;
    } else if (!holdsTemplate(target, obj.node, ['metadata', 'annotations'])) {
      edit = insertAtPath(target, obj.node, ['metadata', 'annotations'], key, JSON.stringify(value));
    }
    if (!edit) return { kind: 'unsafe', why: `the ${key} annotation of ServiceAccount ${account.namespace}/${account.name} is templated or laid out in a way that cannot be edited safely` };
    current = applyEdits(current, [edit]);
    changes.push(`${key}: ${value}`);
  }
  const edit = diffEdit(text, current);
  return edit ? { kind: 'edit', edit: { ...edit, file: path }, changes } : { kind: 'current' };
}
