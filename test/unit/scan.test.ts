// The pre-scan (core/scan.ts) never changes findings: every workspace the tests know is checked
// with it and without it (every document parsed), and the two must agree to the last edit.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Project } from '../../src/core/engine';
import { ourFileKinds } from '../../src/core/fileKinds';
import { GITOPS_KINDS } from '../../src/core/gitops';
import { POD_FRAGMENT_KIND, POD_IDENTITY_KINDS, WORKLOAD_KINDS } from '../../src/core/k8s';
import { TRIGGER_AUTH_KINDS } from '../../src/core/keda';
import { parseManifestFile } from '../../src/core/model';
import { RULES } from '../../src/core/rules';
import { mayMatter, regionsHit, scanHits, scanKinds } from '../../src/core/scan';
import { isNearMiss } from '../../src/core/rules/pod-identity-label-typo';
import { fixtureWorkspaces } from '../support/fixtures';
import { fixtureRepos, readTree } from '../support/repos';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

/** Every finding of the workspace, with its fix's edits, as comparable text. */
function findingsOf(files: Map<string, string>, scan: boolean): string[] {
  const project = new Project({}, undefined, scan);
  for (const [path, text] of files) project.set(path, text);
  return project.paths.sort().flatMap((p) => project.check(p).map((f) => JSON.stringify(f)));
}

function assertSameFindings(files: Map<string, string>, what: string): number {
  const scanned = findingsOf(files, true);
  assert.deepEqual(scanned, findingsOf(files, false), what);
  return scanned.length;
}

/** The YAML files of a tree (the CLI's kinds), by path relative to its root. */
function yamlOf(tree: Map<string, string>): Map<string, string> {
  return new Map([...tree].filter(([p]) => /\.(ya?ml|tpl)$/.test(p) || /(^|\/)Kustomization$/.test(p)));
}

