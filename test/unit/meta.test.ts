import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docsBaseOf, generatedFiles, ruleModules } from '../../scripts/generated';
import { FILE_KINDS } from '../../src/core/fileKinds';
import { docsUrl, RULES } from '../../src/core/rules';
import { AZURE_COMMAND_IDS, COMMAND_IDS } from '../../src/vscode/commands';
import { fixtureWorkspaces, loadProject } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const SEVERITIES = ['error', 'warning', 'info', 'hint'];

/** The parts of package.json these tests read. */
interface PackageJson {
  version: string;
  repository: { url: string };
  contributes: {
    commands: Array<{ command: string }>;
    configuration: { properties: Record<string, { properties: Record<string, { enum: string[]; markdownDescription: string }> }> };
  };
}

function readPackageJson(): PackageJson {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
}

test('rule ids are unique, kebab-case, and described', () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of RULES) {
    assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(rule.description.length > 20 && !/TODO/.test(rule.description), `${rule.id} has a description`);
    assert.ok(SEVERITIES.includes(rule.severity), `${rule.id} severity`);
    if (rule.input !== 'text') assert.ok(rule.kinds.length > 0, `${rule.id} names the kinds it applies to`);
    assert.ok(rule.fileKinds.length > 0, `${rule.id} names the file kinds it reads`);
    for (const id of rule.fileKinds) {
      const kind = FILE_KINDS.find((k) => k.id === id);
      assert.ok(kind, `${rule.id} reads file kind ${id}, which the registry has`);
      assert.equal(kind.syntax, rule.input ?? 'yaml', `${rule.id} reads ${id} as ${kind.syntax}`);
    }
    assert.doesNotThrow(() => new URL(docsUrl(rule.id)));
  }
});

/** `<case>.<ext>` files that have a `<case>.fixed.<ext>` beside them, anywhere under `dir`. */
function fixturePairs(dir: string): string[] {
  const files = new Set(readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => f.replace(/\\/g, '/')));
  return [...files].filter((f) => !/\.fixed\./.test(f) && files.has(f.replace(/(\.[^./]+)$/, '.fixed$1')));
}

for (const rule of RULES) {
  test(`${rule.id} has a docs page and a fixture pair`, () => {
    const page = join(ROOT, 'docs', 'rules', `${rule.id}.md`);
    assert.ok(existsSync(page), `docs/rules/${rule.id}.md`);
    const text = readFileSync(page, 'utf8');
    assert.equal(text.split('\n')[0], `# ${rule.id}`);
    assert.match(text, new RegExp(`Fixable: ${rule.fixable ? 'yes' : 'no'}`), 'the page says whether it fixes');
    const fixtures = join(ROOT, 'test', 'fixtures', rule.id);
    assert.ok(existsSync(fixtures), `test/fixtures/${rule.id}/`);
    assert.ok(fixturePairs(fixtures).length > 0, `test/fixtures/${rule.id}/ has a <case>.yaml with its <case>.fixed.yaml`);
  });
}

test('every docs page, fixture folder and rule module is of a rule', () => {
  const ids = RULES.map((r) => r.id).sort();
  const pages = readdirSync(join(ROOT, 'docs', 'rules')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
  assert.deepEqual(pages.sort(), ids, 'docs/rules/*.md');
  const fixtures = readdirSync(join(ROOT, 'test', 'fixtures'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.deepEqual(fixtures.sort(), ids, 'test/fixtures/*/');
  assert.deepEqual(ruleModules(ROOT).map((m) => m.id), ids, 'src/core/rules/<id>.ts');
});

for (const { path, text } of generatedFiles(ROOT)) {
  test(`${path} is in step with the rule modules (else run npm run generate)`, () => {
    assert.ok(readFileSync(join(ROOT, path), 'utf8') === text, `${path} is out of step with the rule modules, the file kinds or package.json: run npm run generate`);
  });
}

test('rule docs links point at the docs of the installed version, not the default branch', () => {
  const pkg = readPackageJson();
  const base = `https://github.com/wi-migrate/aks-workload-identity-migrator/blob/v${pkg.version}/docs/rules/`;
  assert.equal(docsBaseOf(pkg), base);
  for (const rule of RULES) {
    assert.equal(docsUrl(rule.id), `${base}${rule.id}.md`);
    const setting = pkg.contributes.configuration.properties['wiMigrate.severity'].properties[rule.id];
    assert.ok(setting.markdownDescription.includes(`(${base}${rule.id}.md)`), `${rule.id} setting links the versioned docs`);
  }
  assert.equal(docsBaseOf({ version: '1.2.3', repository: { url: 'https://github.com/o/r.git' } }), 'https://github.com/o/r/blob/v1.2.3/docs/rules/');
  const everything = [readFileSync(join(ROOT, 'package.json'), 'utf8'), ...readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(ROOT, 'src', f), 'utf8'))].join('\n');
  assert.doesNotMatch(everything, /blob\/main\//);
});

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
  const pkg = readPackageJson();
  const settings = pkg.contributes.configuration.properties['wiMigrate.severity'].properties;
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

test('package.json contributes exactly the commands of the command table, which the source registers without literals', () => {
  const pkg = readPackageJson();
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  const ids = Object.values(COMMAND_IDS);
  assert.deepEqual(contributed, [...ids].sort());
  assert.ok(AZURE_COMMAND_IDS.every((id) => ids.includes(id)));
  // Registered from the table: the extension registers migrateWorkspace and each Azure command by id.
  const extension = readFileSync(join(ROOT, 'src/vscode/extension.ts'), 'utf8');
  assert.match(extension, /registerCommand\(COMMAND_IDS\.migrateWorkspace,/);
  assert.match(readFileSync(join(ROOT, 'src/vscode/azureCommands.ts'), 'utf8'), /AZURE_COMMAND_IDS/);
  // Nowhere else in the source is a command id written out.
  for (const file of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    if (file.replace(/\\/g, '/') === 'vscode/commands.ts') continue;
    const text = readFileSync(join(ROOT, 'src', file), 'utf8');
    for (const id of ids) assert.ok(!text.includes(`'${id}'`), `src/${file} writes ${id} out instead of using COMMAND_IDS`);
  }
});
