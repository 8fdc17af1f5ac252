import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { runCli } from '../../src/cli/main';
import type { Expectations } from './invariants';

/** test/repos in the source tree (tests run from out/test/…, the repositories are not compiled). */
export const REPOS = join(__dirname, '..', '..', '..', 'test', 'repos');

/** A repository's files: path relative to its root (always with `/`) → text. */
export type Tree = Map<string, string>;

/** One fixture repository: `before/`, and what is expected of it where it exists. */
export interface FixtureRepo {
  name: string;
  dir: string;
  before: string;
  after: string;
  findingsFile: string;
  expectFile: string;
}

export function fixtureRepos(): FixtureRepo[] {
  if (!existsSync(REPOS)) return [];
  return readdirSync(REPOS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(REPOS, d.name, 'before')))
    .map((d) => {
      const dir = join(REPOS, d.name);
      return {
        name: d.name,
        dir,
        before: join(dir, 'before'),
        after: join(dir, 'after'),
        findingsFile: join(dir, 'findings.txt'),
        expectFile: join(dir, 'expect.json'),
      };
    });
}

/** Every file under `dir` (hidden ones too), sorted by path. */
export function readTree(dir: string): Tree {
  const tree: Tree = new Map();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) tree.set(path, readFileSync(join(dir, path), 'utf8'));
    }
  };
  walk('');
  return tree;
}

/** Replaces `dir` with exactly the files of `tree`. */
export function writeTree(dir: string, tree: Tree): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of tree) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

const temps: string[] = [];

/** A fresh copy of `dir` in a temporary directory (removed by `removeTempCopies`). */
export function copyToTemp(dir: string, prefix = 'wi-repo-'): string {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  cpSync(dir, tmp, { recursive: true });
  temps.push(tmp);
  return tmp;
}

export function removeTempCopies(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The findings `wi-migrate check --format json` reports in `cwd`, one line each as
 * `<path>:<line> <rule-id>`, sorted (the shared findings.txt format).
 */
export function findingLines(cwd: string): string[] {
  const result = runCli(['check', '--format', 'json'], cwd);
  if (result.code === 2) throw new Error(`wi-migrate check failed: ${result.stderr}`);
  const findings = JSON.parse(result.stdout) as Array<{ file: string; line: number; rule: string }>;
  return findings.map((f) => `${f.file.split(sep).join('/')}:${f.line} ${f.rule}`).sort();
}

/** findings.txt's lines (blank lines ignored). */
export function readFindingsFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
}

/** Runs `wi-migrate check --fix` in `cwd`; returns what it printed on stderr (the files it wrote, warnings). */
export function runFix(cwd: string): string {
  const result = runCli(['check', '--fix', '--format', 'json'], cwd);
  if (result.code === 2) throw new Error(`wi-migrate check --fix failed: ${result.stderr}`);
  return result.stderr;
}

/**
 * What differs between two trees, as diff-like lines: `+ path` a file only in `actual` (extra),
 * `- path` a file only in `expected` (missing), and for a file in both whose text differs, its
 * first differing line from each side. Empty when the trees are equal.
 */
export function treeDiff(expected: Tree, actual: Tree): string[] {
  const out: string[] = [];
  const paths = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  for (const path of paths) {
    const want = expected.get(path);
    const got = actual.get(path);
    if (want === undefined) out.push(`+ ${path} (extra file: not in the expected tree)`);
    else if (got === undefined) out.push(`- ${path} (missing file: expected but not written)`);
    else if (want !== got) out.push(firstDifference(path, want, got));
  }
  return out;
}

function firstDifference(path: string, want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (line: string | undefined) => (line === undefined ? '(end of file)' : JSON.stringify(line));
  return `~ ${path}:${i + 1}\n    expected ${show(a[i])}\n    actual   ${show(b[i])}`;
}

/** A repository's `expect.json` (the exceptions to the kustomize invariants), checked for shape; none when absent. */
export function readExpectations(path: string): Expectations {
  if (!existsSync(path)) return {};
  const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const [key, list] of Object.entries(data)) {
    if (key !== 'podIdentityRemains' && key !== 'notMigrated') throw new Error(`${path}: unknown key "${key}".`);
    if (!Array.isArray(list)) throw new Error(`${path}: "${key}" must be a list.`);
    for (const ref of list as Array<Record<string, unknown>>) {
      if (typeof ref.kind !== 'string' || typeof ref.name !== 'string' || typeof ref.why !== 'string' || !ref.why) {
        throw new Error(`${path}: each entry of "${key}" needs kind, name and why: ${JSON.stringify(ref)}.`);
      }
    }
  }
  return data;
}