describe('pre-scan', () => {
  test('every fixture workspace, fixture repository and the examples: the same findings and fixes with the scan as without', () => {
    let findings = 0;
    for (const w of fixtureWorkspaces()) findings += assertSameFindings(w.files, `fixture ${w.name}`);
    for (const r of fixtureRepos()) findings += assertSameFindings(yamlOf(readTree(r.before)), `repo ${r.name}`);
    if (existsSync(EXAMPLES)) findings += assertSameFindings(yamlOf(readTree(EXAMPLES)), 'examples');
    assert.ok(findings > 150, `${findings} findings compared`);
  });

  test('every kind a rule reads is a kind the scan keeps, or one that matters only with a word the scan looks for', () => {
    const wordOnly = new Set(['*', POD_FRAGMENT_KIND, ...WORKLOAD_KINDS, 'Service', 'NetworkPolicy', 'PodDisruptionBudget']);
    const kept = new Set(scanKinds());
    for (const rule of RULES) for (const kind of rule.input === 'text' ? [] : rule.kinds) assert.ok(kept.has(kind) || wordOnly.has(kind), `${rule.id} reads ${kind}`);
    // Only plain manifests are scanned; a new file kind is read whole until someone decides otherwise.
    assert.ok(ourFileKinds(RULES).some((k) => k.id === 'manifest'));
  });

  test('a plain file with nothing of identity in it is not parsed, and a broken document in it is not reported', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n\tx: y\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';
    const file = parseManifestFile('plain.yaml', text);
    assert.deepEqual(file.docs, []);
    assert.deepEqual(file.skipped, [{ start: 0, end: text.length }]);
    const project = new Project();
    project.set('plain.yaml', text);
    assert.deepEqual(project.check('plain.yaml'), []);
  });

  test('documents that must not be skipped are parsed: one per reason', () => {
    const keep = [
      'kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        aadpodidbinding: web\n',
      'kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: "true"\n',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n',
      'kind: SecretProviderClass\nmetadata:\n  name: kv\n',
      'kind: Deployment\nspec:\n  template:\n    spec:\n      volumes:\n        - flexVolume:\n            driver: azure/kv\n',
      'kind: TriggerAuthentication\nspec:\n  podIdentity:\n    provider: azure\n',
      'kind: AzureIdentity\nmetadata:\n  name: x\n',
      'kind: HelmRelease\nspec:\n  values: {}\n',
      'kind: Application\nspec: {}\n',
      'kind: Kustomization\nspec: {}\n',
      'kind: Ingress\nmetadata:\n  annotations:\n    appgw.ingress.kubernetes.io/backend-path-prefix: /\n# armAuth.type: aadPodIdentity\n',
    ];
    for (const doc of keep) {
      const file = parseManifestFile('m.yaml', `kind: ConfigMap\ndata: {}\n---\n${doc}`);
      assert.equal(file.docs.length, 1, doc);
      assert.equal(file.skipped?.length, 1, doc);
    }
  });

  test('every key one edit away from aadpodidbinding that the typo rule reports is kept, whatever its case and separators', () => {
    const target = 'aadpodidbinding';
    const letters = 'abdgilnopx0';
    const variants = new Set<string>();
    for (let i = 0; i <= target.length; i++) {
      for (const c of letters) variants.add(target.slice(0, i) + c + target.slice(i));
      if (i < target.length) {
        variants.add(target.slice(0, i) + target.slice(i + 1));
        for (const c of letters) variants.add(target.slice(0, i) + c + target.slice(i + 1));
      }
      if (i < target.length - 1) variants.add(target.slice(0, i) + target[i + 1] + target[i] + target.slice(i + 2));
    }
    const spelt = [...variants].flatMap((v) => [v, v.toUpperCase(), v.replace('pod', '-Pod-').replace('binding', '_Binding'), v.replace('id', 'Identity')]);
    let checked = 0;
    for (const key of spelt.filter(isNearMiss)) {
      const file = parseManifestFile('m.yaml', `kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        ${key}: web\n`);
      assert.equal(file.docs.length, 1, key);
      checked++;
    }
    assert.ok(checked > 500, `${checked} near misses`);
  });

  test('what skipped documents hold is still known: a GUID they record, the pods that use an account', () => {
    const workload = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      containers: []\n';
    const config = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ids\ndata:\n  client: 0A1B2C3D-0000-4000-8000-000000000001\n';
    const files = new Map([['plain.yaml', `${workload}---\n${config}`]]);
    const [scanned, whole] = [true, false].map((scan) => {
      const project = new Project({}, undefined, scan);
      for (const [p, t] of files) project.set(p, t);
      return project;
    });
    assert.deepEqual(scanned.file('plain.yaml')?.docs, []);
    assert.equal(scanned.index.records('0a1b2c3d-0000-4000-8000-000000000001'), true);
    const pods = (p: Project) => p.index.podsUsingServiceAccount('shop', 'web').map((f) => [f.file, f.start, f.end, f.ownerName, f.namespace]);
    assert.deepEqual(pods(scanned), pods(whole));
    assert.equal(pods(scanned).length, 1);
    // Every document parsed on request, and the parsed ones are the same objects.
    assert.equal(scanned.index.file('plain.yaml')?.docs.length, 2);
  });

  test('a kustomize base without any word, labelled by an overlay\'s patch: the same findings with the scan as without', () => {
    const files = new Map([
      ['base/kustomization.yaml', 'resources:\n  - web.yaml\n'],
      ['base/web.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers: []\n'],
      ['overlay/kustomization.yaml', 'resources:\n  - ../base\npatches:\n  - path: label.yaml\n'],
      ['overlay/label.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        aadpodidbinding: web\n'],
      ['identity.yaml', 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata:\n  name: web\nspec:\n  azureIdentity: web\n  selector: web\n---\napiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: web\nspec:\n  type: 0\n  clientID: 00000000-0000-4000-8000-000000000009\n'],
    ]);
    assert.ok(assertSameFindings(files, 'kustomize base') > 0);
  });

  test('the kinds the scan keeps are the ones the rules and facts name', () => {
    assert.deepEqual(scanKinds().sort(), ['ServiceAccount', 'SecretProviderClass', ...POD_IDENTITY_KINDS, ...TRIGGER_AUTH_KINDS, ...GITOPS_KINDS].sort());
  });
});

/** A seeded generator (mulberry32): the same texts on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The two case-insensitive regular expressions the single-pass scanner replaced: its oracle.
const OLD_WORDS = /aad|podid|pod[-_.]id|idb|bind|ding|identity|secretprovider|azure\/kv|flexvol|keyvault/gi;
const oldKinds = () => new RegExp(`\\b(?:${scanKinds().join('|')})\\b`, 'g');

/** The lines (by number) that the old expressions found a word or kind in. */
function oldLines(text: string): number[] {
  return text.split('\n').flatMap((line, i) => {
    OLD_WORDS.lastIndex = 0;
    return OLD_WORDS.test(line) || oldKinds().test(line) ? [i] : [];
  });
}

