import type { AddonPodIdentity, AddonPodIdentityException } from '../addon';

/** What a template reader gives the workspace index: the pod identities and exceptions the file declares. */
export interface TemplateReading {
  identities: AddonPodIdentity[];
  exceptions: AddonPodIdentityException[];
}

/** The fields that have a value. */
export function definedOnly<T extends Record<string, string | undefined>>(fields: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}
