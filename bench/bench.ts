// Speed, as ratios against a baseline measured in the same process (never a wall-clock limit):
//   npm run bench
// baseline: yaml.parseAllDocuments over the same text, the least any analysis must do.
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import { Project } from '../src/core/engine';

function workload(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ns-${i % 7}
spec:
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
        aadpodidbinding: id-${i % 13}
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/app:${i}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: binding-${i}
  namespace: ns-${i % 7}
spec:
  azureIdentity: identity-${i % 13}
  selector: id-${i % 13}
`;
}

function time(label: string, fn: () => void, runs = 5): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${label.padEnd(52)} ${median.toFixed(1).padStart(8)} ms`);
  return median;
}

const FILES = 200;
const DOCS_PER_FILE = 5;
const files = Array.from({ length: FILES }, (_, f) => Array.from({ length: DOCS_PER_FILE }, (_, d) => workload(f * DOCS_PER_FILE + d)).join('---\n'));
const all = files.join('---\n');
console.log(`workspace: ${FILES} files, ${FILES * DOCS_PER_FILE * 2} documents, ${(all.length / 1024).toFixed(0)} KB`);

const baseline = time('baseline: yaml.parseAllDocuments (whole workspace)', () => {
  for (const text of files) parseAllDocuments(text);
});

let project = new Project();
const check = time('index + check every file (every document parsed)', () => {
  project = new Project();
  // New text each run: nothing to reuse.
  const salt = `# ${Math.random()}\n`;
  files.forEach((text, i) => project.set(`f${i}.yaml`, salt + text));
  for (const p of project.paths) project.check(p);
});

files.forEach((text, i) => project.set(`f${i}.yaml`, text));
const warm = time('re-index unchanged files + check (parses reused)', () => {
  files.forEach((text, i) => project.set(`f${i}.yaml`, text));
  for (const p of project.paths) project.check(p);
});

const big = files.slice(0, 40).join('---\n');
project.set('big.yaml', big);
let n = 0;
const edit = time('one keystroke in a 400-document file: re-check it', () => {
  n++;
  const text = big.replace('image: contoso.azurecr.io/app:0', `image: contoso.azurecr.io/app:0${n}`);
  project.set('big.yaml', text);
  project.check('big.yaml');
});
const full = time('same file, every document new: re-check it', () => {
  n++;
  project.set('big.yaml', `# ${n}\n` + big.replace(/app:/g, `app${n}:`));
  project.check('big.yaml');
});

const fix = time('fix-all over the workspace', () => {
  const p = new Project();
  files.slice(0, 50).forEach((text, i) => p.set(`f${i}.yaml`, text));
  p.fixAll();
}, 3);

console.log('\nratios (lower is better):');
console.log(`  full check / baseline parse          ${(check / baseline).toFixed(2)}x`);
console.log(`  re-check / baseline parse            ${(warm / baseline).toFixed(2)}x`);
console.log(`  keystroke re-check / full re-check   ${(edit / full).toFixed(2)}x`);
console.log(`  fix-all (50 files) / baseline parse  ${(fix / baseline).toFixed(2)}x`);
