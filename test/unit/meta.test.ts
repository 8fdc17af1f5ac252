import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docsUrl, RULES } from '../../src/core/rules';
import { fixtureWorkspaces, loadProject } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const SEVERITIES = ['error', 'warning', 'info', 'hint'];

test('rule ids are unique, kebab-case, and described', () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of RULES) {
    assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(rule.description.length > 20 && !/TODO/.test(rule.description), `${rule.id} has a description`);
    assert.ok(SEVERITIES.includes(rule.severity), `${rule.id} severity`);
    assert.ok(rule.kinds.length > 0, `${rule.id} names the kinds it applies to`);
    assert.doesNotThrow(() => new URL(docsUrl(rule.id)));
  }
});

for (const rule of RULES) {
  test(`${rule.id} has a docs page, a test file and a fixture`, () => {
    const page = join(ROOT, 'docs', 'rules', `${rule.id}.md`);
    assert.ok(existsSync(page), `docs/rules/${rule.id}.md`);
    const text = readFileSync(page, 'utf8');
    assert.equal(text.split('\n')[0], `# ${rule.id}`);
    assert.match(text, new RegExp(`Fixable: ${rule.fixable ? 'yes' : 'no'}`), 'the page says whether it fixes');
    assert.ok(existsSync(join(ROOT, 'test', 'unit', 'rules', `${rule.id}.test.ts`)), `test/unit/rules/${rule.id}.test.ts`);
    assert.ok(existsSync(join(ROOT, 'test', 'fixtures', rule.id)), `test/fixtures/${rule.id}/`);
  });
}

test('fixable is true to behaviour: fixable rules fix something in the fixtures, the others never do', () => {
  const fixed = new Set<string>();
  const reported = new Set<string>();
  for (const ws of fixtureWorkspaces()) {
    const project = loadProject(ws.files);
    for (const path of ws.files.keys()) {
      for (const f of project.check(path)) {
        reported.add(f.ruleId);
        if (f.fix) fixed.add(f.ruleId);
      }
    }
  }
  for (const rule of RULES) {
    assert.ok(reported.has(rule.id), `${rule.id} is reported by some fixture`);
    assert.equal(fixed.has(rule.id), rule.fixable, `${rule.id}: fixable is ${rule.fixable}`);
  }
});

test('the README lists every rule with its docs page', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const rule of RULES) assert.ok(readme.includes(`[${rule.id}](docs/rules/${rule.id}.md)`), `README links ${rule.id}`);
});

test('package.json has a severity setting for every rule and no other, each linking its docs page', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const settings = pkg.contributes.configuration.properties['wiMigrate.severity'].properties as Record<string, { enum: string[]; markdownDescription: string }>;
  assert.deepEqual(Object.keys(settings).sort(), RULES.map((r) => r.id).sort());
  for (const rule of RULES) {
    assert.deepEqual(settings[rule.id].enum, ['off', 'hint', 'info', 'warning', 'error'], `${rule.id} levels`);
    assert.ok(settings[rule.id].markdownDescription.includes(`docs/rules/${rule.id}.md`), `${rule.id} setting links its docs page`);
  }
});

test('the README table gives each rule its default severity', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const rule of RULES) {
    const row = readme.split('\n').find((line) => line.startsWith(`| [${rule.id}](`));
    assert.ok(row, `README row of ${rule.id}`);
    assert.equal(row.split('|')[3]?.trim(), rule.severity, `${rule.id} severity in the README`);
  }
});

test('every command package.json contributes is registered in the source, and the other way round', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const contributed = (pkg.contributes.commands as Array<{ command: string }>).map((c) => c.command).sort();
  const sources = ['src/vscode/extension.ts', 'src/vscode/azureCommands.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const registered = [...new Set([...sources.matchAll(/'(wiMigrate\.[A-Za-z]+)'/g)].map((m) => m[1]))]
    .filter((id) => !id.startsWith('wiMigrate.azure.'))
    .sort();
  assert.deepEqual(registered, contributed);
});
