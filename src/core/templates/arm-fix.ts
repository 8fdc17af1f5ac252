import type { TextEdit } from '../edits';
import { jsonc, type ArmCluster, type ArmPodIdentity } from './arm';
import { AUDIENCE, literalIdentityReason, type CredentialPlan } from './credentials';
import type { FormattingOptions, JsonNode } from './jsonc';
import type { TemplateMigration } from './migration';

type JsonPath = (string | number)[];

const FIC_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';
const FIC_API_VERSION = '2023-01-31';

/**
 * The edit that moves an ARM cluster from its pod identity profile to workload identity, made with
 * jsonc-parser's `modify` one change at a time (comments and the rest of the text kept, new JSON
 * in the file's indentation and line endings): `oidcIssuerProfile.enabled` and
 * `securityProfile.workloadIdentity.enabled` (merged into what is there), one federated credential
 * resource per pod identity and service account right after the cluster, and, when every identity
 * is carried over, `podIdentityProfile` removed. Given as one edit over the span that changed.
 * Undefined when a change cannot be made without guessing (a profile that is an expression).
 */
export function migrateArmCluster(text: string, cluster: ArmCluster, plans: ReadonlyMap<ArmPodIdentity, CredentialPlan[] | undefined>): TemplateMigration | undefined {
  const { modify, applyEdits, getNodePath, findNodeAtLocation } = jsonc();
  const options = formattingOf(text);
  const clusterPath = getNodePath(cluster.node);
  let current = text;
  const change = (path: JsonPath, value: unknown, isArrayInsertion = false) => {
    current = applyEdits(current, modify(current, path, value, { formattingOptions: options, isArrayInsertion }));
  };
  const root = () => jsonc().parseTree(current)!;
  const at = (path: JsonPath) => findNodeAtLocation(root(), path);

  for (const path of [['oidcIssuerProfile', 'enabled'], ['securityProfile', 'workloadIdentity', 'enabled']]) {
    const full = [...clusterPath, 'properties', ...path];
    for (let i = clusterPath.length + 1; i < full.length; i++) {
      const node = at(full.slice(0, i));
      if (node && node.type !== 'object') return undefined;
    }
    const enabled = at(full);
    if (enabled && enabled.type !== 'boolean') return undefined;
    if (enabled?.value !== true) change(full, true);
  }

  const missing: string[] = [];
  const container = clusterPath.slice(0, -1);
  const position = clusterPath[clusterPath.length - 1];
  const existing = existingCredentials(root());
  const declaredIdentities = identityNames(root());
  let added = 0;
  for (const identity of cluster.identities) {
    const plan = plans.get(identity);
    const label = identity.record.name ?? 'a pod identity';
    if (identity.identityName && existing.some((c) => c.name.includes(identity.identityName!) && c.subject.startsWith(`system:serviceaccount:${identity.record.namespace ?? ''}:`))) continue;
    if (!plan) {
      missing.push(`${label} (its namespace or name is not a literal)`);
      continue;
    }
    if (!identity.identityName || typeof position !== 'number') {
      const literal = identity.identityName ? undefined : literalIdentityReason(identity.record, plan);
      missing.push(`${label} (${literal ?? "its identity is not named by resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', …) in this template"})`);
      continue;
    }
    let previous: string | undefined;
    for (const credential of plan) {
      const declared = declaredIdentities.has(identity.identityName.replace(/\s+/g, ''));
      change([...container, position + 1 + added], credentialResource(cluster, identity.identityName, credential, previous, declared), true);
      previous = credential.name;
      added++;
    }
  }

  const removed = cluster.complete && missing.length === 0;
  if (removed) change([...clusterPath, 'properties', 'podIdentityProfile'], undefined);
  return { edits: current === text ? [] : [difference(text, current)], removed, missing, credentials: added };
}

function credentialResource(cluster: ArmCluster, identityName: string, credential: CredentialPlan, after: string | undefined, declared: boolean): object {
  const clusterId = `resourceId('Microsoft.ContainerService/managedClusters', ${cluster.nameExpression})`;
  const identityId = `resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', ${identityName})`;
  const reference = cluster.apiVersion ? `reference(${clusterId}, '${cluster.apiVersion}')` : `reference(${clusterId})`;
  return {
    type: FIC_TYPE,
    apiVersion: FIC_API_VERSION,
    name: `[format('{0}/{1}', ${identityName}, '${credential.name}')]`,
    // The identity, when this template deploys it too: ARM orders a parent only when told.
    dependsOn: [...(declared ? [`[${identityId}]`] : []), `[${clusterId}]`, ...(after ? [`[resourceId('${FIC_TYPE}', ${identityName}, '${after}')]`] : [])],
    properties: { issuer: `[${reference}.oidcIssuerProfile.issuerURL]`, subject: credential.subject, audiences: [AUDIENCE] },
  };
}

/** The name expressions (`parameters('x')`, `'id-orders'`, spaces dropped) of the user-assigned identities the template deploys. */
function identityNames(root: JsonNode): Set<string> {
  const { findNodeAtLocation } = jsonc();
  const out = new Set<string>();
  const visit = (node: JsonNode): void => {
    if (node.type === 'object') {
      const type: unknown = findNodeAtLocation(node, ['type'])?.value;
      const name: unknown = findNodeAtLocation(node, ['name'])?.value;
      if (typeof type === 'string' && type.toLowerCase() === 'microsoft.managedidentity/userassignedidentities' && typeof name === 'string') {
        out.add((name.startsWith('[') && !name.startsWith('[[') ? name.slice(1, -1) : `'${name.replace(/'/g, "''")}'`).replace(/\s+/g, ''));
      }
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(root);
  return out;
}

/** Federated credential resources anywhere in the template: their raw name and subject. */
function existingCredentials(root: JsonNode): { name: string; subject: string }[] {
  const out: { name: string; subject: string }[] = [];
  const visit = (node: JsonNode): void => {
    if (node.type === 'object') {
      const { findNodeAtLocation } = jsonc();
      const type: unknown = findNodeAtLocation(node, ['type'])?.value;
      if (typeof type === 'string' && type.toLowerCase() === FIC_TYPE.toLowerCase()) {
        out.push({ name: String(findNodeAtLocation(node, ['name'])?.value ?? ''), subject: String(findNodeAtLocation(node, ['properties', 'subject'])?.value ?? '') });
      }
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(root);
  return out;
}

/** The file's indentation (tabs, or the smallest indent in spaces) and line ending. */
function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = [...text.matchAll(/\n([ \t]+)\S/g)].map((m) => m[1]);
  if (indents.some((i) => i.startsWith('\t'))) return { insertSpaces: false, tabSize: 4, eol };
  const size = indents.length ? Math.min(...indents.map((i) => i.length)) : 2;
  return { insertSpaces: true, tabSize: size, eol };
}

/** One edit from `before` to `after`: the span between their common prefix and suffix. */
function difference(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, end: before.length - end, text: after.slice(start, after.length - end) };
}
