import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectFileKinds } from '../../src/cli/files';
import { checkFile, checkFileSteps } from '../../src/core/engine';
import { isOfKind } from '../../src/core/fileKinds';
import { parseManifestFile } from '../../src/core/model';
import { reportSteps } from '../../src/core/report';
import { runSteps } from '../../src/core/steps';
import { WorkspaceIndex } from '../../src/core/workspace';
import { fixtureRepos } from '../support/repos';

/*
 * The index keeps the text and facts of every file, and the parse only of open files and of the
 * files read last, within its budget (workspace.ts, `TREE_BUDGET`). A parse it let go of is made
 * again from the text when a rule, a fix or the report asks for it: the findings and the report
 * are the same as with every parse kept.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects what nothing holds any more: a parse the index let go of is then made again when asked. */
async function collect(): Promise<void> {
  // A weak reference read in this job keeps its target until the job ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

/** An index of the files of `dir` as the CLI reads them, the test holding none of their parses. */
function indexOf(dir: string, treeBudget: number): WorkspaceIndex {
  const index = new WorkspaceIndex('default', { treeBudget });
  for (const { path, kind } of collectFileKinds(['.'], dir)) {
    const text = readFileSync(join(dir, path), 'utf8');
    if (isOfKind(kind, text)) index.update(parseManifestFile(path, text, undefined, kind));
  }
  return index;
}

/** The findings of every file, and the report, as JSON. */
function analysis(index: WorkspaceIndex): string {
  const paths = [...index.paths].sort();
  const findings = paths.map((p) => [p, checkFile(index.parsedFile(p)!, index)]);
  const report = runSteps(reportSteps(index, (p) => checkFileSteps(index.parsedFile(p)!, index)));
  return JSON.stringify({ findings, report });
}

const dirs = [join(__dirname, '../../../examples'), ...fixtureRepos().map((r) => r.before)];

test('with no parse kept for closed files, the findings and the report are those of an index that keeps every parse', async () => {
  let reparsed = 0;
  for (const dir of dirs) {
    const keeping = indexOf(dir, Infinity);
    const expected = analysis(keeping);
    const lean = indexOf(dir, 0);
    await collect();
    const actual = analysis(lean);
    assert.equal(actual, expected, dir);
    reparsed += lean.reparsed;
    // Nothing it holds beyond the file read last, but what a kustomize build read (the build holds those itself).
    if (!lean.paths.some((p) => lean.kindOf(p) === 'kustomization')) assert.ok(lean.heldPaths.length <= 1, `${dir}: ${lean.heldPaths.join(', ')}`);
  }
  // The test is of parses made again: some were.
  assert.ok(reparsed > 20, `${reparsed} parses made again`);
});

const DEPLOYMENT = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      labels:
        aadpodidbinding: ${name}
    spec:
      containers:
        - name: app
          image: app:1
`;

test('an open file keeps its parse, closed ones past the budget are let go and collected', async () => {
  const open = new Set(['open.yaml']);
  const index = new WorkspaceIndex('default', { treeBudget: DEPLOYMENT('b').length + 1, isOpen: (p) => open.has(p) });
  const openFile = parseManifestFile('open.yaml', DEPLOYMENT('open'));
  index.update(openFile);
  for (const name of ['a', 'b', 'c']) index.update(parseManifestFile(`${name}.yaml`, DEPLOYMENT(name)));
  // The open file, and the closed file read last (the budget holds one).
  assert.deepEqual(index.heldPaths.sort(), ['c.yaml', 'open.yaml']);
  await collect();
  assert.equal(index.heldFile('open.yaml'), openFile);
  assert.equal(index.heldFile('a.yaml'), undefined, 'the parse of a closed file past the budget is collected');
  assert.equal(index.textOf('a.yaml'), DEPLOYMENT('a'));
  // Asked for, it is parsed again from its text, and becomes the one read last.
  const again = index.parsedFile('a.yaml')!;
  assert.equal(again.text, DEPLOYMENT('a'));
  assert.equal(index.reparsed, 1);
  assert.deepEqual(index.heldPaths.sort(), ['a.yaml', 'open.yaml']);
  assert.equal(index.parsedFile('a.yaml'), again, 'one parse of a file at a time');
  // Its facts are those the index read first.
  assert.deepEqual(
    index.pods.map((p) => p.bindingLabel).sort(),
    ['a', 'b', 'c', 'open'],
  );
  // Once closed, the file read longest ago goes first.
  open.clear();
  index.parsedFile('b.yaml');
  assert.deepEqual(index.heldPaths, ['b.yaml']);
});

test('a parse something else still holds is not made again: its objects stay the same', async () => {
  const index = new WorkspaceIndex('default', { treeBudget: 0 });
  const a = parseManifestFile('a.yaml', DEPLOYMENT('a'));
  index.update(a);
  index.update(parseManifestFile('b.yaml', DEPLOYMENT('b')));
  await collect();
  assert.equal(index.parsedFile('a.yaml'), a);
  assert.equal(index.reparsed, 0);
});
