import type { Rule } from '../rule';

// Not written yet: registered so the registry has its final shape.
export const wiAnnotationValues: Rule = {
  id: 'wi-annotation-values',
  description: 'TODO',
  severity: 'warning',
  kinds: [],
  fixable: false,
  check() {},
};
