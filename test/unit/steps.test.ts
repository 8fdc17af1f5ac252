// The steps the editor runs in time slices: one per document, and the same result as the
// functions the CLI calls, whichever way the work is cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFile, checkFileSteps } from '../../src/core/engine';
import { parseManifestFile, parseManifestFileSteps } from '../../src/core/model';
import type { Steps } from '../../src/core/steps';
import { WorkspaceIndex } from '../../src/core/workspace';
import { bigManifest } from '../support/big-manifest';

function drive<T>(steps: Steps<T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, yields };
    yields++;
  }
}

test('parsing, indexing and checking a file yield once per document and give the unsliced result', () => {
  const text = bigManifest(80);
  const parsed = drive(parseManifestFileSteps('big.yaml', text));
  // The 20 ConfigMaps hold nothing the pre-scan keeps: they are not parsed, and cost no step.
  assert.equal(parsed.yields, 60);
  assert.equal(parsed.value.docs.length, 60);
  assert.equal(parsed.value.skipped?.length, 20);
  assert.deepEqual(parsed.value.docs.map((d) => [d.start, d.end, d.objects.map((o) => o.kind)]), parseManifestFile('big.yaml', text).docs.map((d) => [d.start, d.end, d.objects.map((o) => o.kind)]));

  const sliced = new WorkspaceIndex();
  assert.equal(drive(sliced.updateSteps(parsed.value)).yields, 60);
  const whole = new WorkspaceIndex();
  whole.update(parseManifestFile('big.yaml', text));
  assert.deepEqual(sliced.pods.map((p) => [p.ownerName, p.bindingLabel]), whole.pods.map((p) => [p.ownerName, p.bindingLabel]));
  assert.equal(sliced.bindings.length, 10);

  const checked = drive(checkFileSteps(parsed.value, sliced));
  // One per document, and the preparation of what rules read of the whole workspace (index.prepareSteps):
  // one step, and one per hundred documents read (none here).
  assert.equal(checked.yields, 60 + 1);
  const expected = checkFile(whole.file('big.yaml')!, whole);
  assert.ok(expected.length >= 60, `findings: ${expected.length}`);
  assert.deepEqual(checked.value.map((f) => [f.ruleId, f.start, f.end, f.message]), expected.map((f) => [f.ruleId, f.start, f.end, f.message]));
});

test('the big manifest is 4 000 documents of about 1.26 MB, the same on every call', () => {
  const text = bigManifest();
  assert.equal(text, bigManifest());
  assert.equal(parseManifestFile('big.yaml', text, undefined, undefined, false).docs.length, 4000);
  assert.ok(Math.abs(text.length - 1_260_000) < 20_000, `${text.length} characters`);
});
