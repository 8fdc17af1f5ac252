import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { buildViolations, fluxClusterChains, type K8sObject } from '../support/invariants';
import { buildLeaf, kubectlAvailable, kustomizeLeaves, usesKustomize } from '../support/kustomize';
import {
  copyToTemp,
  findingLines,
  fixtureRepos,
  readExpectations,
  readFindingsFile,
  readTree,
  removeTempCopies,
  runFix,
  treeDiff,
  writeTree,
  type FixtureRepo,
} from '../support/repos';

/**
 * Every repository under test/repos (the shared format: before/, after/, findings.txt, README.md,
 * and expect.json for exceptions to the kustomize invariants). `WI_UPDATE_REPOS=1` writes after/ and
 * findings.txt from the current code instead of comparing: review every written file by eye.
 * `WI_REPOS=name,…` narrows the run to those repositories.
 */
const UPDATE = process.env.WI_UPDATE_REPOS === '1';
const KUBECTL = kubectlAvailable();

/** `--fix` run once per repository, on a copy of before/ (later tests only read it or copy it); with what it printed. */
function fixedCopy(repo: FixtureRepo, cache: Map<string, { dir: string; stderr: string }>): { dir: string; stderr: string } {
  let run = cache.get(repo.name);
  if (!run) {
    const dir = copyToTemp(repo.before);
    run = { dir, stderr: runFix(dir) };
    cache.set(repo.name, run);
  }
  return run;
}

const fixed = new Map<string, { dir: string; stderr: string }>();
after(removeTempCopies);

/** `WI_REPOS=a,b` runs only those repositories (node 20's name pattern does not reach into a describe). */
const ONLY = process.env.WI_REPOS?.split(',').filter(Boolean);

for (const repo of fixtureRepos().filter((r) => !ONLY || ONLY.includes(r.name))) {
  describe(`repository ${repo.name}`, () => {
    const beforeTree = readTree(repo.before);

    test('check reports the findings of findings.txt', () => {
      const actual = findingLines(repo.before);
      if (UPDATE) {
        writeFileSync(repo.findingsFile, actual.map((l) => `${l}\n`).join(''));
        return;
      }
      assert.ok(existsSync(repo.findingsFile), `${repo.name}: no findings.txt (WI_UPDATE_REPOS=1 writes it).`);
      assert.deepEqual(actual, readFindingsFile(repo.findingsFile));
    });

    test('--fix gives exactly the after/ tree', () => {
      const { dir, stderr } = fixedCopy(repo, fixed);
      // "fixed <path>" and "nothing to fix" are the report; a "wi-migrate: …" line is a fix-all that did not finish.
      assert.deepEqual(stderr.split('\n').filter((l) => l.startsWith('wi-migrate:')), [], `${repo.name}: --fix warned.`);
      const actual = readTree(dir);
      if (UPDATE) {
        writeTree(repo.after, actual);
        return;
      }
      assert.ok(existsSync(repo.after), `${repo.name}: no expected tree yet (no after/; WI_UPDATE_REPOS=1 writes it from the current code, to be reviewed by eye).`);
      const diff = treeDiff(readTree(repo.after), actual);
      assert.ok(diff.length === 0, `${repo.name}: the tree after --fix differs from after/ (- missing, + extra, ~ changed):\n${diff.join('\n')}`);
    });

    test('a second --fix changes nothing', () => {
      const dir = copyToTemp(fixedCopy(repo, fixed).dir);
      const once = readTree(dir);
      runFix(dir);
      const diff = treeDiff(once, readTree(dir));
      assert.ok(diff.length === 0, `${repo.name}: the second --fix changed files:\n${diff.join('\n')}`);
    });

    if (usesKustomize(beforeTree)) {
      test('kustomize: every leaf builds before and after --fix, and the migration invariants hold', (t) => {
        if (!KUBECTL) {
          t.skip('kubectl is not on the PATH: the kustomize builds of this repository were not checked.');
          return;
        }
        const expect = readExpectations(repo.expectFile);
        const after = fixedCopy(repo, fixed).dir;
        const afterTree = readTree(after);
        const [beforeScratch, afterScratch] = [copyToTemp(repo.before), copyToTemp(after)];
        const problems: string[] = [];
        const leaves = kustomizeLeaves(beforeTree);
        assert.ok(leaves.length > 0, `${repo.name}: no kustomize leaf found.`);
        const [beforeBuilds, afterBuilds] = [new Map<string, K8sObject[]>(), new Map<string, K8sObject[]>()];
        for (const leaf of leaves) {
          const b = buildLeaf(beforeScratch, beforeTree, leaf);
          const a = buildLeaf(afterScratch, afterTree, leaf);
          if (!b.ok) problems.push(`${leaf || '.'}: does not build before the fix: ${b.error}`);
          if (!a.ok) problems.push(`${leaf || '.'}: does not build after the fix: ${a.error}`);
          if (b.ok && a.ok) {
            beforeBuilds.set(leaf, b.objects);
            afterBuilds.set(leaf, a.objects);
          }
        }
        // A pod whose identity another Flux Kustomization of its cluster applies is held to the same, in its own build.
        const across = fluxClusterChains(beforeBuilds);
        for (const [leaf, objects] of beforeBuilds) {
          const mine = new Map(across.filter((c) => c.build === leaf).map((c) => [c.key, c.clientId]));
          problems.push(...buildViolations(leaf, objects, afterBuilds.get(leaf)!, expect, mine));
        }
        assert.ok(problems.length === 0, `${repo.name} (builds: ${leaves.map((l) => l || '.').join(', ')}):\n${problems.join('\n')}`);
      });
    }
  });
}
