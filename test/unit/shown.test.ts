// Which findings the editor publishes when VS Code would not show them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/core/rule';
import { cappedNotice, MAX_DIAGNOSTICS_PER_FILE, shownFindings } from '../../src/vscode/shown';

const finding = (ruleId: string, start: number): Finding => ({ ruleId, severity: 'warning', message: `${ruleId} at ${start}`, file: 'a.yaml', start, end: start + 1 });

test('under the cap every finding is shown, in its order', () => {
  const findings = [finding('b', 1), finding('a', 2)];
  assert.deepEqual(shownFindings(findings, 2), { shown: findings, capped: false });
});

test('over the cap, one place short of it, round-robin across rules: a rare rule is shown', () => {
  // 30 findings of "flood" first, then 2 of "rare": by position alone "rare" would be cut.
  const findings = [...Array.from({ length: 30 }, (_, i) => finding('flood', i)), finding('rare', 100), finding('rare', 101)];
  const { shown, capped } = shownFindings(findings, 10);
  assert.equal(capped, true);
  assert.equal(shown.length, 9);
  assert.deepEqual(shown.map((f) => `${f.ruleId}@${f.start}`), ['flood@0', 'rare@100', 'flood@1', 'rare@101', 'flood@2', 'flood@3', 'flood@4', 'flood@5', 'flood@6']);
});

test('the notice counts the findings, names the cap and ends with a full stop', () => {
  assert.equal(MAX_DIAGNOSTICS_PER_FILE, 1000);
  assert.equal(
    cappedNotice(3000, 999),
    '3 000 findings in this file; VS Code shows 1 000 diagnostics per file at most, so 999 are listed here, every rule among them; run wi-migrate check for all of them.',
  );
});
