// The benchmark's inputs are what its report says they are (times are never asserted: the
// benchmark reports them). Small sizes of the same generators.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanTree } from '../../bench/floor';
import { hasIdentityWord, kustomizeRepository, noIdentityManifest, writeTree } from '../../bench/inputs';
import { runCli } from '../../src/cli/main';
import { Project } from '../../src/core/engine';
import { bigManifest } from '../../test/support/big-manifest';

test('the no-identity manifest has the size asked for, no identity word and no finding', () => {
  const text = noIdentityManifest(60_000);
  assert.ok(text.length >= 60_000 && text.length < 61_000, `${text.length} characters`);
  assert.equal(hasIdentityWord(text), false);
  assert.equal(hasIdentityWord(bigManifest(16)), true);
  assert.equal(text, noIdentityManifest(60_000));
  const project = new Project();
  project.set('plain.yaml', text);
  assert.deepEqual(project.check('plain.yaml'), []);
});

test('the tree: findings in exactly the files that use pod identity, which the floor\'s scan finds too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wi-bench-inputs-'));
  try {
    const identity = writeTree(dir, 300, 4);
    assert.equal(identity.length, 4);
    const out = runCli(['check', '.', '--format', 'json'], dir);
    const files = [...new Set((JSON.parse(out.stdout) as { file: string }[]).map((f) => f.file))].sort();
    assert.deepEqual(files, [...identity].sort());
    assert.equal(scanTree(dir), 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the kustomize repository: a base and its overlays, whose build the check follows', () => {
  const files = kustomizeRepository(3);
  assert.equal(files.size, 4 + 3 * 2);
  assert.deepEqual([...files], [...kustomizeRepository(3)]);
  const project = new Project();
  for (const [path, text] of files) project.set(path, text);
  const byRule = project.paths.flatMap((p) => project.check(p).map((f) => `${p} ${f.ruleId}`));
  assert.ok(byRule.some((f) => f.startsWith('base/deployment.yaml ')), byRule.join('\n'));
  assert.ok(byRule.some((f) => f.startsWith('base/identity.yaml ')), byRule.join('\n'));
});
