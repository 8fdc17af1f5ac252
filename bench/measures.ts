// The measures B1..B5, B7, K1 and M1: each runs the product's own code path on the generated inputs
// and times it against its floor in the same process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../src/cli/main';
import { checkFileSteps, Project } from '../src/core/engine';
import { parseManifestFileSteps } from '../src/core/model';
import { runSteps } from '../src/core/steps';
import { WorkspaceIndex } from '../src/core/workspace';
import { bigManifest } from '../test/support/big-manifest';
import { scanTree } from './floor';
import { hasIdentityWord, kustomizeRepository, noIdentityManifest, writeTree } from './inputs';
import { describe, timeAgainst, type Timing } from './measure';

export interface Result {
  name: string;
  value: number;
  unit: string;
  /** Value against the floor (times), or a share (B6). */
  ratio: number;
  /** How it was measured, for the notes. */
  note: string;
}

const result = (name: string, [t, floor]: [Timing, Timing], detail: string): Result => ({
  name,
  value: t.ms,
  unit: 'ms',
  ratio: t.ms / floor.ms,
  note: `${describe(t)}; floor ${floor.ms.toFixed(2)} ms (sampled in turns with the measure${floor.batch > 1 ? `, ${floor.batch} calls per sample` : ''}); ${detail}`,
});

const BIG = 'file:///bench/big.yaml';

/** Inputs made once and shared by the measures that need them. */
export class Inputs {
  private big?: string;
  private tree?: string;

  get bigText(): string {
    return (this.big ??= bigManifest());
  }

  /** `parseAllDocuments` of the big manifest: the floor of B1, B2 and B4. */
  readonly parseBig = () => {
    parseAllDocuments(this.bigText);
  };

  /** The 10 000-file tree, written once into a temp folder (deleted by `dispose`). */
  get treeDir(): string {
    if (!this.tree) {
      const dir = mkdtempSync(join(tmpdir(), 'wi-bench-tree-'));
      this.tree = dir;
      writeTree(dir);
    }
    return this.tree;
  }

  dispose(): void {
    if (this.tree) rmSync(this.tree, { recursive: true, force: true });
    this.tree = undefined;
  }
}

/** B1: one character typed inside a document in the middle of the big file, through the editor's steps. */
export function b1(inputs: Inputs): Result {
  const text = inputs.bigText;
  const index = new WorkspaceIndex();
  // The editor's path (src/vscode/linter.ts): parse with the previous parse as the index holds it
  // (`parsedFile`: the documents the pre-scan skipped stay unparsed), update the index, check.
  const check = (next: string) => {
    const file = runSteps(parseManifestFileSteps(BIG, next, index.parsedFile(BIG)));
    runSteps(index.updateSteps(file));
    return runSteps(checkFileSteps(file, index, {}));
  };
  const base = check(text).length;
  // Typing at the end of the image tag of the Deployment in the middle of the file: a character more
  // on every keystroke, so that everything after it moves by one.
  const image = text.indexOf('image: contoso.azurecr.io/bulk/app:', text.length >> 1);
  if (image < 0) throw new Error('B1: no Deployment in the second half of the file.');
  const at = text.indexOf('\n', image);
  let typed = '';
  let findings = 0;
  const t = timeAgainst(() => {
    typed += String.fromCharCode(97 + (typed.length % 26));
    // Joined, as the editor's document.getText() joins its lines: a flat string, not a chain of concatenations.
    findings = check([text.slice(0, at), typed, text.slice(at)].join('')).length;
  }, inputs.parseBig);
  if (findings !== base) throw new Error(`B1: an edit of an image tag changed the findings (${base} → ${findings}).`);
  return result('B1', t, `${findings} findings each time`);
}

/** B2: a cold check of the big file (a new project: parse, index, check). */
export function b2(inputs: Inputs): Result {
  let findings = 0;
  const t = timeAgainst(() => {
    const project = new Project();
    project.set(BIG, inputs.bigText);
    findings = project.check(BIG).length;
  }, inputs.parseBig);
  return result('B2', t, `${findings} findings`);
}

/** B3: a cold check of a file of the same size without any identity word. */
export function b3(inputs: Inputs): Result {
  const text = noIdentityManifest(inputs.bigText.length);
  if (hasIdentityWord(text)) throw new Error('B3: the no-identity manifest holds an identity word.');
  let findings = 0;
  let found = 0;
  const t = timeAgainst(
    () => {
      const project = new Project();
      project.set('file:///bench/plain.yaml', text);
      findings = project.check('file:///bench/plain.yaml').length;
    },
    () => {
      if (text.indexOf('aadpodidbinding') >= 0) found++;
    },
  );
  if (found !== 0) throw new Error('B3: the scan found aadpodidbinding.');
  return result('B3', t, `${findings} findings, ${(text.length / 1024).toFixed(0)} KB`);
}