/** The lines (by number) that hold an offset the scanner reports. */
function scannedLines(text: string): number[] {
  const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
  const hit = regionsHit(scanHits(text), starts.map((start, i) => ({ start, end: starts[i + 1] ?? text.length + 1 })));
  return hit.flatMap((h, i) => (h ? [i] : []));
}

describe('the single-pass scanner', () => {
  test('finds what the two regular expressions it replaced found, line by line, in 20 000 seeded texts', () => {
    const next = random(10);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const pieces = ['aad', 'AAD', 'podId', 'POD-ID', 'pod_id', 'Pod.Id', 'idb', 'BIND', 'dInG', 'Identity', 'secretProvider', 'AZURE/KV', 'flexVol', 'KeyVault', ...scanKinds(), 'serviceaccount', 'ServiceAccounts', 'xApplication', 'Application_', 'AzureIdentityBindings', 'pod id', 'aa', 'ide', 'azure/k', 'flexvo', 'keyvaul', 'Kustomizatio'];
    const filler = 'abdeginopstvyAIKS-_./: \n\r\t#"\'0é';
    let hits = 0;
    for (let t = 0; t < 20_000; t++) {
      let text = '';
      for (let i = 0, n = 1 + Math.floor(next() * 6); i < n; i++) {
        text += next() < 0.4 ? pick(pieces) : '';
        for (let j = Math.floor(next() * 5); j > 0; j--) text += pick([...filler]);
      }
      const expected = oldLines(text);
      assert.deepEqual(scannedLines(text), expected, JSON.stringify(text));
      OLD_WORDS.lastIndex = 0;
      assert.equal(mayMatter(text), OLD_WORDS.test(text) || oldKinds().test(text), JSON.stringify(text));
      if (expected.length > 0) hits++;
    }
    assert.ok(hits > 5_000 && hits < 15_000, `${hits} texts with a hit`);
  });

  test('a word or kind at the very start or end of the text, in any case for words, in the case written for kinds', () => {
    for (const word of ['aad', 'AaD', 'IDENTITY', 'pod.ID', 'Azure/Kv', 'keyVAULT']) {
      assert.ok(mayMatter(word), word);
      assert.ok(mayMatter(`x: ${word}`), word);
      assert.ok(mayMatter(`${word}: x`), word);
      assert.deepEqual(scanHits(`${word}\n`), [0], word);
      assert.deepEqual(scanHits(`a: 1\nb: ${word}`), [8], word);
    }
    for (const kind of scanKinds()) {
      assert.ok(mayMatter(kind), kind);
      assert.ok(mayMatter(`kind: ${kind}\r\n`), kind);
      assert.equal(mayMatter(`kind: ${kind}s`), /identity|secretprovider|bind/i.test(kind), kind);
      assert.equal(mayMatter(`kind: ${kind.toLowerCase()}`), /identity|secretprovider|bind/i.test(kind), kind);
    }
    for (const none of ['', 'a', 'aa', 'ad', 'pod', 'pod id', 'ide', 'azure/k', 'kind: Deployment', 'kind: Applications', 'kind: HelmReleaseX', 'kind: _Kustomization']) {
      assert.equal(mayMatter(none), false, none);
      assert.deepEqual(scanHits(none), [], none);
    }
  });

  test('documents at the start and the end of a CRLF file: the one with a word is parsed, whatever its case, the others skipped', () => {
    const plain = 'apiVersion: v1\r\nkind: ConfigMap\r\ndata:\r\n  a: b\r\n';
    const cases: Array<[string, number[]]> = [
      [`kind: Deployment\r\nmetadata:\r\n  labels:\r\n    AADPODIDBINDING: web\r\n---\r\n${plain}---\r\n${plain}`, [0]],
      [`${plain}---\r\n${plain}---\r\nkind: Deployment\r\nmetadata:\r\n  labels:\r\n    azure.workload.IDENTITY/use: "true"`, [2]],
      [`${plain}---\r\nkind: ServiceAccount\r\n---\r\n${plain}`, [1]],
      [`kind: ServiceAccount\r\n---\r\n${plain}---\r\nkind: HelmRelease`, [0, 2]],
      [`${plain}---\r\nkind: serviceaccount\r\n---\r\n${plain}`, []],
    ];
    for (const [text, kept] of cases) {
      const file = parseManifestFile('m.yaml', text);
      assert.deepEqual([...new Set(file.docs.map((d) => d.index))], kept, JSON.stringify(text));
      assert.equal(file.eol, '\r\n');
    }
  });
});

