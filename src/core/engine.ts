import { mergeAlternatives } from './alternatives';
import { applyEdits, type FileEdit, type LabelledEdit, type TextEdit } from './edits';
import { composeChanges, FixAllIncompleteError, MAX_FIX_PASSES, runFixRounds, type Checker, type FixAllChange, type FixAllHost } from './fixAll';
import { editsByFile, pickCompatibleAcrossFiles } from './fixPasses';
import { buildFix } from './fix';
import { findingsCache, forgetFindings } from './findings-cache';
import { parseAfterEdits } from './incremental-edits';
import { parseManifestFile, rangeOf, type ManifestDoc, type ManifestFile } from './model';
import { RULES } from './rules';
import { FILE_KINDS, fileKindOf, MANIFEST_KIND, type FileKind } from './fileKinds';
import type { AnyRule, Finding, Options, Report, RuleContext, Severity, SeveritySetting, TextReport } from './rule';
import { DEFAULT_OPTIONS } from './rule';
import { runSteps, type Steps } from './steps';
import { dropSuppressed } from './suppression';
import { WorkspaceIndex } from './workspace';

export { FixAllIncompleteError, type FixAllChange } from './fixAll';

function resolveOptions(options?: Partial<Options>): Options {
  return { ...DEFAULT_OPTIONS, ...options, severities: { ...DEFAULT_OPTIONS.severities, ...options?.severities } };
}

/** The rules to run and the file kinds that say which files they read. */
export interface Registry {
  rules: readonly AnyRule[];
  kinds: readonly FileKind[];
}

export const DEFAULT_REGISTRY: Registry = { rules: RULES, kinds: FILE_KINDS };

/** Runs every rule that reads the file's kind: a text rule on its text, a YAML rule on every document. */
export function checkFile(file: ManifestFile, index: WorkspaceIndex, options?: Partial<Options>, rules: readonly AnyRule[] = RULES): Finding[] {
  return runSteps(checkFileSteps(file, index, options, rules));
}

/**
 * `checkFile` as steps: every rule on one document, then a yield. The findings are sorted at the
 * end, so they come out as `checkFile`'s whatever order the work was done in.
 */
export function* checkFileSteps(given: ManifestFile, index: WorkspaceIndex, options?: Partial<Options>, rules: readonly AnyRule[] = RULES): Steps<Finding[]> {
  const file = index.checkedFile(given);
  if (file.docs.length === 0) {
    // Nothing parsed (the pre-scan skipped every document, as in most files of a big tree): only
    // the text rules read it, and no document's findings are kept for the next edit.
    forgetFindings(index, file.path);
    if (!readsText(rules, file.kind)) return [];
    const resolved = resolveOptions(options);
    return finishFindings(file, checkText(file, index, resolved, activeRules(file, resolved, rules)));
  }
  const opts = resolveOptions(options);
  const active = activeRules(file, opts, rules);
  // What rules read of the whole workspace, worked out in steps rather than by the first document's rules at once.
  if (active.some((a) => a.rule.input !== 'text')) yield* index.prepareSteps();
  const findings = checkText(file, index, opts, active);
  // The alternatives of one document (its if/else branches) are checked together, then merged;
  // a document the edit did not touch keeps its findings (findings-cache.ts).
  let group: { docs: ManifestDoc[]; found: Finding[][] } = { docs: [], found: [] };
  const cache = findingsCache(index, file, opts, rules);
  for (const [i, doc] of file.docs.entries()) {
    const { found, reused } = cache.of(doc, i);
    if (!reused) found.push(...documentFindings(file, doc, index, opts, active));
    if (!doc.branches && group.docs.length === 0 && file.docs[i + 1]?.index !== doc.index) {
      // A document read once (no if/else alternatives): its findings as they are.
      for (const f of found) findings.push(f);
      if (!reused || i % 100 === 0) yield;
      continue;
    }
    group.docs.push(doc);
    group.found.push(found);
    if (file.docs[i + 1]?.index !== doc.index) {
      findings.push(...mergeAlternatives(file.path, group.docs, group.found));
      group = { docs: [], found: [] };
    }
    if (!reused || i % 100 === 0) yield;
  }
  cache.keep();
  return finishFindings(file, findings);
}

