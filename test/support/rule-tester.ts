import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits } from '../../src/core/edits';
import { Project } from '../../src/core/engine';
import type { Finding, Options, Rule } from '../../src/core/rule';
import { LineIndex } from '../../src/core/text';

/**
 * ESLint's RuleTester, for manifests. `valid` cases must give no finding of the rule; `invalid`
 * cases give exactly the listed findings, and `output` is the file after applying the rule's
 * fixes once (`null`: reported, no fix). Every output must parse and must not be reported with a
 * fixable finding again. `files` are other workspace files (a binding in another file, say).
 */
export interface ValidCase {
  name?: string;
  code: string;
  files?: Record<string, string>;
  options?: Partial<Options>;
}

export interface ExpectedFinding {
  /** 1-based line where the finding starts. */
  line: number;
  message?: RegExp;
  severity?: Finding['severity'];
  /** The exact text the finding's range covers. */
  text?: string;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
  /** File text after the fixes; `null` when no finding may carry a fix. */
  output: string | null;
  /** Expected text of other files after the fixes (a ServiceAccount annotated elsewhere). */
  otherOutputs?: Record<string, string>;
}

const MAIN = 'test.yaml';

function findingsOf(rule: Rule, c: ValidCase): { project: Project; findings: Finding[] } {
  const project = new Project(c.options);
  for (const [path, text] of Object.entries(c.files ?? {})) project.set(path, text);
  project.set(MAIN, c.code);
  return { project, findings: project.check(MAIN).filter((f) => f.ruleId === rule.id) };
}

export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  cases.valid.forEach((c, i) => {
    test(`${rule.id} valid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
      const { findings } = findingsOf(rule, c);
      assert.deepEqual(findings.map((f) => f.message), []);
    });
  });
  cases.invalid.forEach((c, i) => {
    test(`${rule.id} invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
      const { project, findings } = findingsOf(rule, c);
      const lines = new LineIndex(c.code);
      assert.deepEqual(
        findings.map((f) => lines.position(f.start).line + 1),
        c.errors.map((e) => e.line),
        `finding lines: ${findings.map((f) => f.message).join(' | ')}`,
      );
      c.errors.forEach((e, k) => {
        const f = findings[k];
        if (e.message) assert.match(f.message, e.message);
        if (e.severity) assert.equal(f.severity, e.severity);
        if (e.text !== undefined) assert.equal(c.code.slice(f.start, f.end), e.text);
      });
      const fixes = findings.flatMap((f) => (f.fix ? [f.fix] : []));
      if (c.output === null) {
        assert.equal(fixes.length, 0, 'expected no fix');
        return;
      }
      assert.ok(fixes.length > 0, 'expected a fix');
      project.applyFixes(fixes.map((f) => f.edits));
      const output = project.text(MAIN)!;
      assert.equal(output, c.output);
      for (const [path, expected] of Object.entries(c.otherOutputs ?? {})) assert.equal(project.text(path), expected, path);
      assertSound(project, rule, MAIN);
    });
  });
}

/** The fixed text parses as YAML and the rule has nothing fixable left there. */
export function assertSound(project: Project, rule: Rule | undefined, path: string): void {
  const text = project.text(path)!;
  for (const doc of project.file(path)!.docs) {
    assert.deepEqual(doc.errors.map((e) => e.message), [], `output parses: ${text}`);
  }
  const left = project.check(path).filter((f) => f.fix && (!rule || f.ruleId === rule.id));
  assert.deepEqual(left.map((f) => `${f.ruleId}: ${f.message}`), [], 'nothing fixable left');
}

/** Applies one finding's fix to its own file's text (for tests of a single quick fix). */
export function applyFix(text: string, finding: Finding): string {
  assert.ok(finding.fix, 'finding has a fix');
  return applyEdits(text, finding.fix.edits.filter((e) => e.file === finding.file));
}
