/** Federated credential names: 3 to 120 characters, a letter or digit first, then letters, digits, `-`, `_`. */
const CREDENTIAL_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;

export function subjectFor(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** A valid name offered for a service account: `<namespace>-<name>`, made to fit the rule. */
export function offeredName(namespace: string, serviceAccount: string, taken: readonly string[] = []): string {
  let base = `${namespace}-${serviceAccount}`.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  if (base.length < 3) base = `fic-${base}`.replace(/-$/, '') || 'fic';
  base = base.slice(0, 120);
  const used = new Set(taken.map((t) => t.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = base.slice(0, 120 - suffix.length) + suffix;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

export function nameProblem(name: string): string | undefined {
  if (CREDENTIAL_NAME.test(name)) return undefined;
  if (name.length < 3 || name.length > 120) return 'The name must be 3 to 120 characters long.';
  if (!/^[a-zA-Z0-9]/.test(name)) return 'The name must start with a letter or a digit.';
  return 'Only letters, digits, hyphens and underscores are allowed.';
}
