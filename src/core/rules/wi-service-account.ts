import type { Rule } from '../rule';

// Not written yet: registered so the registry has its final shape.
export const wiServiceAccount: Rule = {
  id: 'wi-service-account',
  description: 'TODO',
  severity: 'warning',
  kinds: [],
  fixable: false,
  check() {},
};
