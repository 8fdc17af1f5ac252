// An edit costs the edited documents (core/incremental.ts, core/findings-cache.ts): after many
// random edits, the findings of the editor's path (parse after the previous version, update the
// index, check) equal those of a check from scratch, ranges, messages and fix edits included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFile } from '../../src/core/engine';
import { editOf } from '../../src/core/incremental';
import { fullFile, parseManifestFile, rangeOf, type ManifestFile } from '../../src/core/model';
import { WorkspaceIndex } from '../../src/core/workspace';
import { bigManifest } from '../support/big-manifest';

/** A seeded generator (mulberry32): the same edits on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: bulk-0
  annotations:
    azure.workload.identity/client-id: 11111111-1111-4111-8111-000000000000
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: bulk-0
spec:
  template:
    metadata:
      labels:
        azure.workload.identity/use: "true"
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: web:1
`;

const SNIPPETS = ['x', '1', '\n', '  ', '\t', ': : ', '"', 'aadpodidbinding: bulk-id-3\n', 'aadpodidbindng: bulk-id-3\n', 'kind: ServiceAccount\n', '---\n', 'identity', '    serviceAccountName: web\n', '00000000-0000-4000-8000-000000000001'];
const SAME_LENGTH = ['x', '3', '9', '-', ' ', ':', '\n', 'k'];
const SWAPS: Array<[string, string]> = [['Deployment', 'ServiceAccount'], ['AzureIdentityBinding', 'ConfigMap'], ['bulk-id-', 'bulk-ix-'], ['selector:', 'selectors:'], ['aadpodidbinding', 'app'], ['namespace: bulk-', 'namespace: other-']];

function edit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * text.length);
  const op = rnd();
  if (op < 0.4) return text.slice(0, at) + SNIPPETS[Math.floor(rnd() * SNIPPETS.length)] + text.slice(at);
  if (op < 0.6) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(rnd() * 12)));
  // A character replaced by another: an edit that keeps the length, after which nothing moves.
  if (op < 0.7) return text.slice(0, at) + SAME_LENGTH[Math.floor(rnd() * SAME_LENGTH.length)] + text.slice(at + 1);
  // A change of kind, label, selector or namespace in the document around `at`.
  const [from, to] = SWAPS[Math.floor(rnd() * SWAPS.length)];
  const start = text.lastIndexOf('\n---', at) + 1;
  const end = text.indexOf('\n---', at) < 0 ? text.length : text.indexOf('\n---', at);
  const swap = rnd() < 0.5 ? [from, to] : [to, from];
  return text.slice(0, start) + text.slice(start, end).replace(swap[0], swap[1]) + text.slice(end);
}

/** Each finding as JSON with its keys sorted (a finding moved by an edit writes its fields in another order). */
function comparable(findings: ReturnType<typeof checkFile>): string[] {
  const sorted = (_key: string, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value;
  return findings.map((f) => JSON.stringify(f, sorted));
}

test('after many random edits of a mixed manifest, the incremental check equals a check from scratch', () => {
  const rnd = random(20261130);
  const paths = ['big.yaml', 'other.yaml'];
  const texts = new Map([
    ['big.yaml', `${bigManifest(64)}---\n${ACCOUNTS}`],
    ['other.yaml', bigManifest(16).replace(/bulk-/g, 'side-')],
  ]);
  const index = new WorkspaceIndex();
  const files = new Map<string, ManifestFile>();
  for (const [p, t] of texts) {
    files.set(p, parseManifestFile(p, t));
    index.update(files.get(p)!);
  }
  for (const p of paths) checkFile(files.get(p)!, index);
  const history: string[] = [];
  let reusedEdits = 0;
  for (let step = 0; step < 160; step++) {
    const path = rnd() < 0.8 ? 'big.yaml' : 'other.yaml';
    const before = texts.get(path)!;
    // Now and then the edit is undone: a broken document fixed again.
    const after = history.length > 0 && rnd() < 0.15 ? history.pop()! : edit(before, rnd);
    if (after !== before) history.push(before);
    texts.set(path, after);
    const file = parseManifestFile(path, after, files.get(path));
    if (editOf(file)) reusedEdits++;
    files.set(path, file);
    index.update(file);
    const fresh = new WorkspaceIndex();
    const scratch = new Map(paths.map((p) => [p, parseManifestFile(p, texts.get(p)!)]));
    for (const f of scratch.values()) fresh.update(f);
    for (const p of paths) {
      assert.deepEqual(comparable(checkFile(files.get(p)!, index)), comparable(checkFile(scratch.get(p)!, fresh)), `step ${step}: ${p} after an edit of ${path}`);
    }
  }
  assert.ok(reusedEdits > 100, `${reusedEdits} edits reused documents`);
});

test('an edit that changes nothing other documents read re-checks the edited document only', () => {
  const text = bigManifest(64);
  const index = new WorkspaceIndex();
  const first = parseManifestFile('big.yaml', text);
  index.update(first);
  const found = checkFile(first, index);
  const at = text.indexOf('image: contoso.azurecr.io/bulk/app:1.10.0') + 'image: contoso.azurecr.io/bulk/app:1.1'.length;
  const second = parseManifestFile('big.yaml', `${text.slice(0, at)}1${text.slice(at)}`, first);
  const state = index.stateFor('big.yaml');
  index.update(second);
  assert.equal(index.stateFor('big.yaml'), state, 'the image of a container is read by no other document');
  const again = checkFile(second, index);
  // Findings after the edit moved by one character; those before it are the same objects' copies.
  assert.deepEqual(again.map((f) => f.start), found.map((f) => (f.start > at ? f.start + 1 : f.start)));
  const label = text.indexOf('aadpodidbinding: bulk-id-10') + 'aadpodidbinding: bulk-id-1'.length;
  const third = parseManifestFile('big.yaml', `${second.text.slice(0, label)}9${second.text.slice(label)}`, second);
  index.update(third);
  assert.notEqual(index.stateFor('big.yaml'), state, 'a label other documents select by is read elsewhere');
});

test('a new version of a file parses its skipped documents again only where they changed', () => {
  const text = bigManifest(16);
  const first = parseManifestFile('big.yaml', text);
  assert.ok((first.skipped?.length ?? 0) > 1, 'the pre-scan skips the ConfigMaps');
  const whole = fullFile(first);
  const at = text.indexOf('image: contoso.azurecr.io/bulk/app:') + 'image: contoso.azurecr.io/bulk/app:'.length;
  const second = parseManifestFile('big.yaml', `${text.slice(0, at)}9${text.slice(at)}`, first);
  const again = fullFile(second);
  const parseOf = (f: ManifestFile) => new Map(f.docs.map((d) => [d.source, d.yaml]));
  const before = parseOf(whole);
  const skippedSources = (second.skipped ?? []).map((s) => second.text.slice(s.start, s.end));
  for (const source of skippedSources) assert.equal(parseOf(again).get(source), before.get(source), 'an unchanged skipped document keeps its parse');
  assert.deepEqual(
    again.docs.map((d) => [d.start, d.end, d.source]),
    parseManifestFile('big.yaml', second.text, undefined, undefined, false).docs.map((d) => [d.start, d.end, d.source]),
    'the documents are those of a parse without the scan',
  );
});

test('an identity or binding looked up by file and start is the first the index lists there', () => {
  const index = new WorkspaceIndex();
  for (const [p, t] of [['a.yaml', bigManifest(24)], ['b.yaml', bigManifest(8).replace(/bulk-/g, 'side-')]]) index.update(parseManifestFile(p, t));
  assert.ok(index.identities.length > 0 && index.bindings.length > 0);
  for (const i of index.identities) assert.equal(index.identityAt(i.file, i.start), index.identities.find((f) => f.file === i.file && f.start === i.start));
  for (const b of index.bindings) assert.equal(index.bindingAt(b.file, b.start), index.bindings.find((f) => f.file === b.file && f.start === b.start));
  assert.equal(index.identityAt('a.yaml', 1), undefined);
  assert.equal(index.bindingAt('c.yaml', index.bindings[0].start), undefined);
});

test('what rules read of the whole workspace is prepared in steps before a check, once per state of the index', () => {
  const index = new WorkspaceIndex();
  const big = parseManifestFile('big.yaml', bigManifest(1000));
  index.update(big);
  const steps = (gen: Generator<void, unknown, void>) => {
    let n = 0;
    while (!gen.next().done) n++;
    return n;
  };
  const first = steps(index.prepareSteps());
  assert.ok(first >= Math.floor(big.docs.length / 100), `the references of ${big.docs.length} parsed documents are read in ${first} steps, not one`);
  const again = steps(index.prepareSteps());
  assert.ok(again < first && again <= 2, `nothing is worked out again for the same state (${again} steps)`);
  // A new parse of the file (no previous version to reuse): its documents are read again, in steps.
  index.update(parseManifestFile('big.yaml', big.text.replace('bulk-id-1\n', 'bulk-id-x\n')));
  assert.ok(steps(index.prepareSteps()) >= Math.floor(big.docs.length / 100), 'a new state of the index is prepared again');
});

test('after many edits that only move facts, the index (its facts moved in place) answers as an index made from scratch', () => {
  const rnd = random(20261201);
  const path = 'big.yaml';
  let text = `${bigManifest(48)}---\n${ACCOUNTS}`;
  const index = new WorkspaceIndex();
  let file = parseManifestFile(path, text);
  index.update(file);
  // Edits inside what no other document reads (an image, a ConfigMap's data), and now and then any edit.
  const quietSpots = ['image: contoso.azurecr.io/bulk/app:', 'image: web:', 'data:\n'];
  let quiet = 0;
  for (let step = 0; step < 120; step++) {
    if (rnd() < 0.85) {
      const spot = quietSpots[Math.floor(rnd() * quietSpots.length)];
      const all = [...text.matchAll(new RegExp(spot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))].map((m) => m.index + spot.length);
      const at = all[Math.floor(rnd() * all.length)];
      text = rnd() < 0.6 ? `${text.slice(0, at)}${'x'.repeat(1 + Math.floor(rnd() * 30))}${text.slice(at)}` : `${text.slice(0, at)}${text.slice(at + 1)}`;
    } else text = edit(text, rnd);
    const state = index.stateFor(path);
    file = parseManifestFile(path, text, file);
    index.update(file);
    if (index.stateFor(path) === state) quiet++;
    const fresh = new WorkspaceIndex();
    fresh.update(parseManifestFile(path, text));
    const facts = (i: WorkspaceIndex) =>
      JSON.stringify({
        identities: i.identities,
        bindings: i.bindings,
        pods: i.pods,
        labelled: i.labelledPods,
        // Service accounts with the object found at each one's place in its file.
        accounts: i.serviceAccounts.map((s) => {
          const o = i.serviceAccountObject(s);
          return { ...s, object: o && rangeOf(o.doc, o.node) };
        }),
        at: i.identities.map((f) => i.identityAt(path, f.start)?.name),
        bindingAt: i.bindings.map((b) => i.bindingAt(path, b.start)?.name),
        selected: i.bindings.map((b) => i.identitiesForSelector(b.selector ?? '', b.namespace).map((x) => [x.identity.start, x.binding.start])),
      });
    assert.equal(facts(index), facts(fresh), `step ${step}`);
  }
  assert.ok(quiet > 60, `${quiet} of 120 edits only moved facts`);
});