/** Per list of rules, the file kinds some text rule of it reads. */
const textKinds = new WeakMap<readonly AnyRule[], ReadonlySet<string>>();

/** True when a text rule of `rules` reads files of `kind` (whatever the severity settings). */
function readsText(rules: readonly AnyRule[], kind: string): boolean {
  let kinds = textKinds.get(rules);
  if (!kinds) textKinds.set(rules, (kinds = new Set(rules.filter((r) => r.input === 'text').flatMap((r) => r.fileKinds))));
  return kinds.has(kind);
}

/** A rule that runs on a file, with the severity it reports at. */
interface ActiveRule {
  rule: AnyRule;
  setting: SeveritySetting | undefined;
  severity: Severity;
}

/** Per list of rules, the active rules by file kind and severity settings (a CLI check asks once per file, of 10 000). */
const activeByRules = new WeakMap<readonly AnyRule[], Map<string, readonly ActiveRule[]>>();

/** The rules that run on the file: those that read its kind and are not turned off. */
function activeRules(file: ManifestFile, opts: Options, rules: readonly AnyRule[]): readonly ActiveRule[] {
  let known = activeByRules.get(rules);
  if (!known) activeByRules.set(rules, (known = new Map<string, readonly ActiveRule[]>()));
  const key = `${file.kind}\u0000${JSON.stringify(opts.severities)}`;
  let active = known.get(key);
  if (!active) {
    active = rules.flatMap((rule) => {
      const setting = opts.severities[rule.id];
      return setting === 'off' || !rule.fileKinds.includes(file.kind) ? [] : [{ rule, setting, severity: (setting ?? rule.severity) }];
    });
    // Settings change seldom; the many versions of a long session are not all kept.
    if (known.size >= 64) known.clear();
    known.set(key, active);
  }
  return active;
}

/** The findings of the text rules on the file's text, before suppression. */
function checkText(file: ManifestFile, index: WorkspaceIndex, opts: Options, active: readonly ActiveRule[]): Finding[] {
  const findings: Finding[] = [];
  for (const { rule, setting, severity } of active) {
    if (rule.input !== 'text') continue;
    const report = (r: TextReport) => findings.push(toFinding(rule, severity, file.path, undefined, r, setting !== undefined));
    rule.check({ path: file.path, kind: file.kind, text: file.text, index, options: opts, report, fix: (spec) => buildFix(file, index, spec) });
  }
  return findings;
}

/** The findings of the YAML rules on one document, before suppression and the merge of its alternatives. */
function documentFindings(file: ManifestFile, doc: ManifestDoc, index: WorkspaceIndex, opts: Options, active: readonly ActiveRule[]): Finding[] {
  const out: Finding[] = [];
  for (const { rule, setting, severity } of active) {
    if (rule.input === 'text') continue;
    const objects = doc.objects.filter((o) => rule.kinds.includes('*') || rule.kinds.includes(o.kind));
    if (objects.length === 0 && !rule.kinds.includes('*')) continue;
    const ctx: RuleContext = {
      file,
      doc,
      objects,
      index,
      options: opts,
      report(r: Report) {
        out.push(toFinding(rule, severity, file.path, doc, r, setting !== undefined));
      },
      fix: (spec) => buildFix(file, index, spec, doc),
    };
    rule.check(ctx);
  }
  return out;
}

/** The findings of the YAML rules on one document (`docs`: its alternatives, merged), before suppression. */
function checkDocument(file: ManifestFile, docs: readonly ManifestDoc[], index: WorkspaceIndex, opts: Options, active: readonly ActiveRule[]): Finding[] {
  return mergeAlternatives(file.path, docs, docs.map((doc) => documentFindings(file, doc, index, opts, active)));
}

