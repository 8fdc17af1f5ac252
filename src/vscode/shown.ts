import type { Finding } from '../core/rule';

/**
 * VS Code shows at most this many diagnostics of one collection per file: the extension host
 * sends the first 1 000 by severity and replaces the rest with a count of its own
 * (`ExtHostDiagnostics._maxDiagnosticsPerFile` in VS Code's extHostDiagnostics.ts).
 */
export const MAX_DIAGNOSTICS_PER_FILE = 1000;

/**
 * The findings to publish for a file, in the order to publish them. Under the cap, all of them.
 * Over it, `max - 1` of them (one place is kept for a notice saying so), taken round-robin across
 * the rules (each rule's findings by position, rules in the order they first occur), so that every
 * rule shows up whatever their numbers; an editor that draws only the first markers draws them all.
 */
export function shownFindings(findings: readonly Finding[], max = MAX_DIAGNOSTICS_PER_FILE): { shown: Finding[]; capped: boolean } {
  if (findings.length <= max) return { shown: [...findings], capped: false };
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const queues = [...byRule.values()].map((list) => ({ list, next: 0 }));
  const shown: Finding[] = [];
  while (shown.length < max - 1) {
    for (const q of queues) {
      if (q.next < q.list.length && shown.length < max - 1) shown.push(q.list[q.next++]);
    }
  }
  return { shown, capped: true };
}

/** The notice published with the capped findings (a sentence, as every message to users). */
export function cappedNotice(total: number, shown: number): string {
  const n = (x: number) => x.toLocaleString('en-US').replace(/,/g, ' ');
  return `${n(total)} findings in this file; VS Code shows ${n(MAX_DIAGNOSTICS_PER_FILE)} diagnostics per file at most, so ${n(shown)} are listed here, every rule among them; run wi-migrate check for all of them.`;
}
