import type { Rule } from '../rule';

// Not written yet: registered so the registry has its final shape.
export const kedaPodIdentityProvider: Rule = {
  id: 'keda-pod-identity-provider',
  description: 'TODO',
  severity: 'warning',
  kinds: [],
  fixable: false,
  check() {},
};
