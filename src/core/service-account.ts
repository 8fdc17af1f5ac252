import type { FileEdit } from './edits';
import { PLACEHOLDER_CLIENT_ID, WI_CLIENT_ID, WI_TENANT_ID } from './k8s';
import type { ManifestFile } from './model';
import type { WorkspaceIndex } from './workspace';
import { appendDocument, indentStep, scalarText, type EditTarget } from './yaml-edit';

export interface NewServiceAccount {
  name: string;
  namespace: string;
  /** Write `namespace:` (only when the workload wrote one: else it follows the workload). */
  writeNamespace: boolean;
  clientId: string | undefined;
  tenantId: string | undefined;
}

/** The key under which fixes that create one ServiceAccount are recognised as the same. */
export function serviceAccountKey(namespace: string, name: string): string {
  return `ServiceAccount/${namespace}/${name}`;
}

/**
 * A new ServiceAccount document annotated for workload identity, in the workload's indentation
 * and line endings: appended at the end of the workload's own file, or, when that file is a Helm
 * template (whose documents may sit inside `{{ if }}` blocks), in a file of its own beside it,
 * `<name>-serviceaccount.yaml`, the way charts keep one resource per template. Without a client
 * id it holds the placeholder, marked for a human to fill in.
 */
export function appendServiceAccount(t: EditTarget, sa: NewServiceAccount, index?: WorkspaceIndex): FileEdit {
  const step = ' '.repeat(indentStep(t));
  const lines = ['apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `${step}name: ${scalarText(sa.name)}`];
  if (sa.writeNamespace) lines.push(`${step}namespace: ${scalarText(sa.namespace)}`);
  lines.push(`${step}annotations:`, `${step}${step}${WI_CLIENT_ID}: ${JSON.stringify(sa.clientId ?? PLACEHOLDER_CLIENT_ID)}`);
  if (sa.clientId && sa.tenantId) lines.push(`${step}${step}${WI_TENANT_ID}: ${JSON.stringify(sa.tenantId)}`);
  const edit = t.file.masked.actions.length > 0 ? newFileEdit(t, sa.name, lines, index) : appendToFile(t.file, t.file.path, lines);
  const at = edit.text.indexOf(PLACEHOLDER_CLIENT_ID);
  return { ...edit, ...(sa.clientId ? {} : { placeholders: [{ offset: at, length: PLACEHOLDER_CLIENT_ID.length }] }) };
}

function appendToFile(file: ManifestFile, path: string, lines: string[]): FileEdit {
  const last = file.docs[file.docs.length - 1];
  return { ...appendDocument({ file, doc: last }, lines), file: path };
}

/** The new file beside the workload's (or the end of it, if a file of that name exists already). */
function newFileEdit(t: EditTarget, name: string, lines: string[], index: WorkspaceIndex | undefined): FileEdit {
  const path = siblingPath(t.file.path, `${name}-serviceaccount.yaml`);
  const existing = index?.file(path);
  if (existing) return appendToFile(existing, path, lines);
  return { file: path, start: 0, end: 0, text: lines.join(t.file.eol) + t.file.eol };
}

/** A file in the same folder: works for file system paths and for URI strings alike. */
export function siblingPath(path: string, name: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(0, cut + 1) + name;
}
