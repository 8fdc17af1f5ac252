import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileKindOf, ourFileKinds } from '../core/fileKinds';
import { RULES } from '../core/rules';

/** The kinds of the files a directory walk picks: those some rule reads. */
const OUR_KINDS = ourFileKinds(RULES);
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export class UsageError extends Error {}

/** Expands the given paths (relative to `cwd`): files as given, directories walked for files of our kinds (sorted). */
export function collectFiles(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(resolve(cwd, path));
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or directory`);
    }
    if (stat.isDirectory()) walk(cwd, path, out);
    else out.push(path);
  }
  return [...new Set(out)];
}

function walk(cwd: string, dir: string, out: string[]): void {
  const entries = readdirSync(resolve(cwd, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(cwd, path, out);
    } else if (entry.isFile() && isOurs(resolve(cwd, path))) {
      out.push(path);
    }
  }
}

/** Decided on the absolute path: a chart's `templates/` counts even when the walk starts inside it. */
function isOurs(absolutePath: string): boolean {
  const kind = fileKindOf(absolutePath);
  return kind !== undefined && OUR_KINDS.includes(kind);
}
