/**
 * The AKS-managed pod identity add-on declares pod identities outside Kubernetes YAML: an
 * `az aks pod-identity add` in a script or a pipeline step, or an entry of a managed cluster's
 * `podIdentityProfile.userAssignedIdentities` in a Bicep or ARM template. AKS turns each into an
 * AzureIdentity and an AzureIdentityBinding, so pods select one with
 * `aadpodidbinding: <bindingSelector, or else name>` (the AKS docs' demo pod:
 * `aadpodidbinding: $POD_IDENTITY_NAME`). The script and template readers produce these records;
 * the workspace index treats them as bindings.
 */

/** One pod identity the add-on declares. Fields a reader cannot read as a literal are left out. */
export interface AddonPodIdentity {
  /** `--name` / `name`. */
  readonly name?: string;
  /** `--namespace` / `namespace`. */
  readonly namespace?: string;
  /** `--binding-selector` / `bindingSelector`, when given. */
  readonly bindingSelector?: string;
  /** The user-assigned identity's ARM resource id (`--identity-resource-id` / `identity.resourceId`). */
  readonly resourceId?: string;
  /** The identity's client id (`identity.clientId` in a template), when the source has it. */
  readonly clientId?: string;
  /** The cluster it is declared on, as far as the source names it. */
  readonly cluster?: { readonly resourceGroup?: string; readonly name?: string };
  /** Offsets of the declaration (the whole command or template entry) in its file's text. */
  readonly start: number;
  readonly end: number;
}

/** One pod identity exception the add-on declares (`az aks pod-identity exception add`, `userAssignedIdentityExceptions`). */
export interface AddonPodIdentityException {
  readonly name?: string;
  readonly namespace?: string;
  /** The pod labels it exempts, when literal. */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly start: number;
  readonly end: number;
}

/** The `aadpodidbinding` value that selects this pod identity, when it is known. */
export function selectorOf(identity: AddonPodIdentity): string | undefined {
  return identity.bindingSelector ?? identity.name;
}
