#!/usr/bin/env node
// Tests the TextMate injection grammar, offline, against VS Code's own YAML grammar
// (test/grammar/base/). Two checks; the exit code is non-zero when either fails:
//
//  1. vscode-tmgrammar-test runs the scope assertions in test/grammar/*.test.yaml. The injection is
//     registered exactly as package.json contributes it (scopeName, path, injectTo).
//  2. The injection only adds scopes: every YAML file under test/grammar/ and examples/ is tokenized
//     with and without it, and the YAML grammar's own scopes must be the same at every character.
//     VS Code's YAML grammar is stateful (key and value regions, indentation); an injection that
//     took text away from it would break the highlighting of everything after.
//
//   node scripts/test-grammar.mjs
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const baseDir = join(repoRoot, 'test', 'grammar', 'base');
const baseGrammars = readdirSync(baseDir).filter((f) => f.endsWith('.tmLanguage.json')).map((f) => join(baseDir, f));
const started = Date.now();

// vscode-textmate and vscode-oniguruma come with vscode-tmgrammar-test: resolve them through it.
const require = createRequire(import.meta.url);
const runnerPackage = require.resolve('vscode-tmgrammar-test/package.json');
const runner = join(dirname(runnerPackage), require(runnerPackage).bin['vscode-tmgrammar-test']);
const fromRunner = createRequire(runnerPackage);
const tm = fromRunner('vscode-textmate');
const onig = fromRunner('vscode-oniguruma');

function scopeAssertions() {
  const args = [runner, ...baseGrammars.flatMap((g) => ['-g', relative(repoRoot, g)]), '--config', 'package.json', 'test/grammar/*.test.yaml'];
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  if (result.error) console.error(result.error.message);
  return result.status === 0;
}

/** The grammars package.json injects into source.yaml. */
function injectionsFromManifest() {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const entries = (manifest.contributes?.grammars ?? []).filter((g) => g.injectTo?.includes('source.yaml'));
  if (entries.length === 0) throw new Error('package.json contributes no grammar injected into source.yaml');
  return entries.map((e) => JSON.parse(readFileSync(join(repoRoot, e.path), 'utf8')));
}

function yamlFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => /\.(ya?ml|tpl)$/.test(p) && statSync(join(dir, p)).isFile())
    .map((p) => join(dir, p))
    .sort();
}

// One WebAssembly instance for every registry (vscode-oniguruma loads it once per process).
const onigLib = onig.loadWASM(readFileSync(join(dirname(fromRunner.resolve('vscode-oniguruma')), 'onig.wasm')).buffer).then(() => ({
  createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
  createOnigString: (s) => new onig.OnigString(s),
}));

async function loadYaml(injections) {
  const rawGrammars = new Map();
  for (const path of baseGrammars) {
    const raw = tm.parseRawGrammar(readFileSync(path, 'utf8'), path);
    rawGrammars.set(raw.scopeName, raw);
  }
  for (const g of injections) rawGrammars.set(g.scopeName, tm.parseRawGrammar(JSON.stringify(g), `${g.scopeName}.json`));
  const registry = new tm.Registry({
    onigLib,
    loadGrammar: async (scopeName) => rawGrammars.get(scopeName) ?? null,
    getInjections: (scopeName) => (scopeName === 'source.yaml' ? injections.map((g) => g.scopeName) : []),
  });
  return registry.loadGrammar('source.yaml');
}

/** The scopes at each character of each line. */
function scopesByCharacter(grammar, text) {
  let stack = tm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
    stack = ruleStack;
    const scopes = [];
    for (const t of tokens) for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) scopes[i] = t.scopes;
    return { line, scopes };
  });
}

async function injectionOnlyAddsScopes() {
  const own = (scope) => scope.endsWith('.wi-migrate');
  const plain = await loadYaml([]);
  const injected = await loadYaml(injectionsFromManifest());
  const files = [...yamlFiles(join(repoRoot, 'test', 'grammar')), ...yamlFiles(join(repoRoot, 'examples'))];
  let problems = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const before = scopesByCharacter(plain, text);
    const after = scopesByCharacter(injected, text);
    before.forEach(({ line, scopes }, n) => {
      for (let i = 0; i < line.length; i++) {
        const expected = (scopes[i] ?? []).join(' ');
        const actual = (after[n].scopes[i] ?? []).filter((s) => !own(s)).join(' ');
        if (expected === actual) continue;
        if (problems++ < 10) {
          console.error(`✖ ${relative(repoRoot, file)}:${n + 1}:${i + 1}: the injection changed the YAML grammar's scopes\n  ${line}\n  without: ${expected}\n  with:    ${actual}`);
        }
        break;
      }
    });
  }
  if (problems === 0) console.log(`✓ the injection leaves the YAML grammar's own scopes unchanged in ${files.length} files`);
  else console.error(`✖ the injection changed the YAML grammar's scopes on ${problems} lines`);
  return problems === 0;
}

const assertionsPassed = scopeAssertions();
const baseIntact = await injectionOnlyAddsScopes();
console.log(`grammar tests ${assertionsPassed && baseIntact ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(assertionsPassed && baseIntact ? 0 : 1);
