import type { AddonPodIdentity, AddonPodIdentityException } from '../addon';
import type { JsonNode, ParseError } from './jsonc';
import { definedOnly, type TemplateReading } from './model';

type Jsonc = typeof import('./jsonc');
let loaded: Jsonc | undefined;

/**
 * jsonc-parser, loaded on the first ARM template that names pod identity: in the editor's bundle
 * `./jsonc` is the sibling bundle dist/jsonc.js (scripts/bundles.cjs), so activation never loads it.
 */
export function jsonc(): Jsonc {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, from a bundle of its own
  return (loaded ??= require('./jsonc') as Jsonc);
}

/** The schema of every deployment template scope (resource group, subscription, management group, tenant). */
const SCHEMA = /deploymentTemplate\.json#/i;

/** Cheap, before any parse: a JSON file that names a deployment template schema and pod identity. */
function mayBeArmPodIdentity(text: string): boolean {
  return SCHEMA.test(text) && /podIdentityProfile/i.test(text);
}

/** A pod identity of an ARM cluster, with what the fix needs beside the record. */
export interface ArmPodIdentity {
  record: AddonPodIdentity;
  /** The ARM expression naming the user-assigned identity, when `identity.resourceId` is `[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', <it>)]`. */
  identityName?: string;
}

export interface ArmCluster {
  /** The resource object. */
  node: JsonNode;
  /** Its name, when literal or resolved. */
  name?: string;
  /** The ARM expression of the cluster's name (`parameters('clusterName')`, `'aks-prod'`). */
  nameExpression: string;
  apiVersion?: string;
  /** The `podIdentityProfile` property node (key and value). */
  profile: JsonNode;
  identities: ArmPodIdentity[];
  exceptions: AddonPodIdentityException[];
  /** Every identity and exception the profile declares is read. */
  complete: boolean;
}

export interface ArmFile {
  root: JsonNode;
  clusters: ArmCluster[];
}

/** The pod identities and exceptions an ARM template's managed clusters declare (the add-on's reader signature). */
export function readArmTemplate(text: string): TemplateReading {
  const clusters = readArm(text)?.clusters ?? [];
  return { identities: clusters.flatMap((c) => c.identities.map((i) => i.record)), exceptions: clusters.flatMap((c) => c.exceptions) };
}

/** Scope of `parameters('x')` and `variables('x')`: the template that holds the expression. */
interface Scope {
  parameters?: JsonNode;
  variables?: JsonNode;
}

/** The template's clusters with pod identity enabled; undefined when the text is no deployment template or does not parse cleanly. */
export function readArm(text: string): ArmFile | undefined {
  if (!mayBeArmPodIdentity(text)) return undefined;
  const { parseTree, findNodeAtLocation } = jsonc();
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  if (!root || errors.length || root.type !== 'object') return undefined;
  const schema = findNodeAtLocation(root, ['$schema']);
  if (schema?.type !== 'string' || !SCHEMA.test(String(schema.value))) return undefined;
  const clusters: ArmCluster[] = [];
  walkResources(findNodeAtLocation(root, ['resources']), scopeOf(root), clusters);
  return { root, clusters };
}

function scopeOf(template: JsonNode): Scope {
  const { findNodeAtLocation } = jsonc();
  return { parameters: findNodeAtLocation(template, ['parameters']), variables: findNodeAtLocation(template, ['variables']) };
}

/** Resources as an array, or (languageVersion 2.0) an object of symbolic names. */
function resourceNodes(resources: JsonNode | undefined): JsonNode[] {
  if (resources?.type === 'array') return resources.children ?? [];
  if (resources?.type === 'object') return (resources.children ?? []).flatMap((p) => (p.children?.[1] ? [p.children[1]] : []));
  return [];
}

function walkResources(resources: JsonNode | undefined, scope: Scope, out: ArmCluster[]): void {
  const { findNodeAtLocation } = jsonc();
  for (const resource of resourceNodes(resources)) {
    if (resource.type !== 'object') continue;
    const type = stringValue(findNodeAtLocation(resource, ['type']))?.toLowerCase();
    if (type === 'microsoft.containerservice/managedclusters') {
      const cluster = readCluster(resource, scope);
      if (cluster) out.push(cluster);
    }
    walkResources(findNodeAtLocation(resource, ['resources']), scope, out);
    if (type === 'microsoft.resources/deployments') {
      const template = findNodeAtLocation(resource, ['properties', 'template']);
      const inner = stringValue(findNodeAtLocation(resource, ['properties', 'expressionEvaluationOptions', 'scope']))?.toLowerCase() === 'inner';
      if (template?.type === 'object') walkResources(findNodeAtLocation(template, ['resources']), inner ? scopeOf(template) : scope, out);
    }
  }
}

