// `npm run generate`: writes the files that follow from the rule modules (the rules index, the
// README's rules table, package.json's activation events and severity settings; see
// scripts/generated.ts). The meta-test fails when one of them is out of step.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'wi-generate-'));

/** Bundles scripts/generated.ts afresh (it reads the rules index, which a first pass may rewrite). */
async function generatedFiles() {
  const outfile = join(dir, `generated-${Date.now()}-${Math.random()}.cjs`);
  await build({ entryPoints: [join(root, 'scripts', 'generated.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning' });
  return createRequire(import.meta.url)(outfile).generatedFiles(root);
}

try {
  // Twice: the second pass sees the rules index the first one wrote.
  for (let pass = 0; pass < 2; pass++) {
    for (const { path, text } of await generatedFiles()) {
      const file = join(root, path);
      if (readFileSync(file, 'utf8') === text) continue;
      writeFileSync(file, text);
      console.log(`wrote ${path}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
