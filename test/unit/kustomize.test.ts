import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveVars, valueIn } from '../../src/core/build-values';
import { nameOf, namespaceIn } from '../../src/core/builds';
import { applyEdits } from '../../src/core/edits';
import { Project } from '../../src/core/engine';
import { parseManifestFile } from '../../src/core/model';
import fc from 'fast-check';
import { baseName, dirOf, joinPath, pathKey, relativePath } from '../../src/core/paths';
import { WorkspaceIndex } from '../../src/core/workspace';
import { appendSeqItem } from '../../src/core/yaml-seq-edit';
import { identityWithBinding } from '../support/manifests';

function indexOf(files: Record<string, string>): WorkspaceIndex {
  const index = new WorkspaceIndex();
  for (const [path, text] of Object.entries(files)) index.update(parseManifestFile(path, text));
  return index;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        aadpodidbinding: $(ID_NAME)
    spec:
      containers:
        - name: web
          image: web:1
`;

describe('kustomize model', () => {
  test('paths of kustomization entries resolve against the file system paths and URIs the engine keys files by', () => {
    assert.equal(joinPath('overlays/prod', '../../base'), 'base');
    assert.equal(joinPath('.', 'a.yaml'), 'a.yaml');
    assert.equal(joinPath('file:///w/overlays/prod', '../base/x.yaml'), 'file:///w/overlays/base/x.yaml');
    assert.equal(joinPath('C:\\w\\prod', '../base'), 'C:\\w\\base');
    assert.equal(pathKey('./a/../b/k.yaml'), 'b/k.yaml');
    assert.equal(relativePath('overlays/prod', 'overlays/prod/sa.yaml'), 'sa.yaml');
    assert.equal(relativePath('overlays/prod', 'base/sa.yaml'), '../../base/sa.yaml');
  });

  test('a path that is its own key (the quick way) gets the key that splitting and joining it gives', () => {
    const piece = fc.constantFrom('a', 'b.yaml', '.', '..', '.a', '/', '\\', 'file://', 'C:', '//');
    const slow = (p: string) => joinPath(dirOf(p), baseName(p)).replace(/\\/g, '/');
    for (const p of ['team-000/app-00001.yaml', 'file:///w/a.yaml', '/a.yaml', 'file:///a.yaml', 'file://a', 'a', 'a/', 'a//b', './a/b', 'a/./b', 'a/../b', 'a/.b/c']) {
      assert.equal(pathKey(p), slow(p), p);
    }
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const p = pieces.join('');
        assert.equal(pathKey(p), slow(p), p);
      }),
      { numRuns: 2000 },
    );
  });

  test('each leaf renders the base with its own namespace, prefix, patches and vars', () => {
    const index = indexOf({
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - identity.yaml\n',
      'base/deployment.yaml': deployment,
      'base/identity.yaml': 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: web-id\nspec:\n  clientID: replace\n',
      'dev/kustomization.yaml':
        'namespace: dev\nresources:\n  - ../base\npatchesJson6902:\n  - target: {kind: AzureIdentity, name: web-id}\n    path: id.yaml\n' +
        'vars:\n  - name: ID_NAME\n    objref: {kind: AzureIdentity, name: web-id, apiVersion: aadpodidentity.k8s.io/v1}\n',
      'dev/id.yaml': '- op: replace\n  path: /spec/clientID\n  value: 11111111-1111-1111-1111-111111111111\n',
      'prod/kustomization.yaml': 'namespace: prod\nnamePrefix: p-\nresources:\n  - ../base\npatches:\n  - path: id.yaml\n',
      'prod/id.yaml': 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: web-id\nspec:\n  clientID: 22222222-2222-2222-2222-222222222222\n',
    });
    const model = index.kustomize;
    assert.deepEqual(model.builds.map((b) => b.leaf.path).sort(), ['dev/kustomization.yaml', 'prod/kustomization.yaml']);
    const identity = index.file('base/identity.yaml')!.docs[0].objects[0];
    const places = model.placesOf(identity);
    const byLeaf = new Map(places.map((p) => [p.build.leaf.dir, p]));
    assert.equal(valueIn(byLeaf.get('dev')!.bo, ['spec', 'clientID']), '11111111-1111-1111-1111-111111111111');
    assert.equal(valueIn(byLeaf.get('prod')!.bo, ['spec', 'clientID']), '22222222-2222-2222-2222-222222222222');
    assert.equal(nameOf(byLeaf.get('prod')!.bo), 'p-web-id');
    assert.equal(namespaceIn(byLeaf.get('prod')!.bo), 'prod');
    const web = model.placesOf(index.file('base/deployment.yaml')!.docs[0].objects[0]).find((p) => p.build.leaf.dir === 'dev')!;
    assert.equal(resolveVars(web.build, valueIn(web.bo, ['spec', 'template', 'metadata', 'labels', 'aadpodidbinding'])), 'web-id');
    assert.equal(index.namespaceOf(index.file('prod/id.yaml')!.docs[0].objects[0]), 'default', 'a patch is no object of its own');
    assert.equal(index.namespaceOf(identity), 'default', 'the base renders in two namespaces');
    assert.ok(model.patchFiles.has('prod/id.yaml') && !model.resourceFiles.has('prod/id.yaml'));
    const patchDoc = index.file('prod/id.yaml')!.docs[0].objects[0];
    assert.deepEqual(model.targetsOf(patchDoc).map((t) => nameOf(t.bo)), ['p-web-id']);
  });

  test('items (one line or several) are appended to a kustomization list in its own indentation, or the list is created', () => {
    const cases: Array<[string, string]> = [
      ['resources:\n  - a.yaml\n  - b.yaml # b\nnamespace: x\n', 'resources:\n  - a.yaml\n  - b.yaml # b\n  - sa.yaml\nnamespace: x\n'],
      ['resources:\n- a.yaml', 'resources:\n- a.yaml\n- sa.yaml\n'],
      ['resources: [a.yaml]\n', 'resources: [a.yaml, sa.yaml]\n'],
      ['namespace: x\r\n', 'namespace: x\r\nresources:\r\n- sa.yaml\r\n'],
    ];
    for (const [before, after] of cases) {
      const file = parseManifestFile('kustomization.yaml', before);
      const doc = file.docs[0];
      const edit = appendSeqItem({ file, doc }, doc.yaml.contents as never, 'resources', 'sa.yaml');
      assert.ok(edit, before);
      assert.equal(applyEdits(before, [edit]), after);
    }
    const items = ['target:\n  kind: Job\npatch: |-\n  kind: Job', 'path: p.yaml'];
    const several: Array<[string, string]> = [
      // A new key follows the file's other lists (dashes two right of their key).
      ['resources:\n  - a.yaml\n', 'resources:\n  - a.yaml\npatches:\n  - target:\n      kind: Job\n    patch: |-\n      kind: Job\n  - path: p.yaml\n'],
      ['patches:\r\n- path: x.yaml\r\n', 'patches:\r\n- path: x.yaml\r\n- target:\r\n    kind: Job\r\n  patch: |-\r\n    kind: Job\r\n- path: p.yaml\r\n'],
    ];
    for (const [before, after] of several) {
      const file = parseManifestFile('kustomization.yaml', before);
      const edit = appendSeqItem({ file, doc: file.docs[0] }, file.docs[0].yaml.contents as never, 'patches', items);
      assert.ok(edit, before);
      assert.equal(applyEdits(before, [edit]), after);
    }
    const flow = parseManifestFile('kustomization.yaml', 'patches: [{path: x.yaml}]\n');
    assert.equal(appendSeqItem({ file: flow, doc: flow.docs[0] }, flow.docs[0].yaml.contents as never, 'patches', items), undefined);
    const empty = parseManifestFile('kustomization.yaml', 'resources:\nnamespace: x\n');
    assert.equal(appendSeqItem({ file: empty, doc: empty.docs[0] }, empty.docs[0].yaml.contents as never, 'resources', 'sa.yaml'), undefined);
  });

  test('a JSON 6902 operation that adds a labels or metadata map holding the label: the pair inside it becomes the use label (inline or in a patch file)', () => {
    const id = identityWithBinding({ identity: 'web-id', binding: 'web-binding', namespace: 'default', clientID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', selector: 'web-id' });
    const base = deployment.replace('      labels:\n        aadpodidbinding: $(ID_NAME)\n', '      annotations:\n        team: web\n');
    const inline = `resources:
  - deployment.yaml
  - identity.yaml
patches:
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: add
        path: /spec/template/metadata/labels
        value:
          app: web # kept
          aadpodidbinding: web-id
`;
    const p = new Project();
    p.set('a/kustomization.yaml', inline);
    p.set('a/deployment.yaml', base);
    p.set('a/identity.yaml', id);
    p.set('b/kustomization.yaml', 'resources:\n  - deployment.yaml\n  - identity.yaml\npatchesJson6902:\n  - target: {group: apps, version: v1, kind: Deployment, name: web}\n    path: op.yaml\n');
    p.set('b/op.yaml', '- op: add\n  path: /spec/template/metadata\n  value: {labels: {aadpodidbinding: web-id}}\n');
    p.set('b/deployment.yaml', base.replace('annotations:\n        team: web\n', 'name: x\n'));
    p.set('b/identity.yaml', id);
    const findings = [...p.checkAll().values()].flat().filter((f) => f.ruleId === 'kustomize-pod-identity');
    assert.equal(findings.length, 2);
    assert.ok(findings.every((f) => f.fix), findings.map((f) => f.message).join('\n'));
    p.fixAll();
    assert.equal(p.text('a/kustomization.yaml'), inline.replace('aadpodidbinding: web-id', 'azure.workload.identity/use: "true"').replace('  - identity.yaml\n', '  - identity.yaml\n  - web-id-serviceaccount.yaml\n') +
      '      - op: add\n        path: /spec/template/spec/serviceAccountName\n        value: web-id\n');
    assert.equal(p.text('b/op.yaml'), '- op: add\n  path: /spec/template/metadata\n  value: {labels: {azure.workload.identity/use: "true"}}\n- op: add\n  path: /spec/template/spec/serviceAccountName\n  value: web-id\n');
    for (const dir of ['a', 'b']) assert.match(p.text(`${dir}/web-id-serviceaccount.yaml`)!, /client-id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301"/);
    assert.deepEqual(p.fixAll(), new Map(), 'a second fix-all changes nothing');
  });

  test('an inline strategic-merge patch that also puts the label into the selector: reported without a fix (selectors are immutable)', () => {
    const p = new Project();
    p.set('a/kustomization.yaml', `resources:
  - deployment.yaml
  - identity.yaml
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels:
            aadpodidbinding: web-id
        template:
          metadata:
            labels:
              aadpodidbinding: web-id
`);
    p.set('a/deployment.yaml', deployment.replace('      labels:\n        aadpodidbinding: $(ID_NAME)\n', '      annotations: {}\n'));
    p.set('a/identity.yaml', identityWithBinding({ identity: 'web-id', binding: 'web-binding', namespace: 'default', clientID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', selector: 'web-id' }));
    const [finding] = p.check('a/kustomization.yaml').filter((f) => f.ruleId === 'kustomize-pod-identity');
    assert.ok(finding && !finding.fix, finding?.message);
    assert.match(finding.message, /a selector that uses the label/);
  });

  test('a build that reads a remote base gets no new account: the base may define it, and a second one fails the build', () => {
    const project = new Project();
    project.set('app/kustomization.yaml', 'resources:\n  - github.com/contoso/platform//base?ref=v1.2.0\n  - deployment.yaml\n  - identity.yaml\n');
    project.set('app/deployment.yaml', deployment.replace('$(ID_NAME)', 'web-id'));
    project.set('app/identity.yaml', 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: web-id\nspec:\n  clientID: 11111111-1111-1111-1111-111111111111\n---\n' +
      'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata:\n  name: web-id\nspec:\n  azureIdentity: web-id\n  selector: web-id\n');
    const finding = project.check('app/deployment.yaml').find((f) => f.ruleId === 'pod-identity-label')!;
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /not in the workspace, which may define ServiceAccount web-id/);
  });

  test('builds and the namespaces of a shared base come out in the same order whatever order the files were read in', () => {
    const files: Record<string, string> = {
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'base/deployment.yaml': deployment,
      'prod/kustomization.yaml': 'namespace: prod\nresources:\n  - ../base\n',
      'dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../base\n',
    };
    const orders = [Object.keys(files), Object.keys(files).reverse()].map((keys) => {
      const index = indexOf(Object.fromEntries(keys.map((k) => [k, files[k]])));
      const web = index.file('base/deployment.yaml')!.docs[0].objects[0];
      return { builds: index.kustomize.builds.map((b) => b.leaf.path), namespaces: index.namespacesOf(web) };
    });
    assert.deepEqual(orders[0], orders[1]);
    assert.deepEqual(orders[0].namespaces, ['dev', 'prod']);
  });
});
