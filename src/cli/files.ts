import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileKindOf, MANIFEST_KIND, ourFileKinds, type FileKind } from '../core/fileKinds';
import { RULES } from '../core/rules';

/** The kinds of the files a directory walk picks: those some rule reads. */
const OUR_KINDS = ourFileKinds(RULES);
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export class UsageError extends Error {}

/** A file to read: its path as given or walked (relative to `cwd`), and its kind. */
export interface FileToRead {
  path: string;
  /** The kind its absolute path names; a manifest for a file given by a path that names none. */
  kind: FileKind;
}

/** Expands the given paths (relative to `cwd`): files as given, directories walked for files of our kinds (sorted). */
export function collectFiles(paths: readonly string[], cwd: string): string[] {
  return collectFileKinds(paths, cwd).map((f) => f.path);
}

/** `collectFiles` with each file's kind, decided once (the walk decides it anyway). */
export function collectFileKinds(paths: readonly string[], cwd: string): FileToRead[] {
  const out: FileToRead[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(resolve(cwd, path));
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or directory`);
    }
    if (stat.isDirectory()) walk(cwd, path, out);
    else out.push({ path, kind: fileKindOf(resolve(cwd, path)) ?? MANIFEST_KIND });
  }
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.path) && seen.add(f.path));
}

/** The order of a folder's entries: `localeCompare`'s, with one collator for the whole walk. */
const byName = new Intl.Collator().compare;

function walk(cwd: string, dir: string, out: FileToRead[]): void {
  const absolute = resolve(cwd, dir);
  const entries = readdirSync(absolute, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(cwd, path, out);
    } else if (entry.isFile()) {
      // Decided on the absolute path: a chart's `templates/` counts even when the walk starts inside it.
      const kind = fileKindOf(join(absolute, entry.name));
      if (kind !== undefined && OUR_KINDS.includes(kind)) out.push({ path, kind });
    }
  }
}
