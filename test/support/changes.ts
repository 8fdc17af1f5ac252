import assert from 'node:assert/strict';
import { applyEdits } from '../../src/core/edits';
import type { FixAllChange } from '../../src/core/engine';
import { parseManifestFile } from '../../src/core/model';
import { loadProject } from './fixtures';

const LABEL = /^(?:(?:Migrate|Remove) \S+ (?:[^/\s]+\/)?\S.*|Create ServiceAccount \S+\/\S+|(?:Annotate|Update) ServiceAccount \S+\/\S+|Migrate chart values \S+|Annotate chart values \S+ \(\S+\))$/;

const brokenDocs = (path: string, text: string) => parseManifestFile(path, text).docs.filter((d) => d.errors.length).length;

/**
 * The invariants of `fixAllChanges` on a workspace: it is `fixAll` (same files, same text, same
 * project state after), its edits are of the text before, in order, without overlap, labelled, and
 * compose to the text after; and leaving out any one group (label) still applies and parses.
 */
export function assertChangesCompose(files: Map<string, string>): FixAllChange[] {
  const expected = loadProject(files).fixAll();
  const project = loadProject(files);
  const changes = project.fixAllChanges();
  assert.deepEqual(changes.map((c) => c.path), [...expected.keys()].sort(), 'the files fixAll changes, in path order');
  for (const c of changes) {
    assert.equal(c.before, files.get(c.path), `${c.path}: before is the text before (undefined for a created file)`);
    assert.equal(c.after, expected.get(c.path), `${c.path}: after is what fixAll gives`);
    assert.equal(project.text(c.path), c.after, `${c.path}: the project is left as fixAll leaves it`);
    const before = c.before ?? '';
    for (const [i, e] of c.edits.entries()) {
      assert.ok(e.start >= 0 && e.start <= e.end && e.end <= before.length, `${c.path}: edit ${i} inside the text`);
      if (i > 0) assert.ok(e.start >= c.edits[i - 1].end, `${c.path}: edit ${i} after the one before, without overlap`);
      assert.match(e.label, LABEL, `${c.path}: edit ${i} labelled`);
      assert.notEqual(e.text, before.slice(e.start, e.end), `${c.path}: edit ${i} changes something`);
    }
    assert.equal(applyEdits(before, c.edits), c.after, `${c.path}: all edits give the text after`);
  }
  const labels = [...new Set(changes.flatMap((c) => c.edits.map((e) => e.label)))];
  for (const left of labels) {
    for (const c of changes) {
      const kept = c.edits.filter((e) => e.label !== left);
      const partial = applyEdits(c.before ?? '', kept);
      assert.ok(brokenDocs(c.path, partial) <= brokenDocs(c.path, c.before ?? ''), `${c.path} without "${left}" parses:\n${partial}`);
    }
  }
  return changes;
}

