import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { actualMarkers, expectedMarkers, fixedPathOf, fixtureWorkspaces, loadProject } from '../support/fixtures';

/**
 * Every fixture directory is one workspace. Its files mark the findings they expect; fix-all over
 * the whole workspace must give the `.fixed` files, and the fix invariants must hold.
 */
for (const ws of fixtureWorkspaces()) {
  describe(`fixture ${ws.name}`, () => {
    for (const [path, text] of ws.files) {
      test(`${path}: findings match the expect markers`, () => {
        const project = loadProject(ws.files);
        assert.deepEqual(actualMarkers(text, project.check(path)), expectedMarkers(text));
      });
    }

    test('fix-all gives the .fixed files and keeps the invariants', () => {
      const project = loadProject(ws.files);
      const before = new Map([...ws.files.keys()].map((p) => [p, project.check(p)]));
      project.fixAll();
      for (const [path, original] of ws.files) {
        const fixedFile = join(ws.dir, fixedPathOf(path));
        const output = project.text(path)!;
        const expected = existsSync(fixedFile) ? readFileSync(fixedFile, 'utf8') : original;
        assert.equal(output, expected, `${path} after fix-all${existsSync(fixedFile) ? '' : ' (no .fixed file: must be unchanged)'}`);

        // The output parses where the input did.
        const brokenBefore = loadProject(new Map([[path, original]])).file(path)!.docs.filter((d) => d.errors.length).length;
        const brokenAfter = project.file(path)!.docs.filter((d) => d.errors.length).length;
        assert.ok(brokenAfter <= brokenBefore, `${path}: fix-all broke a document`);

        // Nothing fixable is left.
        const left = project.check(path).filter((f) => f.fix);
        assert.deepEqual(left.map((f) => `${f.ruleId}: ${f.message}`), [], `${path}: fixable findings left`);

        // Documents with no finding and no edit are byte-identical.
        const edits = [...before.values()].flat().flatMap((f) => f.fix?.edits ?? []).filter((e) => e.file === path);
        const findingsHere = before.get(path) ?? [];
        const outputDocs = project.file(path)!.docs.map((d) => d.source.trimEnd());
        for (const doc of loadProject(new Map([[path, original]])).file(path)!.docs) {
          const touched =
            findingsHere.some((f) => f.start >= doc.start && f.start < doc.end) ||
            // An insert right at a document's end (a pair appended to its last map) touches it too.
            edits.some((e) => (e.start < doc.end && doc.start < e.end) || (e.start === e.end && e.start === doc.end));
          if (touched || doc.source.trim() === '') continue;
          assert.ok(outputDocs.includes(doc.source.trimEnd()), `${path}: untouched document ${doc.index} changed`);
        }
      }

      // Fix-all is idempotent: fixing the output again changes nothing.
      const again = loadProject(new Map(project.paths.map((p) => [p, project.text(p)!])));
      assert.deepEqual([...again.fixAll().keys()], []);
    });
  });
}
