// Speed, memory and size at scale (issue 10), against floors measured in the same process:
//   npm run bench                  every measure (several minutes)
//   WI_BENCH=B1,B3 npm run bench   only those
// One line per measure, `name value unit ratio`, then the targets and how each was measured.
// Inputs are generated deterministically (bench/inputs.ts, test/support/big-manifest.ts); the
// 10 000-file tree is written to a temp folder and deleted after.
import { b6 } from './bundle';
import { b1, b2, b3, b4, b5, b7, Inputs, k1, m1, type Result } from './measures';

const MEASURES: Record<string, (inputs: Inputs) => Result | Promise<Result>> = { B1: b1, B2: b2, B3: b3, B4: b4, B5: b5, B6: b6, B7: b7, K1: k1, M1: m1 };

/** Targets of issue 10: on the value (B1, B6, B7) or on the ratio. */
const TARGETS: Record<string, { limit: number; on: 'value' | 'ratio'; text: string }> = {
  B1: { limit: 10, on: 'value', text: '≤ 10 ms' },
  B2: { limit: 1.1, on: 'ratio', text: '≤ 1.1×' },
  B3: { limit: 3, on: 'ratio', text: '≤ 3×' },
  B4: { limit: 1.5, on: 'ratio', text: '≤ 1.5×' },
  B5: { limit: 3, on: 'ratio', text: '≤ 3×' },
  B6: { limit: 150, on: 'value', text: '≤ 150 KB' },
  B7: { limit: 200, on: 'value', text: '≤ 200 MB' },
};

const FLOORS: Record<string, string> = {
  B1: 'parseAllDocuments of the whole text',
  B2: 'parseAllDocuments',
  B3: 'an indexOf scan for aadpodidbinding',
  B4: 'parseAllDocuments',
  B5: 'reading every file and scanning it with indexOf',
  B6: 'share of the unminified bundle',
  B7: 'peak RSS of a process that reads and scans every file',
  K1: 'parseAllDocuments of every file',
  M1: 'an index that keeps the parse of every file',
};

function selected(): string[] {
  const names = (process.env.WI_BENCH ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = names.filter((n) => !MEASURES[n]);
  if (unknown.length) throw new Error(`WI_BENCH names unknown measures: ${unknown.join(', ')} (known: ${Object.keys(MEASURES).join(', ')}).`);
  return names.length ? Object.keys(MEASURES).filter((n) => names.includes(n)) : Object.keys(MEASURES);
}

const ratioText = (r: Result) => (r.name === 'B6' ? `${(r.ratio * 100).toFixed(0)}%` : `${r.ratio < 10 ? r.ratio.toFixed(2) : r.ratio.toFixed(0)}x`);

async function main(): Promise<void> {
  const inputs = new Inputs();
  const results: Result[] = [];
  try {
    for (const name of selected()) {
      const r = await MEASURES[name](inputs);
      results.push(r);
      console.log(`${r.name} ${r.value.toFixed(1)} ${r.unit} ${ratioText(r)}`);
    }
  } finally {
    inputs.dispose();
  }
  console.log('\nname  target      met  ratio against');
  for (const r of results) {
    const target = TARGETS[r.name];
    const met = target ? ((target.on === 'value' ? r.value : r.ratio) <= target.limit ? 'yes' : 'no') : '-';
    console.log(`${r.name.padEnd(5)} ${(target?.text ?? '(none)').padEnd(11)} ${met.padEnd(4)} ${FLOORS[r.name]}`);
  }
  console.log('\nhow each was measured (times are medians in this process; KB = 1024 bytes):');
  for (const r of results) console.log(`${r.name}: ${r.note}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
