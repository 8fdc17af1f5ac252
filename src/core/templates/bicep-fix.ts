import type { TextEdit } from '../edits';
import { BICEP_FIC_TYPE, type BicepCluster, type BicepFile, type BicepPodIdentity } from './bicep';
import { propOf, type BicepDeclaration, type BicepValue } from './bicep-syntax';
import { AUDIENCE, literalIdentityReason, type CredentialPlan } from './credentials';
import type { TemplateMigration } from './migration';

const FIC_PREFIX = 'microsoft.managedidentity/userassignedidentities/federatedidentitycredentials@';

/**
 * The edits that move a Bicep cluster from its pod identity profile to workload identity, in the
 * file's own indentation and line endings: `oidcIssuerProfile.enabled` and
 * `securityProfile.workloadIdentity.enabled` (merged into objects already there), one federated
 * credential resource per pod identity and service account after the cluster's declaration, and,
 * when every identity is carried over, the profile's lines removed. Undefined when an edit cannot
 * be made without guessing (a profile written as an expression, an object on one line).
 */
export function migrateBicepCluster(text: string, file: BicepFile, cluster: BicepCluster, plans: ReadonlyMap<BicepPodIdentity, CredentialPlan[] | undefined>): TemplateMigration | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const profileLine = lineStart(text, cluster.profile.start);
  if (text.slice(profileLine, cluster.profile.start).trim() !== '') return undefined;
  const indent = text.slice(profileLine, cluster.profile.start);
  const unit = unitOf(text, cluster.profile.value, indent);
  const edits: TextEdit[] = [];
  const newProps: string[] = [];

  const oidc = propOf(cluster.properties, 'oidcIssuerProfile');
  if (!oidc) newProps.push('oidcIssuerProfile: {', `${unit}enabled: true`, '}');
  else if (!enable(text, oidc.value, [], unit, eol, edits)) return undefined;
  const security = propOf(cluster.properties, 'securityProfile');
  if (!security) newProps.push('securityProfile: {', `${unit}workloadIdentity: {`, `${unit}${unit}enabled: true`, `${unit}}`, '}');
  else if (!enable(text, security.value, ['workloadIdentity'], unit, eol, edits)) return undefined;

  const missing: string[] = [];
  const symbols = new Set(file.declarations.map((d) => d.symbol));
  const resources: string[] = [];
  for (const identity of cluster.identities) {
    const plan = plans.get(identity);
    const label = identity.record.name ?? 'a pod identity';
    if (identity.identitySymbol && hasCredential(file.declarations, identity.identitySymbol, identity.record.namespace)) continue;
    if (!plan) {
      missing.push(`${label} (its namespace or name is not a literal)`);
      continue;
    }
    if (!identity.identitySymbol || cluster.declaration.parent) {
      const literal = identity.identitySymbol ? undefined : literalIdentityReason(identity.record, plan);
      missing.push(`${label} (${literal ?? 'its identity is not a user-assigned identity declared in this file'})`);
      continue;
    }
    let previous: string | undefined;
    for (const credential of plan) {
      const symbol = uniqueSymbol(`${identity.identitySymbol}FederatedCredential${plan.length > 1 ? capitalised(credential.serviceAccount) : ''}`, symbols);
      resources.push(credentialResource(symbol, identity.identitySymbol, cluster.declaration.symbol, credential, previous, unit, eol));
      previous = symbol;
    }
  }
  if (resources.length) edits.push({ start: cluster.declaration.end, end: cluster.declaration.end, text: resources.map((r) => eol + eol + r).join('') });

  const removed = cluster.complete && missing.length === 0;
  const propsText = newProps.map((l) => indent + l + eol).join('');
  if (removed) {
    const end = lineEnd(text, cluster.profile.value.end);
    const rest = text.slice(cluster.profile.value.end, end).trim();
    if (rest !== '' && !rest.startsWith('//')) return undefined;
    edits.push({ start: commentsAbove(text, profileLine), end, text: propsText });
  } else if (propsText) edits.push({ start: profileLine, end: profileLine, text: propsText });
  return { edits, removed, missing, credentials: resources.length };
}

