// The pre-scan (core/scan.ts) never changes findings: every workspace the tests know is checked
// with it and without it (every document parsed), and the two must agree to the last edit.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Project } from '../../src/core/engine';
import { ourFileKinds } from '../../src/core/fileKinds';
import { POD_FRAGMENT_KIND, WORKLOAD_KINDS } from '../../src/core/k8s';
import { parseManifestFile } from '../../src/core/model';
import { RULES } from '../../src/core/rules';
import { scanKinds } from '../../src/core/scan';
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
});
