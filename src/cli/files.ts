import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = /\.(ya?ml|tpl)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export class UsageError extends Error {}

/** Expands the given paths: files as given, directories walked for manifests (sorted). */
export function collectFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or directory`);
    }
    if (stat.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return [...new Set(out)];
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, out);
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      out.push(path);
    }
  }
}
