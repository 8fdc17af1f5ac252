import type { FileEdit } from './edits';
import { PLACEHOLDER_CLIENT_ID, WI_CLIENT_ID, WI_TENANT_ID } from './k8s';
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
 * A new ServiceAccount document annotated for workload identity, appended at the end of the
 * workload's own file in its indentation and line endings. Without a client id it holds the
 * placeholder, marked for a human to fill in.
 */
export function appendServiceAccount(t: EditTarget, sa: NewServiceAccount): FileEdit {
  const step = ' '.repeat(indentStep(t));
  const lines = ['apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `${step}name: ${scalarText(sa.name)}`];
  if (sa.writeNamespace) lines.push(`${step}namespace: ${scalarText(sa.namespace)}`);
  lines.push(`${step}annotations:`, `${step}${step}${WI_CLIENT_ID}: ${JSON.stringify(sa.clientId ?? PLACEHOLDER_CLIENT_ID)}`);
  if (sa.clientId && sa.tenantId) lines.push(`${step}${step}${WI_TENANT_ID}: ${JSON.stringify(sa.tenantId)}`);
  const last = t.file.docs[t.file.docs.length - 1];
  const edit = appendDocument({ file: t.file, doc: last }, lines);
  const at = edit.text.indexOf(PLACEHOLDER_CLIENT_ID);
  return { ...edit, file: t.file.path, ...(sa.clientId ? {} : { placeholders: [{ offset: at, length: PLACEHOLDER_CLIENT_ID.length }] }) };
}
