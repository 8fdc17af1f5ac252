import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixAllIncompleteError } from '../../src/core/engine';
import { fixtureWorkspaces, loadProject } from '../support/fixtures';

/**
 * Issue 9, "nothing is lost": a fix that removes something says what, in its title: the kind and
 * name of the object it removes (an AzureIdentity also its client id), or the key it removes and
 * from which object. Checked over every fix the fixtures offer, before and during fix-all.
 */
const NAMED_REMOVAL = [
  /^Remove Azure(?:IdentityBinding|PodIdentityException|AssignedIdentity) \S+( and its List| and its patches in .+)? \(no/,
  /^Remove AzureIdentity \S+ with client id [0-9a-fA-F-]{36}( and its List| and its patches in .+)? \(no/,
  /^Remove (?:label|annotation) \S+ from [A-Z]\w+ \S+/,
  /^Remove the empty identityId from [A-Z]\w+ \S+/,
  /^Remove the kubectl (?:apply|create) step of \S+/,
];

test('every removing fix of the fixtures names what it removes', () => {
  const titles = new Set<string>();
  for (const ws of fixtureWorkspaces()) {
    const project = loadProject(ws.files);
    // Removals come in passes (a binding only once its pods moved): look at each pass.
    for (let pass = 0; pass < 10; pass++) {
      for (const path of project.paths) for (const f of project.check(path)) if (f.fix) titles.add(f.fix.title);
      try {
        project.fixAll(project.paths, 1);
        break;
      } catch (e) {
        // One pass done, more to come.
        if (!(e instanceof FixAllIncompleteError)) throw e;
      }
    }
  }
  const removals = [...titles].filter((t) => /^(Remove|Delete)\b/.test(t));
  assert.ok(removals.some((t) => t.startsWith('Remove AzureIdentity ')), 'an identity removal is among them');
  assert.ok(removals.some((t) => t.startsWith('Remove annotation ')), 'an annotation removal is among them');
  assert.deepEqual(removals.filter((t) => !NAMED_REMOVAL.some((re) => re.test(t))), []);
});
