import type { TextEdit } from './edits';
import { PLACEHOLDER_CLIENT_ID } from './k8s';

/**
 * Where the migration writes the placeholder client id for a managed identity it knows by resource
 * id only (a pod identity of the AKS add-on named by `--identity-resource-id` or a template's
 * `identity.resourceId`, an AzureIdentity with a `resourceID` and no `clientID`), it says which
 * identity on the same line, in a YAML comment:
 *
 *     azure.workload.identity/client-id: "<managed-identity-client-id>" # client id of /subscriptions/…/userAssignedIdentities/orders
 *
 * The migration removes the label, binding and `az aks pod-identity add` that led to the identity,
 * so the comment is what still ties the placeholder to it: a reader sees which client id to write,
 * and "Fill in client ids from Azure" reads it back (`placeholdersIn`) and writes the client id in
 * place of the placeholder (the comment stays true and stays).
 */
const MARKER = '# client id of ';

/** An ARM resource id of a user-assigned managed identity (the only kind a marker names). */
const IDENTITY_RESOURCE_ID = /^\/subscriptions\/[^/\s#]+\/resourceGroups\/[^/\s#]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/\s#]+$/i;

function isIdentityResourceId(id: string | undefined): id is string {
  return id !== undefined && IDENTITY_RESOURCE_ID.test(id);
}

/** The comment that names the identity of a placeholder, with its leading space; empty when the id is no identity's resource id. */
export function identityMarker(resourceId: string | undefined): string {
  return isIdentityResourceId(resourceId) ? ` ${MARKER}${resourceId}` : '';
}

/**
 * `edit` with the identity's marker after the quoted placeholder it writes, when the placeholder
 * ends its line once the edit is applied (a block mapping's value); otherwise (a flow map, text
 * after it on the line) unchanged: a comment there would change what the YAML means.
 */
export function withIdentityMarker<T extends TextEdit>(edit: T, fileText: string, resourceId: string | undefined): T {
  const marker = identityMarker(resourceId);
  const quoted = JSON.stringify(PLACEHOLDER_CLIENT_ID);
  const at = edit.text.indexOf(quoted);
  if (!marker || at < 0) return edit;
  const after = at + quoted.length;
  const nl = edit.text.indexOf('\n', after);
  const rest = nl < 0 ? edit.text.slice(after) + fileText.slice(edit.end, lineEnd(fileText, edit.end)) : edit.text.slice(after, nl);
  if (!/^[ \t]*\r?$/.test(rest)) return edit;
  return { ...edit, text: edit.text.slice(0, after) + marker + edit.text.slice(after) };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** A placeholder client id in a file: its offsets (the placeholder only, not its quotes) and the identity its marker names, if any. */
export interface Placeholder {
  file: string;
  start: number;
  end: number;
  /** The user-assigned identity the marker on its line names; undefined without a marker. */
  resourceId?: string;
}

const PLACEHOLDER_LINE = new RegExp(`(["']?)${PLACEHOLDER_CLIENT_ID.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\1([ \\t]+${MARKER}(\\S+))?[ \\t]*\\r?$`, 'gm');

/**
 * Every placeholder client id written as a value that ends its line (as the migration writes it),
 * with the identity its marker names. A comment that names no user-assigned identity's resource
 * id names none.
 */
export function placeholdersIn(file: string, text: string): Placeholder[] {
  if (!text.includes(PLACEHOLDER_CLIENT_ID)) return [];
  const out: Placeholder[] = [];
  for (const m of text.matchAll(PLACEHOLDER_LINE)) {
    const start = m.index + m[1].length;
    const resourceId = m[3];
    out.push({ file, start, end: start + PLACEHOLDER_CLIENT_ID.length, ...(isIdentityResourceId(resourceId) ? { resourceId } : {}) });
  }
  return out;
}

/** A user-assigned identity's resource id read into the parts ARM's GET takes. */
export function identityPartsOf(resourceId: string): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  if (!isIdentityResourceId(resourceId)) return undefined;
  const s = resourceId.split('/');
  return { subscriptionId: s[2], resourceGroup: s[4], name: s[8] };
}
