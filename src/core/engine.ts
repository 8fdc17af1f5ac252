import { applyEdits, pickCompatible, type FileEdit } from './edits';
import { parseManifestFile, rangeOf, type ManifestDoc, type ManifestFile } from './model';
import { RULES } from './rules';
import type { Finding, Fix, Options, Report, Rule, RuleContext, Severity } from './rule';
import { DEFAULT_OPTIONS } from './rule';
import { LineIndex } from './text';
import { WorkspaceIndex } from './workspace';

/** `# wi-migrate-disable-line [rule…]` at a line's end, or `# wi-migrate-disable-next-line [rule…]` above it. */
export const SUPPRESS_LINE = 'wi-migrate-disable-line';
export const SUPPRESS_NEXT_LINE = 'wi-migrate-disable-next-line';
const SUPPRESSION = /#\s*(wi-migrate-disable-(?:next-)?line)\b([^\r\n]*)/g;

export function resolveOptions(options?: Partial<Options>): Options {
  return { ...DEFAULT_OPTIONS, ...options, severities: { ...DEFAULT_OPTIONS.severities, ...options?.severities } };
}

/** Runs every rule on every document of a parsed file. */
export function checkFile(file: ManifestFile, index: WorkspaceIndex, options?: Partial<Options>, rules: readonly Rule[] = RULES): Finding[] {
  const opts = resolveOptions(options);
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = opts.severities[rule.id];
    if (setting === 'off') continue;
    const severity: Severity = setting ?? rule.severity;
    for (const doc of file.docs) {
      const objects = doc.objects.filter((o) => rule.kinds.includes('*') || rule.kinds.includes(o.kind));
      if (objects.length === 0 && !rule.kinds.includes('*')) continue;
      const ctx: RuleContext = {
        file,
        doc,
        objects,
        index,
        options: opts,
        report(r: Report) {
          findings.push(toFinding(rule, severity, file.path, doc, r, setting !== undefined));
        },
      };
      rule.check(ctx);
    }
  }
  return dropSuppressed(file.text, findings).sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
}

function toFinding(rule: Rule, severity: Severity, path: string, doc: ManifestDoc, r: Report, overridden: boolean): Finding {
  let start = r.start ?? doc.start;
  let end = r.end ?? start;
  if (r.node && r.start === undefined) [start, end] = rangeOf(doc, r.node);
  return {
    ruleId: rule.id,
    severity: overridden ? severity : (r.severity ?? severity),
    message: r.message,
    file: path,
    start,
    end,
    ...(r.deprecated ? { deprecated: true } : {}),
    ...(r.related?.length ? { related: r.related } : {}),
    ...(r.fix ? { fix: r.fix } : {}),
  };
}

/** Drops findings on lines that a suppression comment names (all rules when it names none). */
export function dropSuppressed(text: string, findings: Finding[]): Finding[] {
  if (!text.includes('wi-migrate-disable')) return findings;
  const lines = new LineIndex(text);
  const lineOf = (offset: number) => lines.position(offset).line;
  const suppressed = new Map<number, Set<string> | 'all'>();
  for (const m of text.matchAll(SUPPRESSION)) {
    const line = lineOf(m.index ?? 0) + (m[1] === SUPPRESS_NEXT_LINE ? 1 : 0);
    const ids = m[2].split(/[\s,]+/).filter((s) => s && !s.startsWith('--'));
    const prev = suppressed.get(line);
    if (ids.length === 0 || prev === 'all') suppressed.set(line, 'all');
    else suppressed.set(line, new Set([...(prev ?? []), ...ids]));
  }
  return findings.filter((f) => {
    const s = suppressed.get(lineOf(f.start));
    return !(s === 'all' || s?.has(f.ruleId));
  });
}

/**
 * Fix-all gives up after this many passes. Passes do not grow with the size of the workspace:
 * each pass applies every fix that does not clash with another (appended documents included), so
 * the count is the length of the longest chain of fixes that wait for one another (pods move, then
 * their bindings go, then the identities), a handful. Reaching it means a bug, and says so.
 */
export const MAX_FIX_PASSES = 100;

/**
 * Fix-all stopped at `MAX_FIX_PASSES` with fixes still to apply. What it did is whole fixes, so
 * `changed` (path to new text, as fix-all returns it) is sound, but not everything was fixed.
 */
export class FixAllIncompleteError extends Error {
  constructor(
    readonly passes: number,
    readonly changed: Map<string, string>,
  ) {
    super(`Fix-all stopped after ${passes} passes with fixes still to apply; run it again to apply the rest.`);
    this.name = 'FixAllIncompleteError';
  }
}

/**
 * Fix-all for one file: applies, in passes, every fix whose edits all stay in this file, against
 * the workspace `index` (which is left as it was). Returns the new text; throws
 * `FixAllIncompleteError` (with the text so far) if `maxPasses` passes leave fixes to apply.
 */
export function fixFileText(index: WorkspaceIndex, path: string, text: string, options?: Partial<Options>, maxPasses = MAX_FIX_PASSES): string {
  const original = index.file(path);
  let current = text;
  try {
    for (let pass = 0; ; pass++) {
      const file = parseManifestFile(path, current, index.file(path));
      index.update(file);
      const fixes = checkFile(file, index, options).flatMap((f) => (f.fix && f.fix.edits.every((e) => e.file === path) ? [f.fix] : []));
      const groups = oneCreatorEach(fixes).map((f) => f.edits);
      const picked = pickCompatible(groups);
      const next = picked.length === 0 ? current : applyEdits(current, picked.flatMap((i) => groups[i]));
      if (next === current) break;
      if (pass === maxPasses) throw new FixAllIncompleteError(pass, new Map([[path, current]]));
      current = next;
    }
  } finally {
    if (original) index.update(original);
    else index.remove(path);
  }
  return current;
}