/**
 * The findings of the one document that holds `offset` (its alternatives merged, suppression
 * applied), with `options`: a quick fix's variant (the proxy sidecar), computed when it is asked for.
 */
export function checkDocumentAt(given: ManifestFile, index: WorkspaceIndex, offset: number, options?: Partial<Options>, rules: readonly AnyRule[] = RULES): Finding[] {
  const file = index.checkedFile(given);
  const docs = file.docs.filter((d) => d.start <= offset && offset <= d.end);
  if (docs.length === 0) return [];
  const opts = resolveOptions(options);
  return finishFindings(file, checkDocument(file, docs, index, opts, activeRules(file, opts, rules)));
}

/** Suppression comments applied, in order: a file's findings as `checkFile` gives them. */
function finishFindings(file: ManifestFile, findings: Finding[]): Finding[] {
  const order = (a: Finding, b: Finding) => a.start - b.start || a.ruleId.localeCompare(b.ruleId);
  const kept = dropSuppressed(file.text, findings);
  // Documents come in order, so their findings mostly do too: sorted only when they are not.
  for (let i = 1; i < kept.length; i++) if (order(kept[i - 1], kept[i]) > 0) return kept.sort(order);
  return kept;
}

/** A report as a finding; a text rule's report has offsets and no document. */
function toFinding(rule: AnyRule, severity: Severity, path: string, doc: ManifestDoc | undefined, r: Report, overridden: boolean): Finding {
  let start = r.start ?? doc?.start ?? 0;
  let end = r.end ?? start;
  if (doc && r.node && r.start === undefined) [start, end] = rangeOf(doc, r.node);
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


/**
 * Fix-all for one file: applies, in rounds (fixAll.ts), every fix whose edits all stay in this
 * file, against the workspace `index` (which is left as it was). Returns the new text; throws
 * `FixAllIncompleteError` (with the text so far) if `maxPasses` passes leave fixes to apply.
 */
export function fixFileText(index: WorkspaceIndex, path: string, text: string, options?: Partial<Options>, maxPasses = MAX_FIX_PASSES): string {
  const original = index.file(path);
  try {
    index.update(parseManifestFile(path, text, original));
    const host: FixAllHost = {
      index,
      checker: checkerOf(resolveOptions(options), RULES),
      paths: [path],
      file: (p) => index.file(p),
      set: (p, t, edits) => {
        const previous = index.parsedFile(p);
        index.update((previous && edits && parseAfterEdits(previous, t, edits)) || parseManifestFile(p, t, index.file(p)));
      },
      takes: (fix) => fix.edits.every((e) => e.file === path),
    };
    runFixRounds(host, maxPasses, undefined, (pass) => {
      throw new FixAllIncompleteError(pass, new Map([[path, index.file(path)!.text]]));
    });
    return index.file(path)!.text;
  } finally {
    if (original) index.update(original);
    else index.remove(path);
  }
}

/** The check path in the pieces fix-all re-analyses (see fixAll.ts). */
function checkerOf(opts: Options, rules: readonly AnyRule[]): Checker {
  const byKind = new Map<string, readonly ActiveRule[]>();
  const active = (file: ManifestFile) => byKind.get(file.kind) ?? byKind.set(file.kind, activeRules(file, opts, rules)).get(file.kind)!;
  return {
    document: (file, docs, index) => checkDocument(file, docs, index, opts, active(file)),
    text: (file, index) => checkText(file, index, opts, active(file)),
    finish: finishFindings,
  };
}

/**
 * A set of files analysed together: one index over all of them. The CLI uses it, and tests use
 * it as a whole workspace.
 */
export class Project {
  readonly index: WorkspaceIndex;
  private readonly parsed = new Map<string, ManifestFile>();
  readonly options: Options;

  /** `scan: false` parses every document (the pre-scan's own tests compare against it). */
  constructor(
    options?: Partial<Options>,
    readonly registry: Registry = DEFAULT_REGISTRY,
    private readonly scan = true,
  ) {
    this.options = resolveOptions(options);
    this.index = new WorkspaceIndex(this.options.defaultNamespace);
  }

  /**
   * Sets a file's text; `previous`, a parse of an earlier text of it, lets unchanged documents be
   * reused. `kind` is the file's kind when its path here does not say it (a relative path).
   */
  set(path: string, text: string, previous: ManifestFile | undefined = this.parsed.get(path), kind = this.kindOf(path)): ManifestFile {
    const file = parseManifestFile(path, text, previous, kind, this.scan);
    this.parsed.set(path, file);
    this.index.update(file);
    return file;
  }

  /** `set` after a round of fix-all's `edits` of the file's text: only what they touched is parsed again. */
  private setEdited(path: string, text: string, edits: readonly TextEdit[] | undefined): void {
    const previous = this.parsed.get(path);
    const file = previous && edits && parseAfterEdits(previous, text, edits, this.scan);
    if (!file) return void this.set(path, text);
    this.parsed.set(path, file);
    this.index.update(file);
  }

  /** The kind the file was set with, else the kind its path names, else a manifest. */
  private kindOf(path: string): FileKind {
    const kinds = this.registry.kinds;
    return kinds.find((k) => k.id === this.parsed.get(path)?.kind) ?? fileKindOf(path, kinds) ?? MANIFEST_KIND;
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
    return file ? checkFile(file, this.index, this.options, this.registry.rules) : [];
  }

  checkAll(): Map<string, Finding[]> {
    return new Map(this.paths.map((p) => [p, this.check(p)]));
  }

  /**
   * Applies every fix it can, in rounds, until nothing fixable is left (a round may make new fixes
   * possible: a binding is retired once its pods have moved). Each round re-analyses only the
   * documents the round before may have changed (fixAll.ts); it stops when a round changes nothing. Returns the files that changed with their new text. Throws
   * `FixAllIncompleteError` (with what changed so far) if `maxPasses` passes leave fixes to apply.
   */
  fixAll(paths: readonly string[] = this.paths, maxPasses = MAX_FIX_PASSES): Map<string, string> {
    return this.runFixAll(paths, maxPasses);
  }

  /**
   * Runs the same fix-all as `fixAll` (and leaves the project in the same state), and tells how
   * each changed file got there: one `FixAllChange` per changed or created file, in path order,
   * whose `edits` are the fixes' own edits in the coordinates of the text before, each with the
   * label of what it does, so that a preview can show them grouped and let whole groups be left
   * out.
   */
  fixAllChanges(paths: readonly string[] = this.paths, maxPasses = MAX_FIX_PASSES): FixAllChange[] {
    const existed = new Set(this.paths);
    return composeChanges((onRound) => this.runFixAll(paths, maxPasses, onRound), (path) => this.text(path), existed);
  }

  /** The rounds of fix-all; `onPass` sees each round's edits per file, before they are applied. */
  private runFixAll(paths: readonly string[], maxPasses: number, onPass?: (byFile: Map<string, LabelledEdit[]>) => void): Map<string, string> {
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
    const host: FixAllHost = {
      index: this.index,
      checker: checkerOf(this.options, this.registry.rules),
      paths,
      file: (p) => this.parsed.get(p),
      set: (p, t, edits) => void this.setEdited(p, t, edits),
    };
    runFixRounds(host, maxPasses, onPass, (pass) => {
      throw new FixAllIncompleteError(pass, changed());
    });
    return changed();
  }

  /** Applies whole fixes that do not overlap, per file; returns how many were applied. */
  applyFixes(groups: readonly (readonly FileEdit[])[]): number {
    const picked = pickCompatibleAcrossFiles(groups.map((edits) => ({ edits, label: '' })));
    for (const [path, edits] of editsByFile(picked)) this.set(path, applyEdits(this.text(path) ?? '', edits));
    return picked.length;
  }
}
