import { isScalar, type YAMLMap } from 'yaml';
import type { FileEdit, TextEdit } from './edits';
import { annotationsOf, metadataOf, pairOf, PLACEHOLDER_CLIENT_ID, scalarString, WI_CLIENT_ID, WI_TENANT_ID } from './k8s';
import type { K8sObject, ManifestFile } from './model';
import { identityMarker, withIdentityMarker } from './addon-fill';
import type { WorkspaceIndex } from './workspace';
import { appendDocument, fillEmptyMap, holdsTemplate, indentStep, insertMapPair, insertPair, replacePair, replaceScalar, scalarText, templatedNode, type EditTarget } from './yaml-edit';

export interface NewServiceAccount {
  name: string;
  namespace: string;
  /** Write `namespace:` (only when the workload wrote one: else it follows the workload). */
  writeNamespace: boolean;
  clientId: string | undefined;
  tenantId: string | undefined;
  /** The managed identity's resource id, named beside the placeholder when the client id is unknown (core/addon-fill.ts). */
  resourceId?: string;
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
  const lines = serviceAccountLines(t, sa.name, sa.writeNamespace ? sa.namespace : undefined, sa);
  const edit = t.file.masked.actions.length > 0 ? newFileEdit(t, sa.name, lines, index) : appendToFile(t.file, t.file.path, lines);
  const at = edit.text.indexOf(PLACEHOLDER_CLIENT_ID);
  return { ...edit, ...(sa.clientId ? {} : { placeholders: [{ offset: at, length: PLACEHOLDER_CLIENT_ID.length }] }) };
}

/**
 * The lines of a ServiceAccount (or a patch of one) carrying the workload identity annotations, in
 * `t`'s indentation: the placeholder client id when it is unknown, the tenant id with a known one.
 */
export function serviceAccountLines(t: EditTarget, name: string, namespace: string | undefined, ids: { clientId?: string; tenantId?: string; resourceId?: string }): string[] {
  const step = ' '.repeat(indentStep(t));
  const lines = ['apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `${step}name: ${scalarText(name)}`];
  if (namespace) lines.push(`${step}namespace: ${scalarText(namespace)}`);
  lines.push(`${step}annotations:`, `${step}${step}${WI_CLIENT_ID}: ${JSON.stringify(ids.clientId ?? PLACEHOLDER_CLIENT_ID)}${ids.clientId ? '' : identityMarker(ids.resourceId)}`);
  if (ids.clientId && ids.tenantId) lines.push(`${step}${step}${WI_TENANT_ID}: ${JSON.stringify(ids.tenantId)}`);
  return lines;
}

function appendToFile(file: ManifestFile, path: string, lines: string[]): FileEdit {
  const last = file.docs[file.docs.length - 1];
  // Documents the pre-scan left unparsed may come after it: the new one goes after them.
  const end = Math.max(last.end, file.skipped?.at(-1)?.end ?? 0);
  return { ...appendDocument({ file, doc: { ...last, end } }, lines), file: path };
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

/** The ids a ServiceAccount's workload identity annotations should carry. */
export interface AccountIds {
  /** Unknown: the placeholder is written where the annotation is missing or empty. */
  clientId: string | undefined;
  tenantId: string | undefined;
  /** The identity the ids were found for (an IdentityLookup's): its resource id is named beside a placeholder. */
  identity?: { resourceID?: string };
}

export type AccountAnnotation =
  /** `changes`: "key: value" of each annotation set; `placeholder`: the client id is left to fill in. */
  | { edits: TextEdit[]; changes: string[]; placeholder: boolean; kept: string[] }
  /** The annotation `key` (or `annotations:`) cannot be edited safely. */
  | { unsafe: string };

/**
 * The minimal edits (a replaced scalar, inserted lines, in the file's own indentation and quoting)
 * that give ServiceAccount `obj` the workload identity annotations, computed on one parse:
 * - the client id is inserted where missing, written into an empty value, and replaced where a
 *   different literal is written (unless the id is unknown); a templated value is kept and named
 *   in `kept`;
 * - with a known client id, the tenant id is inserted along with an inserted client id, and with
 *   `setTenant` inserted or replaced whenever it differs.
 */
export function annotateServiceAccount(t: EditTarget, obj: K8sObject, ids: AccountIds, options: { setTenant?: boolean } = {}): AccountAnnotation {
  // `annotations:` rendered by a template: adding keys could duplicate them.
  return annotateIn(t, metadataOf(obj), ids, options, holdsTemplate(t, obj.node, ['metadata', 'annotations']));
}

/**
 * `annotateServiceAccount` for any map that holds an account's `annotations:`: its `metadata`, or
 * a chart's `serviceAccount` values (helm create's `serviceAccount.annotations`).
 */
export function annotateIn(t: EditTarget, meta: YAMLMap | undefined, ids: AccountIds, options: { setTenant?: boolean } = {}, rendered = false): AccountAnnotation {
  const annotations = annotationsOf(meta);
  const edits: Array<[string, TextEdit | undefined]> = [];
  const inserts: Array<[string, string]> = [];
  const changes: string[] = [];
  const kept: string[] = [];
  const set = (key: string, value: string | undefined, replace: boolean, insert: boolean): boolean => {
    const pair = annotations ? pairOf(annotations, key) : undefined;
    const text = JSON.stringify(value ?? PLACEHOLDER_CLIENT_ID);
    const current = scalarString(pair?.value);
    if (pair && current) {
      if (templatedNode(t, pair.value)) kept.push(key);
      if (templatedNode(t, pair.value) || !value || !replace || current.toLowerCase() === value.toLowerCase()) return false;
      edits.push([key, isScalar(pair.value) ? replaceScalar(t, pair.value, value) : undefined]);
    } else if (pair) {
      edits.push([key, replacePair(t, pair, key, text)]);
    } else if (insert) {
      inserts.push([key, text]);
    } else return false;
    changes.push(`${key}: ${value ?? PLACEHOLDER_CLIENT_ID}`);
    return true;
  };
  set(WI_CLIENT_ID, ids.clientId, true, true);
  const clientInserted = inserts.length > 0;
  if (ids.clientId && ids.tenantId) set(WI_TENANT_ID, ids.tenantId, options.setTenant === true, clientInserted || options.setTenant === true);
  if (inserts.length > 0) {
    // `annotations:` written but empty (or not a map), or rendered by a template.
    if (!meta || (!annotations && pairOf(meta, 'annotations')) || rendered) return { unsafe: 'annotations' };
    edits.push(...insertAnnotations(t, meta, annotations, inserts));
  }
  const unsafe = edits.find(([, e]) => e === undefined);
  if (unsafe) return { unsafe: unsafe[0] };
  const marked = (e: TextEdit) => (ids.clientId ? e : withIdentityMarker(e, t.file.text, ids.identity?.resourceID));
  return { edits: edits.map(([, e]) => marked(e!)), changes, placeholder: !ids.clientId && changes.length > 0, kept };
}

/** New annotations: in the map there is (an empty `{}` filled in one edit), or in a new `annotations:`. */
export function insertAnnotations(t: EditTarget, meta: YAMLMap, annotations: YAMLMap | undefined, inserts: Array<[string, string]>): Array<[string, TextEdit | undefined]> {
  if (!annotations) return [['annotations', insertMapPair(t, meta, 'annotations', inserts)]];
  if (annotations.items.length === 0 && annotations.flow) return [['annotations', fillEmptyMap(t, meta, pairOf(meta, 'annotations')!, inserts)]];
  return inserts.map(([k, v]) => [k, insertPair(t, annotations, k, v)]);
}
