import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../src/cli/main';
import { RULES } from '../../src/core/rules';
import { bigManifest } from '../support/manifests';

/** The parts of a SARIF 2.1.0 log these tests read (the `sarif` types make every field optional). */
interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string }> } };
    results: Array<{ ruleId: string; ruleIndex: number; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }>;
  }>;
}

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples');

function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wi-cli-'));
  cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
  return dir;
}

function manifests(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => /\.(ya?ml|tpl)$/.test(p) && statSync(join(dir, p)).isFile())
    .sort();
}

describe('wi-migrate check', () => {
  test('--format json on examples reports every rule, with 1-based lines that point at the finding', () => {
    const result = runCli(['check', 'examples', '--format', 'json'], ROOT);
    assert.equal(result.code, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(findings[0]).sort(), ['column', 'endColumn', 'endLine', 'file', 'fixable', 'line', 'message', 'rule', 'severity']);
    for (const rule of RULES) assert.ok(findings.some((f) => f.rule === rule.id), `examples trigger ${rule.id}`);
    // Lines and columns: the text at the reported start is what the rule is about.
    const kv = findings.find((f) => f.rule === 'csi-pod-identity' && f.file === join('examples', 'manifests', 'orders', 'keyvault.yaml'));
    assert.ok(kv, 'csi finding on keyvault.yaml');
    const line = readFileSync(join(ROOT, kv.file as string), 'utf8').split('\n')[(kv.line as number) - 1];
    assert.equal(line.slice((kv.column as number) - 1, (kv.endColumn as number) - 1), '"true"');
  });

  test('--fix on a copy of examples leaves only findings that need a human, and output that parses', () => {
    const dir = copyExamples();
    const before = new Map(manifests(dir).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
    const fixed = runCli(['check', 'examples', '--fix', '--format', 'json'], dir);
    assert.match(fixed.stderr, /^fixed /m);
    const left = JSON.parse(fixed.stdout) as Array<{ fixable: boolean; file: string; message: string }>;
    assert.deepEqual(left.filter((f) => f.fixable), [], 'nothing fixable left');
    const changed = manifests(dir).filter((p) => readFileSync(join(dir, p), 'utf8') !== before.get(p));
    assert.ok(changed.length >= 5, `files changed: ${changed.join(', ')}`);
    for (const p of manifests(dir)) {
      const text = readFileSync(join(dir, p), 'utf8');
      if (text.includes('{{')) continue; // Helm templates are not YAML until rendered.
      const broken = parseAllDocuments(text).filter((d) => d.errors.length > 0).length;
      const brokenBefore = parseAllDocuments(before.get(p)!).filter((d) => d.errors.length > 0).length;
      assert.ok(broken <= brokenBefore, `${p} still parses`);
    }
    // Running --fix again changes nothing.
    const again = runCli(['check', 'examples', '--fix'], dir);
    assert.match(again.stdout, /^nothing to fix$/m);
  });

  test('text format: one line per finding and a summary', () => {
    const result = runCli(['check', join('examples', 'manifests', 'orders', 'keyvault.yaml')], ROOT);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^examples\/manifests\/orders\/keyvault\.yaml:9:21: warning csi-pod-identity: .*\[fixable\]$/m);
    assert.match(result.stdout, /1 problem\(s\): 0 error\(s\), 1 warning\(s\)/);
  });

  test('sarif format is SARIF 2.1.0 with rules and results', () => {
    const result = runCli(['check', 'examples', '--format', 'sarif'], ROOT);
    const log = JSON.parse(result.stdout) as SarifLog;
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), RULES.map((r) => r.id));
    const result0 = run.results[0];
    assert.equal(run.tool.driver.rules[result0.ruleIndex].id, result0.ruleId);
    assert.ok(result0.locations[0].physicalLocation.region.startLine >= 1);
  });

  test('exit 0 when nothing is found', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-cli-'));
    writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    const result = runCli(['check', dir]);
    assert.equal(result.code, 0);
  });

  test('one --fix on a big file whose new accounts all land at one spot leaves nothing fixable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-cli-'));
    const deployments = 320;
    writeFileSync(join(dir, 'big.yaml'), bigManifest(deployments, 'deployments'));
    const before = JSON.parse(runCli(['check', 'big.yaml', '--format', 'json'], dir).stdout) as Array<{ fixable: boolean }>;
    assert.equal(before.filter((f) => f.fixable).length, deployments);

    const fixed = runCli(['check', 'big.yaml', '--fix', '--format', 'json'], dir);
    assert.equal(fixed.stderr, 'fixed big.yaml\n');
    const left = JSON.parse(fixed.stdout) as Array<{ fixable: boolean; rule: string }>;
    // What is left needs a human (no identity in the workspace: a client id to fill in per account).
    assert.equal(fixed.code, 1);
    assert.equal(left.length, deployments);
    assert.deepEqual(left.filter((f) => f.fixable), [], 'fixable: false everywhere');
    assert.deepEqual([...new Set(left.map((f) => f.rule))], ['wi-annotation-values']);

    const again = runCli(['check', 'big.yaml', '--fix'], dir);
    assert.match(again.stdout, /^nothing to fix$/m);
    assert.match(again.stdout, /0 fixable with --fix\.$/m);
  });

  test('exit 2 on bad usage or unreadable input, and nothing is written', () => {
    assert.equal(runCli([]).code, 2);
    assert.equal(runCli(['lint']).code, 2);
    assert.equal(runCli(['check', '--format', 'xml']).code, 2);
    assert.equal(runCli(['check', '--bogus']).code, 2);
    const missing = runCli(['check', 'no/such/dir']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read no\/such\/dir/);

    const dir = copyExamples();
    const keyvault = join(dir, 'examples', 'manifests', 'orders', 'keyvault.yaml');
    const before = readFileSync(keyvault, 'utf8');
    // One unreadable path among good ones: exit 2 before anything is written.
    const result = runCli(['check', 'examples', join('examples', 'gone.yaml'), '--fix'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read examples\/gone\.yaml/);
    assert.equal(readFileSync(keyvault, 'utf8'), before, 'nothing written');
  });
});
