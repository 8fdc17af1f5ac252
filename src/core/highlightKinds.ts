/**
 * What a highlighted span is. The editor declares one semantic token type per kind (package.json
 * `contributes.semanticTokenTypes`, in this order) and maps each to a TextMate scope for themes.
 */
export const HIGHLIGHT_KINDS = [
  'podIdentityLabel',
  'podIdentityAnnotation',
  'podIdentityApiVersion',
  'podIdentityKind',
  'podIdentityCsi',
  'podIdentityKedaProvider',
  'workloadIdentityKey',
] as const;

export type HighlightKind = (typeof HIGHLIGHT_KINDS)[number];
