import { LineIndex } from './text';
import type { Finding } from './rule';

/** The comment that silences findings on the next line: `# wi-migrate-disable-next-line [rule-id …]`. */
export const SUPPRESS_NEXT_LINE = 'wi-migrate-disable-next-line';
/** `# wi-migrate-disable-line [rule…]` at a line's end, or `# wi-migrate-disable-next-line [rule…]` above it. */
const SUPPRESSION = /#\s*(wi-migrate-disable-(?:next-)?line)\b([^\r\n]*)/g;

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