/** Sets `enabled: true` in the object at `path` inside `value` (adding what is missing); false when it cannot. */
function enable(text: string, value: BicepValue, path: readonly string[], unit: string, eol: string, edits: TextEdit[]): boolean {
  if (value.kind !== 'object') return false;
  if (path.length) {
    const inner = propOf(value, path[0]);
    if (inner) return enable(text, inner.value, path.slice(1), unit, eol, edits);
    const lines = [`${path[0]}: {`, ...path.slice(1).map((k, i) => `${unit.repeat(i + 1)}${k}: {`), `${unit.repeat(path.length)}enabled: true`];
    for (let i = path.length - 1; i >= 0; i--) lines.push(`${unit.repeat(i)}}`);
    return insertLines(text, value, lines, unit, eol, edits);
  }
  const enabled = propOf(value, 'enabled');
  if (!enabled) return insertLines(text, value, ['enabled: true'], unit, eol, edits);
  if (enabled.value.kind !== 'literal' || typeof enabled.value.value !== 'boolean') return false;
  if (!enabled.value.value) edits.push({ start: enabled.value.start, end: enabled.value.end, text: 'true' });
  return true;
}

/** Lines added at the end of an object written over lines (or `{}`), at its properties' indentation. */
function insertLines(text: string, object: BicepValue & { kind: 'object' }, lines: readonly string[], unit: string, eol: string, edits: TextEdit[]): boolean {
  const keyIndent = indentOf(text, object.start);
  if (object.props.length === 0 && object.children.length === 0 && text.slice(object.start + 1, object.end - 1).trim() === '') {
    const inner = keyIndent + unit;
    edits.push({ start: object.start, end: object.end, text: `{${eol}${lines.map((l) => inner + l + eol).join('')}${keyIndent}}` });
    return true;
  }
  const closeLine = lineStart(text, object.end - 1);
  if (text.slice(closeLine, object.end - 1).trim() !== '' || !text.slice(object.start, object.end).includes('\n')) return false;
  const inner = object.props.length ? indentOf(text, object.props[0].start) : keyIndent + unit;
  edits.push({ start: closeLine, end: closeLine, text: lines.map((l) => inner + l + eol).join('') });
  return true;
}

/** A federated credential resource declared in the file for the identity `identity` (as its `parent` or nested in it) with a subject in `namespace`. */
function hasCredential(declarations: readonly BicepDeclaration[], identity: string, namespace: string | undefined): boolean {
  return declarations.some((d) => {
    const type = d.type?.toLowerCase() ?? '';
    const ofIdentity = (type.startsWith(FIC_PREFIX) && expressionText(propOf(d.value, 'parent')?.value) === identity) || (d.parent === identity && type.startsWith('federatedidentitycredentials@'));
    const subject = propOf(propOf(d.value, 'properties')?.value, 'subject')?.value;
    return ofIdentity && (namespace === undefined || subject?.kind !== 'string' || subject.value.startsWith(`system:serviceaccount:${namespace}:`));
  });
}

const expressionText = (value: BicepValue | undefined): string | undefined => (value?.kind === 'expression' ? value.text : undefined);

function credentialResource(symbol: string, identity: string, cluster: string, credential: CredentialPlan, after: string | undefined, u: string, eol: string): string {
  return [
    `resource ${symbol} '${BICEP_FIC_TYPE}' = {`,
    `${u}parent: ${identity}`,
    `${u}name: '${credential.name}'`,
    ...(after ? [`${u}dependsOn: [`, `${u}${u}${after}`, `${u}]`] : []),
    `${u}properties: {`,
    `${u}${u}issuer: ${cluster}.properties.oidcIssuerProfile.issuerURL`,
    `${u}${u}subject: '${credential.subject}'`,
    `${u}${u}audiences: [`,
    `${u}${u}${u}'${AUDIENCE}'`,
    `${u}${u}]`,
    `${u}}`,
    '}',
  ].join(eol);
}

function uniqueSymbol(base: string, taken: Set<string>): string {
  let symbol = base.replace(/[^A-Za-z0-9_]/g, '');
  for (let n = 2; taken.has(symbol); n++) symbol = `${base}${n}`;
  taken.add(symbol);
  return symbol;
}

const capitalised = (s: string): string => s.replace(/(^|[-_.])([a-z0-9])/g, (_, _sep: string, c: string) => c.toUpperCase());

/** The indentation one level adds: the profile's first property's, beyond the profile's own; two spaces when it has none. */
function unitOf(text: string, profile: BicepValue, indent: string): string {
  const first = profile.kind === 'object' ? profile.props[0] : undefined;
  const inner = first ? indentOf(text, first.start) : '';
  return inner.startsWith(indent) && inner.length > indent.length ? inner.slice(indent.length) : '  ';
}

/** The start of the `//` comment lines right above the line at `line`: they speak of what is on it. */
function commentsAbove(text: string, line: number): number {
  let start = line;
  while (start > 0) {
    const previous = lineStart(text, start - 1);
    if (!text.slice(previous, start).trim().startsWith('//')) break;
    start = previous;
  }
  return start;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset after the end of the line holding `offset` (its line break included). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** The leading whitespace of the line holding `offset`. */
function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}