function readCluster(resource: JsonNode, scope: Scope): ArmCluster | undefined {
  const { findNodeAtLocation } = jsonc();
  const profileValue = findNodeAtLocation(resource, ['properties', 'podIdentityProfile']);
  const enabled = findNodeAtLocation(resource, ['properties', 'podIdentityProfile', 'enabled']);
  // Enabled only when it says so literally: `[parameters('enablePodIdentity')]` is no reading.
  if (!profileValue?.parent || enabled?.type !== 'boolean' || enabled.value !== true) return undefined;
  const nameNode = findNodeAtLocation(resource, ['name']);
  const nameRaw = stringValue(nameNode);
  if (nameRaw === undefined) return undefined;
  const literalName = resolve(nameNode, scope);
  const cluster = literalName !== undefined ? { name: literalName } : undefined;
  const nameExpression = isExpression(nameRaw) ? nameRaw.slice(1, -1).trim() : `'${unescapeLiteral(nameRaw).replace(/'/g, "''")}'`;
  let complete = true;
  const identities: ArmPodIdentity[] = [];
  const list = findNodeAtLocation(profileValue, ['userAssignedIdentities']);
  if (list && list.type !== 'array') complete = false;
  for (const item of list?.type === 'array' ? (list.children ?? []) : []) {
    if (item.type !== 'object') {
      complete = false;
      continue;
    }
    const at = (...path: string[]) => resolve(findNodeAtLocation(item, path), scope);
    const fields = { name: at('name'), namespace: at('namespace'), bindingSelector: at('bindingSelector'), resourceId: at('identity', 'resourceId'), clientId: at('identity', 'clientId') };
    const record: AddonPodIdentity = { ...definedOnly(fields), ...(cluster ? { cluster } : {}), start: item.offset, end: item.offset + item.length };
    const identityName = identityNameOf(stringValue(findNodeAtLocation(item, ['identity', 'resourceId'])));
    identities.push({ record, ...(identityName ? { identityName } : {}) });
  }
  const exceptions: AddonPodIdentityException[] = [];
  const exceptionList = findNodeAtLocation(profileValue, ['userAssignedIdentityExceptions']);
  if (exceptionList && exceptionList.type !== 'array') complete = false;
  for (const item of exceptionList?.type === 'array' ? (exceptionList.children ?? []) : []) {
    if (item.type !== 'object') {
      complete = false;
      continue;
    }
    const labels = findNodeAtLocation(item, ['podLabels']);
    const podLabels =
      labels?.type === 'object'
        ? Object.fromEntries((labels.children ?? []).flatMap((p) => {
            const key = stringValue(p.children?.[0]);
            const value = resolve(p.children?.[1], scope);
            return key !== undefined && value !== undefined ? [[key, value]] : [];
          }))
        : undefined;
    const fields = { name: resolve(findNodeAtLocation(item, ['name']), scope), namespace: resolve(findNodeAtLocation(item, ['namespace']), scope) };
    exceptions.push({ ...definedOnly(fields), ...(podLabels ? { podLabels } : {}), start: item.offset, end: item.offset + item.length });
  }
  const apiVersion = stringValue(findNodeAtLocation(resource, ['apiVersion']));
  return { node: resource, ...cluster, nameExpression, ...(apiVersion && !isExpression(apiVersion) ? { apiVersion } : {}), profile: profileValue.parent, identities, exceptions, complete };
}

const stringValue = (node: JsonNode | undefined): string | undefined => (node?.type === 'string' ? String(node.value) : undefined);

/** `[…]` is an ARM expression; `[[…` is a literal that starts with `[`. */
const isExpression = (s: string): boolean => s.startsWith('[') && !s.startsWith('[[') && s.endsWith(']');
const unescapeLiteral = (s: string): string => (s.startsWith('[[') ? s.slice(1) : s);

/**
 * A string node's value when the template says it: a literal, or `[parameters('x')]` with a literal
 * default, or `[variables('x')]` holding a literal. Any other expression: undefined.
 */
function resolve(node: JsonNode | undefined, scope: Scope, depth = 0): string | undefined {
  const raw = stringValue(node);
  if (raw === undefined || depth > 8) return undefined;
  if (!isExpression(raw)) return unescapeLiteral(raw);
  const m = /^\[\s*(parameters|variables)\(\s*'([^']*)'\s*\)\s*\]$/.exec(raw);
  if (!m) return undefined;
  const { findNodeAtLocation } = jsonc();
  const target = m[1] === 'parameters' ? findNodeAtLocation(scope.parameters ?? emptyNode, [m[2], 'defaultValue']) : findNodeAtLocation(scope.variables ?? emptyNode, [m[2]]);
  return resolve(target, scope, depth + 1);
}

const emptyNode: JsonNode = { type: 'object', offset: 0, length: 0, children: [] };

/** The identity's name expression out of `[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', <name>)]` (one argument: the deployment's resource group). */
function identityNameOf(resourceId: string | undefined): string | undefined {
  const m = resourceId && /^\[\s*resourceId\(\s*'Microsoft\.ManagedIdentity\/userAssignedIdentities'\s*,(.*)\)\s*\]$/i.exec(resourceId);
  if (!m) return undefined;
  const arg = m[1].trim();
  return topLevelCommas(arg) === 0 && arg ? arg : undefined;
}

/** Commas outside parentheses and quotes. */
function topLevelCommas(expr: string): number {
  let depth = 0;
  let quoted = false;
  let commas = 0;
  for (const c of expr) {
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && c === ',' && depth === 0) commas++;
  }
  return commas;
}
