// B6: the main bundle, built in memory with the build's own options (scripts/bundles.cjs), minified
// as shipped and unminified; and what it holds, by package and by layer (esbuild's metafile).
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { join } from 'node:path';
import type { Result } from './measures';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own options (CommonJS, shared with scripts/build.mjs)
const { bundleOptions } = require(join(__dirname, '..', '..', 'scripts', 'bundles.cjs')) as { bundleOptions: (name: string, overrides?: BuildOptions) => BuildOptions };

async function mainBundle(minify: boolean): Promise<{ bytes: number; inputs: Metafile['outputs'][string]['inputs'] }> {
  const r = await build(bundleOptions('extension', { write: false, metafile: true, minify, logLevel: 'silent' }));
  const [out] = Object.entries(r.metafile!.outputs).filter(([path]) => path.endsWith('.js')).map(([, o]) => o);
  return { bytes: out.bytes, inputs: out.inputs };
}

/** Where a module of the bundle belongs: its package, or its layer of src/. */
function groupOf(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (pkg) return pkg[1];
  if (path.startsWith('src/core/rules/')) return 'src/core/rules';
  return path.split('/').slice(0, 2).join('/');
}

export async function b6(): Promise<Result> {
  const min = await mainBundle(true);
  const plain = await mainBundle(false);
  const groups = new Map<string, number>();
  for (const [path, input] of Object.entries(min.inputs)) groups.set(groupOf(path), (groups.get(groupOf(path)) ?? 0) + input.bytesInOutput);
  const breakdown = [...groups].sort((a, b) => b[1] - a[1]).map(([g, b]) => `${g} ${(b / 1024).toFixed(0)} KB`).join(', ');
  return { name: 'B6', value: min.bytes / 1024, unit: 'KB', ratio: min.bytes / plain.bytes, note: `unminified ${(plain.bytes / 1024).toFixed(0)} KB; holds ${breakdown}` };
}
