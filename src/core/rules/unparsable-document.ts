import type { Rule } from '../rule';

// Not written yet: registered so the registry has its final shape.
export const unparsableDocument: Rule = {
  id: 'unparsable-document',
  description: 'TODO',
  severity: 'warning',
  kinds: [],
  fixable: false,
  check() {},
};
