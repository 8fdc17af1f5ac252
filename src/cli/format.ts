import type * as Sarif from 'sarif';
import type { Finding } from '../core/rule';
import { docsUrl, RULES } from '../core/rules';
import { LineIndex } from '../core/text';

/** One finding as the CLI prints it: 1-based lines and columns. */
export interface CliFinding {
  file: string;
  rule: string;
  severity: Finding['severity'];
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fixable: boolean;
}

export function toCliFindings(file: string, text: string, findings: readonly Finding[]): CliFinding[] {
  const lines = new LineIndex(text);
  return findings.map((f) => {
    const s = lines.position(f.start);
    const e = lines.position(f.end);
    return {
      file,
      rule: f.ruleId,
      severity: f.severity,
      message: f.message,
      line: s.line + 1,
      column: s.character + 1,
      endLine: e.line + 1,
      endColumn: e.character + 1,
      fixable: f.fix !== undefined,
    };
  });
}

export function formatText(findings: readonly CliFinding[]): string {
  const lines = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}${f.fixable ? ' [fixable]' : ''}`);
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const fixable = findings.filter((f) => f.fixable).length;
  lines.push(
    findings.length === 0
      ? 'No pod identity usages or workload identity problems found.'
      : `${findings.length} problem(s): ${count('error')} error(s), ${count('warning')} warning(s), ${count('info') + count('hint')} note(s); ${fixable} fixable with --fix.`,
  );
  return lines.join('\n') + '\n';
}

export function formatJson(findings: readonly CliFinding[]): string {
  return JSON.stringify(findings, null, 2) + '\n';
}

const SARIF_LEVEL: Record<Finding['severity'], Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function formatSarif(findings: readonly CliFinding[], version: string): string {
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wi-migrate',
            version,
            informationUri: docsUrl('').replace(/docs\/rules\/\.md$/, ''),
            rules: RULES.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              helpUri: docsUrl(r.id),
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: { fixable: r.fixable },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: RULES.findIndex((r) => r.id === f.rule),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