/** B4: fix-all of the big file, through the CLI's `--fix` entry (`Project.fixAll`). */
export function b4(inputs: Inputs): Result {
  let changed = 0;
  const t = timeAgainst(() => {
    const project = new Project();
    project.set(BIG, inputs.bigText);
    changed = project.fixAll().get(BIG)?.length ?? 0;
  }, inputs.parseBig);
  if (changed === 0) throw new Error('B4: fix-all changed nothing.');
  return result('B4', t, `fixed text ${(changed / 1024).toFixed(0)} KB`);
}

/** B5: `wi-migrate check` of the 10 000-file tree (the CLI's own function, reading files included). */
export function b5(inputs: Inputs): Result {
  const dir = inputs.treeDir;
  let files = 0;
  let hits = 0;
  const t = timeAgainst(
    () => {
      const out = runCli(['check', '.', '--format', 'json'], dir);
      files = new Set((JSON.parse(out.stdout) as { file: string }[]).map((f) => f.file)).size;
    },
    () => (hits = scanTree(dir)),
  );
  if (files !== 50 || hits !== 50) throw new Error(`B5: findings in ${files} files, the scan found ${hits}; 50 use pod identity.`);
  return result('B5', t, `findings in ${files} files`);
}

/** Peak RSS in MB of `node -r rss-probe <script> <args>` run in `cwd`. */
function peakRss(script: string, args: string[], cwd: string): number {
  const file = join(mkdtempSync(join(tmpdir(), 'wi-bench-rss-')), 'rss');
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'rss-probe.js'), script, ...args], { cwd, env: { ...process.env, WI_BENCH_RSS_FILE: file }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0 && run.status !== 1) throw new Error(`B7: ${script} exited with ${run.status}: ${run.stderr}`);
  const kb = Number(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  return kb / 1024;
}

/** B7: peak RSS of the B5 run (`wi-migrate check .`) in a child process; the floor is the scan's. */
export function b7(inputs: Inputs): Result {
  const dir = inputs.treeDir;
  const cli = join(__dirname, '..', 'src', 'cli', 'main.js');
  const mb = peakRss(cli, ['check', '.', '--format', 'json'], dir);
  const floor = peakRss(join(__dirname, 'floor.js'), [dir], dir);
  return { name: 'B7', value: mb, unit: 'MB', ratio: mb / floor, note: `one run of out/src/cli/main.js check; floor ${floor.toFixed(0)} MB (a process that reads and scans every file)` };
}

/** K1: a check of every file of a kustomize repository (a base, 50 overlays) from scratch. */
export function k1(): Result {
  const files = kustomizeRepository(50);
  let findings = 0;
  const t = timeAgainst(
    () => {
      const project = new Project();
      for (const [path, text] of files) project.set(path, text);
      findings = project.paths.reduce((n, p) => n + project.check(p).length, 0);
    },
    () => {
      for (const text of files.values()) parseAllDocuments(text);
    },
  );
  if (findings === 0) throw new Error('K1: no findings in the kustomize repository.');
  // An edit: one overlay's patch changes, then that file is checked (the kustomize model is made again).
  const project = new Project();
  for (const [path, text] of files) project.set(path, text);
  const patch = 'overlays/env-25/deployment-patch.yaml';
  let n = 0;
  const [edit] = timeAgainst(
    () => {
      project.set(patch, files.get(patch)!.replace(/replicas: \d+/, `replicas: ${++n}`));
      project.check(patch);
    },
    () => parseAllDocuments(files.get(patch)!),
  );
  return result('K1', t, `${files.size} files, ${findings} findings; after an edit of one overlay's patch, a check of that file takes ${edit.ms.toFixed(1)} ms (${describe(edit)})`);
}

/**
 * M1: the heap an index of closed files holds (the extension's index of a workspace, no file
 * open): the big manifest, the no-identity one and a kustomize repository, read in that order.
 * Ratio: against an index that keeps every parse (the index before it let go of closed files').
 */
export async function m1(inputs: Inputs): Promise<Result> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const files: Array<[string, string]> = [
    ['big.yaml', inputs.bigText],
    ['plain.yaml', noIdentityManifest(inputs.bigText.length)],
    ...kustomizeRepository(50),
  ];
  // A weak reference made or read in a job keeps its target until the job ends: collected after it.
  const collect = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  };
  const held = async (treeBudget?: number): Promise<number> => {
    await collect();
    const before = process.memoryUsage().heapUsed;
    let index: WorkspaceIndex | undefined = new WorkspaceIndex('default', treeBudget === undefined ? {} : { treeBudget });
    for (const [path, text] of files) index.update(runSteps(parseManifestFileSteps(path, text)));
    await collect();
    const after = process.memoryUsage().heapUsed;
    // Kept alive until measured.
    if (index.paths.length !== files.length) throw new Error('M1: a file is missing from the index.');
    index = undefined;
    return (after - before) / 2 ** 20;
  };
  const lean = await held();
  const keeping = await held(Infinity);
  const text = files.reduce((n, [, t]) => n + t.length, 0) / 2 ** 20;
  return { name: 'M1', value: lean, unit: 'MB', ratio: lean / keeping, note: `heap after GC; ${files.length} files, ${text.toFixed(1)} MB of text; an index keeping every parse holds ${keeping.toFixed(1)} MB` };
}
