import type { AddonPodIdentity, AddonPodIdentityException } from '../addon';
import { bicepDeclarations, propOf, type BicepDeclaration, type BicepProperty, type BicepValue } from './bicep-syntax';
import { definedOnly, type TemplateReading } from './model';

const CLUSTER_TYPE = 'microsoft.containerservice/managedclusters@';
const IDENTITY_TYPE = 'microsoft.managedidentity/userassignedidentities@';
export const BICEP_FIC_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31';

/** A pod identity of a Bicep cluster, with what the fix needs beside the record. */
export interface BicepPodIdentity {
  record: AddonPodIdentity;
  /** The symbol of the user-assigned identity resource when `identity.resourceId` is `<symbol>.id` of one declared in the file. */
  identitySymbol?: string;
}

/** A managed cluster declared with `podIdentityProfile.enabled: true`. */
export interface BicepCluster {
  declaration: BicepDeclaration;
  /** Its name, when literal. */
  name?: string;
  body: BicepValue & { kind: 'object' };
  properties: BicepValue & { kind: 'object' };
  profile: BicepProperty;
  identities: BicepPodIdentity[];
  exceptions: AddonPodIdentityException[];
  /** Every identity and exception the profile declares is read (none is an expression or a loop). */
  complete: boolean;
}

export interface BicepFile {
  declarations: BicepDeclaration[];
  clusters: BicepCluster[];
}

/** The pod identities and exceptions a Bicep file's managed clusters declare (the add-on's reader signature). */
export function readBicepTemplate(text: string): TemplateReading {
  const { clusters } = readBicep(text);
  return { identities: clusters.flatMap((c) => c.identities.map((i) => i.record)), exceptions: clusters.flatMap((c) => c.exceptions) };
}

/** Cheap: a Bicep file that never names pod identity is not read. */
function mayDeclarePodIdentity(text: string): boolean {
  return /podIdentityProfile/i.test(text);
}

export function readBicep(text: string): BicepFile {
  if (!mayDeclarePodIdentity(text)) return { declarations: [], clusters: [] };
  const declarations = bicepDeclarations(text);
  const literal = literalResolver(declarations);
  const identities = new Set(declarations.filter((d) => d.keyword === 'resource' && d.type?.toLowerCase().startsWith(IDENTITY_TYPE)).map((d) => d.symbol));
  const clusters: BicepCluster[] = [];
  for (const declaration of declarations) {
    const body = declaration.value;
    if (declaration.keyword !== 'resource' || declaration.existing || declaration.conditional || body?.kind !== 'object') continue;
    if (!declaration.type?.toLowerCase().startsWith(CLUSTER_TYPE)) continue;
    const properties = propOf(body, 'properties')?.value;
    const profile = propOf(properties, 'podIdentityProfile');
    if (properties?.kind !== 'object' || !profile) continue;
    const enabled = propOf(profile.value, 'enabled')?.value;
    // Enabled only when it says so literally: `enabled: empty(x) ? false : true` is no reading.
    if (enabled?.kind !== 'literal' || enabled.value !== true) continue;
    const clusterName = literal(propOf(body, 'name')?.value);
    const cluster = clusterName !== undefined ? { name: clusterName } : undefined;
    let complete = true;
    const readIdentities: BicepPodIdentity[] = [];
    const list = propOf(profile.value, 'userAssignedIdentities')?.value;
    if (list && list.kind !== 'array') complete = false;
    for (const item of list?.kind === 'array' ? list.items : []) {
      if (item.kind !== 'object') {
        complete = false;
        continue;
      }
      const identity = propOf(item, 'identity')?.value;
      const fields = {
        name: literal(propOf(item, 'name')?.value),
        namespace: literal(propOf(item, 'namespace')?.value),
        bindingSelector: literal(propOf(item, 'bindingSelector')?.value),
        resourceId: literal(propOf(identity, 'resourceId')?.value),
        clientId: literal(propOf(identity, 'clientId')?.value),
      };
      const record: AddonPodIdentity = { ...definedOnly(fields), ...(cluster ? { cluster } : {}), start: item.start, end: item.end };
      const ref = propOf(identity, 'resourceId')?.value;
      const symbol = ref?.kind === 'expression' ? /^([A-Za-z_]\w*)\.id$/.exec(ref.text)?.[1] : undefined;
      readIdentities.push({ record, ...(symbol && identities.has(symbol) ? { identitySymbol: symbol } : {}) });
    }
    const exceptions: AddonPodIdentityException[] = [];
    const exceptionList = propOf(profile.value, 'userAssignedIdentityExceptions')?.value;
    if (exceptionList && exceptionList.kind !== 'array') complete = false;
    for (const item of exceptionList?.kind === 'array' ? exceptionList.items : []) {
      if (item.kind !== 'object') {
        complete = false;
        continue;
      }
      const labels = propOf(item, 'podLabels')?.value;
      const podLabels = labels?.kind === 'object' ? Object.fromEntries(labels.props.flatMap((p) => {
        const v = literal(p.value);
        return v === undefined ? [] : [[p.key, v]];
      })) : undefined;
      const fields = { name: literal(propOf(item, 'name')?.value), namespace: literal(propOf(item, 'namespace')?.value) };
      exceptions.push({ ...definedOnly(fields), ...(podLabels ? { podLabels } : {}), start: item.start, end: item.end });
    }
    clusters.push({ declaration, ...cluster, body, properties, profile, identities: readIdentities, exceptions, complete });
  }
  return { declarations, clusters };
}

/**
 * A value's string when the text says it: a string literal, or the name of a `var` holding one or
 * of a `param` whose default is one (the default is what a deployment without that parameter uses).
 */
function literalResolver(declarations: readonly BicepDeclaration[]): (value: BicepValue | undefined) => string | undefined {
  const named = new Map<string, string>();
  for (const d of declarations) {
    if ((d.keyword === 'param' || d.keyword === 'var') && d.value?.kind === 'string') named.set(d.symbol, d.value.value);
  }
  return (value) => {
    if (value?.kind === 'string') return value.value;
    if (value?.kind === 'expression' && /^[A-Za-z_]\w*$/.test(value.text)) return named.get(value.text);
    return undefined;
  };
}
