import type { TextEdit } from '../edits';

/** What a template fix does to one cluster. */
export interface TemplateMigration {
  /** Edits of the template's own file. */
  edits: TextEdit[];
  /** The pod identity profile is removed: everything it declared is carried over. */
  removed: boolean;
  /** The pod identities not carried over, each with why (the profile stays while there is one). */
  missing: string[];
  /** Federated credential resources added. */
  credentials: number;
}
