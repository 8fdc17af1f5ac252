import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
  language?: string;
}

test('package.json injects the grammars into YAML and Helm, and each file declares its scope', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
  const grammars = manifest.contributes?.grammars ?? [];
  const byScope = new Map(grammars.map((g) => [g.scopeName, g]));
  assert.deepEqual(byScope.get('wi-migrate.injection')?.injectTo, ['source.yaml', 'source.helm']);
  assert.deepEqual(byScope.get('wi-migrate.injection.keda')?.injectTo, ['source.yaml']);
  for (const g of grammars) {
    const file = join(ROOT, g.path);
    assert.ok(existsSync(file), `${g.path} exists`);
    const grammar = JSON.parse(readFileSync(file, 'utf8')) as { scopeName: string; injectionSelector?: string };
    assert.equal(grammar.scopeName, g.scopeName);
    if (g.injectTo) assert.ok(grammar.injectionSelector, `${g.path} has an injectionSelector`);
  }
});

test('grammar scope tests pass (scripts/test-grammar.mjs: vscode-tmgrammar-test on test/grammar/*.test.yaml)', () => {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'test-grammar.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /run successfuly/);
  assert.doesNotMatch(result.stdout, /✖/);
});
