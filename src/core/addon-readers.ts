import type { AddonPodIdentity, AddonPodIdentityException } from './addon';
import { addonDeclarationsOf } from './scripts/commands';
import { scriptOf, SCRIPT_KINDS } from './scripts';
import { readArmTemplate } from './templates/arm';
import { readBicepTemplate } from './templates/bicep';

/** What a file declares to the AKS-managed pod identity add-on. */
export interface AddonDeclarations {
  identities: AddonPodIdentity[];
  exceptions: AddonPodIdentityException[];
}

/** Reads a file's text (of the kind it is registered for); a file it cannot read declares nothing. */
export type AddonReader = (text: string) => AddonDeclarations;

/**
 * The readers of the add-on's declarations, by file kind (core/fileKinds.ts): the workspace index
 * turns what they read into bindings. Each reader loads its parser when first called.
 */
const ADDON_READERS: Readonly<Record<string, AddonReader>> = {
  ...Object.fromEntries(SCRIPT_KINDS.map((kind) => [kind, (text: string) => addonDeclarationsOf(scriptOf(kind, text)!)])),
  bicep: readBicepTemplate,
  'arm-template': readArmTemplate,
};

/** What the file declares to the add-on, or undefined when no reader reads its kind. */
export function addonDeclarations(kind: string, text: string): AddonDeclarations | undefined {
  return ADDON_READERS[kind]?.(text);
}
