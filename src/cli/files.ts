import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MANIFEST_FILE = /\.(ya?ml|tpl)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export class UsageError extends Error {}

/** Expands the given paths (relative to `cwd`): files as given, directories walked for manifests (sorted). */
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
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      out.push(path);
    }
  }
}