/**
 * A set of files analysed together: one index over all of them. The CLI uses it, and tests use
 * it as a whole workspace.
 */
export class Project {
  readonly index: WorkspaceIndex;
  private readonly parsed = new Map<string, ManifestFile>();
  readonly options: Options;

  constructor(options?: Partial<Options>) {
    this.options = resolveOptions(options);
    this.index = new WorkspaceIndex(this.options.defaultNamespace);
  }

  set(path: string, text: string): ManifestFile {
    const file = parseManifestFile(path, text, this.parsed.get(path));
    this.parsed.set(path, file);
    this.index.update(file);
    return file;
  }

  delete(path: string): void {
    this.parsed.delete(path);
    this.index.remove(path);
  }

  get paths(): string[] {
    return [...this.parsed.keys()];
  }

  text(path: string): string | undefined {
    return this.parsed.get(path)?.text;
  }

  file(path: string): ManifestFile | undefined {
    return this.parsed.get(path);
  }

  check(path: string): Finding[] {
    const file = this.parsed.get(path);
    return file ? checkFile(file, this.index, this.options) : [];
  }

  checkAll(): Map<string, Finding[]> {
    return new Map(this.paths.map((p) => [p, this.check(p)]));
  }

  /**
   * Applies every fix it can, in passes, until nothing fixable is left (a pass may make new fixes
   * possible: a binding is retired once its pods have moved). Each pass re-reads the index; it
   * stops when a pass changes nothing. Returns the files that changed with their new text. Throws
   * `FixAllIncompleteError` (with what changed so far) if `maxPasses` passes leave fixes to apply.
   */
  fixAll(paths: readonly string[] = this.paths, maxPasses = MAX_FIX_PASSES): Map<string, string> {
    const original = new Map(paths.map((p) => [p, this.text(p) ?? '']));
    const existed = new Set(this.paths);
    const changed = (): Map<string, string> => {
      const out = new Map<string, string>();
      for (const [path, before] of original) {
        const after = this.text(path);
        if (after !== undefined && after !== before) out.set(path, after);
      }
      // Files that fixes created (a ServiceAccount beside a Helm template).
      for (const path of this.paths) if (!existed.has(path)) out.set(path, this.text(path) ?? '');
      return out;
    };
    for (let pass = 0; ; pass++) {
      // In path order, whatever order the files were added in: which of several workloads
      // creates a shared ServiceAccount must not depend on how the workspace was read.
      const fixes = [...paths].sort().flatMap((p) => this.check(p)).flatMap((f) => (f.fix ? [f.fix] : []));
      const byFile = this.planFixes(oneCreatorEach(fixes).map((f) => f.edits));
      if (byFile.size === 0) break;
      if (pass === maxPasses) throw new FixAllIncompleteError(pass, changed());
      for (const [path, text] of byFile) this.set(path, text);
    }
    return changed();
  }

  /** Applies whole fixes that do not overlap, per file; returns how many were applied. */
  applyFixes(groups: readonly (readonly FileEdit[])[]): number {
    const picked = pickCompatibleAcrossFiles(groups);
    for (const [path, text] of this.textsAfter(picked)) this.set(path, text);
    return picked.length;
  }

  /** The new text of each file that the whole, non-overlapping fixes among `groups` change. */
  private planFixes(groups: readonly (readonly FileEdit[])[]): Map<string, string> {
    return this.textsAfter(pickCompatibleAcrossFiles(groups));
  }

  private textsAfter(picked: readonly (readonly FileEdit[])[]): Map<string, string> {
    const byFile = new Map<string, FileEdit[]>();
    for (const group of picked) {
      for (const e of group) {
        const list = byFile.get(e.file);
        if (list) list.push(e);
        else byFile.set(e.file, [e]);
      }
    }
    const out = new Map<string, string>();
    for (const [path, edits] of byFile) {
      const before = this.text(path);
      const after = applyEdits(before ?? '', edits);
      if (after !== before) out.set(path, after);
    }
    return out;
  }
}

/** Drops the fixes that would create an object an earlier fix of the list creates already. */
function oneCreatorEach(fixes: readonly Fix[]): Fix[] {
  const created = new Set<string>();
  return fixes.filter((f) => {
    if (f.creates?.some((k) => created.has(k))) return false;
    f.creates?.forEach((k) => created.add(k));
    return true;
  });
}

/** Like `pickCompatible`, but edits only clash with edits of the same file. */
function pickCompatibleAcrossFiles(groups: readonly (readonly FileEdit[])[]): FileEdit[][] {
  const files = [...new Set(groups.flat().map((e) => e.file))];
  // Each file gets its own band of offsets, so one-dimensional overlap means same-file overlap.
  const band = new Map(files.map((f, i) => [f, i * 2 ** 40]));
  const shifted = groups.map((g) => g.map((e) => ({ ...e, start: e.start + band.get(e.file)!, end: e.end + band.get(e.file)! })));
  return pickCompatible(shifted).map((i) => [...groups[i]]);
}
