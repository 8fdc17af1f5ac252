import type { Rule } from '../rule';

// Not written yet: registered so the registry has its final shape.
export const wiUseLabel: Rule = {
  id: 'wi-use-label',
  description: 'TODO',
  severity: 'warning',
  kinds: [],
  fixable: false,
  check() {},
};
