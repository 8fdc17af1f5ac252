import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { afterTreesSideBySide, copyReposSideBySide, finishedRepos, readTree, runFix, treeDiff } from '../support/repos';

/**
 * Every fixture repository side by side in one folder (`<dir>/<name>/…`), as the host suite in
 * test/host/repos opens them as one VS Code workspace: one `--fix` over the whole folder gives each
 * repository exactly its after/ tree. So no repository's labels, names or identities reach another's
 * lookups, and the editor's result in that workspace can be held to the after/ trees, which are the
 * CLI's result on each repository alone.
 */
test('all fixture repositories in one folder: one --fix gives each exactly its after/ tree', () => {
  const repos = finishedRepos();
  assert.ok(repos.length > 0, 'no repository under test/repos has both before/ and after/.');
  const dir = mkdtempSync(join(tmpdir(), 'wi-repos-together-'));
  try {
    copyReposSideBySide(dir, repos);
    const stderr = runFix(dir);
    assert.deepEqual(stderr.split('\n').filter((l) => l.startsWith('wi-migrate:')), [], '--fix over all repositories warned.');
    const diff = treeDiff(afterTreesSideBySide(repos), readTree(dir));
    assert.ok(
      diff.length === 0,
      `with ${repos.map((r) => r.name).join(', ')} in one folder, --fix gives another tree than each repository's after/ (- missing, + extra, ~ changed):\n${diff.join('\n')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
