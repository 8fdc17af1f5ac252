import type { Rule } from '../rule';

// Not written yet: registered so the registry has its final shape.
export const podIdentityResource: Rule = {
  id: 'pod-identity-resource',
  description: 'TODO',
  severity: 'warning',
  kinds: [],
  fixable: false,
  check() {},
};
