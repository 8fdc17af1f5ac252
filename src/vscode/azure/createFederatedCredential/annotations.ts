import { applyEdits, diffEdit, type FileEdit } from '../../../core/edits';
import { parseManifestFile, type K8sObject } from '../../../core/model';
import { annotateServiceAccount } from '../../../core/service-account';

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
 * federated identity, where they are missing or different: the core's minimal edits (an inserted
 * line, a replaced scalar) on one parse of the file, returned as one edit.
 */
export function serviceAccountAnnotationEdit(
  path: string,
  text: string,
  account: { namespace: string; name: string },
  wish: AnnotationWish,
  namespaceOf: (obj: K8sObject) => string,
): AnnotationEdit {
  const file = parseManifestFile(path, text);
  const obj = file.docs
    .flatMap((d) => d.objects)
    .find((o) => o.kind === 'ServiceAccount' && o.name === account.name && namespaceOf(o) === account.namespace);
  if (!obj) return { kind: 'unsafe', why: `ServiceAccount ${account.namespace}/${account.name} is no longer in ${path}` };
  // In a template read as if/else alternatives, the edit could land in a branch that others do not render.
  if (obj.doc.branches) return { kind: 'unsafe', why: `ServiceAccount ${account.namespace}/${account.name} is in a template with if/else branches, which cannot be edited safely` };
  const result = annotateServiceAccount({ file, doc: obj.doc }, obj, wish, { setTenant: true });
  // A templated annotation is kept by the core; the command cannot set it either.
  if ('unsafe' in result || result.kept.length > 0) {
    const key = 'unsafe' in result ? result.unsafe : result.kept[0];
    const what = key === 'annotations' ? 'annotations' : `${key} annotation`;
    return { kind: 'unsafe', why: `the ${what} of ServiceAccount ${account.namespace}/${account.name} is templated or laid out in a way that cannot be edited safely` };
  }
  const edit = diffEdit(text, applyEdits(text, result.edits));
  return edit ? { kind: 'edit', edit: { ...edit, file: path }, changes: result.changes } : { kind: 'current' };
}
