import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits, diffEdit, OverlappingEditsError, pickCompatible } from '../../src/core/edits';
import { Project } from '../../src/core/engine';
import { maskTemplates } from '../../src/core/helm';
import { documentStarts, parseManifestFile } from '../../src/core/model';

const keda = (provider: string, comment = '') => `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: a
spec:
  podIdentity:
${comment}    provider: ${provider}
`;

function rulesOf(text: string, options?: ConstructorParameters<typeof Project>[0]): string[] {
  const p = new Project(options);
  p.set('a.yaml', text);
  return p.check('a.yaml').map((f) => `${f.ruleId}:${f.severity}`);
}

describe('edits', () => {
  test('applyEdits sorts, keeps inserts at one offset in order, and refuses overlaps', () => {
    assert.equal(applyEdits('abcdef', [{ start: 4, end: 5, text: 'E' }, { start: 1, end: 1, text: 'x' }, { start: 1, end: 1, text: 'y' }]), 'axybcdEf');
    assert.throws(() => applyEdits('abcdef', [{ start: 1, end: 3, text: '' }, { start: 2, end: 4, text: '' }]), OverlappingEditsError);
    assert.throws(() => applyEdits('abc', [{ start: 2, end: 9, text: '' }]), RangeError);
  });

  test('pickCompatible takes whole fixes in order and skips one that overlaps or inserts at a taken spot', () => {
    const picked = pickCompatible([
      [{ start: 0, end: 2, text: '' }],
      [{ start: 1, end: 3, text: '' }],
      [{ start: 5, end: 5, text: 'a' }, { start: 8, end: 9, text: '' }],
      [{ start: 5, end: 5, text: 'b' }],
      [{ start: 2, end: 4, text: '' }],
    ]);
    assert.deepEqual(picked, [0, 2, 4]);
  });

  test('diffEdit is the span between the common prefix and suffix', () => {
    assert.deepEqual(diffEdit('a: 1\nb: 2\n', 'a: 1\nb: 3\n'), { start: 8, end: 9, text: '3' });
    assert.equal(diffEdit('same', 'same'), undefined);
  });
});

describe('model', () => {
  test('documents split at column-0 markers only, with a comment head kept in the first', () => {
    const text = '# head\n---\na: 1\n---\nb: |\n  --- not a marker\n---\n';
    assert.deepEqual(documentStarts(text).map((s) => s.offset), [0, 16, 44]);
    const file = parseManifestFile('f.yaml', text);
    assert.equal(file.docs.length, 3);
    assert.deepEqual(file.docs.map((d) => d.errors.length), [0, 0, 0]);
  });

  test('Helm actions are masked with text of the same length', () => {
    const text = 'metadata:\n  name: {{ .Release.Name }}-x\n  {{- include "l" . | nindent 2 }}\n';
    const masked = maskTemplates(text);
    assert.equal(masked.text.length, text.length);
    assert.equal(masked.actions.length, 2);
    assert.match(masked.text, /name: _{19}-x\n {2}# {31}\n/);
  });

  test('an unchanged document keeps its parse; a changed one is parsed again', () => {
    const before = parseManifestFile('f.yaml', 'a: 1\n---\nb: 2\n');
    const after = parseManifestFile('f.yaml', 'a: 1\n---\nb: 3\n', before);
    assert.equal(after.docs[0].yaml, before.docs[0].yaml);
    assert.notEqual(after.docs[1].yaml, before.docs[1].yaml);
  });

  test('a name written by a template action reads as its real text', () => {
    const file = parseManifestFile('f.yaml', 'kind: ServiceAccount\nmetadata:\n  name: "{{ .Release.Name }}-sa"\n');
    assert.equal(file.docs[0].objects[0].name, '{{ .Release.Name }}-sa');
  });
});

describe('engine', () => {
  test('suppression comments: disable-line and disable-next-line, for named rules or all', () => {
    assert.deepEqual(rulesOf(keda('azure')), ['keda-pod-identity-provider:error']);
    assert.deepEqual(rulesOf(keda('azure # wi-migrate-disable-line')), []);
    assert.deepEqual(rulesOf(keda('azure', '    # wi-migrate-disable-next-line keda-pod-identity-provider\n')), []);
    assert.deepEqual(rulesOf(keda('azure', '    # wi-migrate-disable-next-line csi-pod-identity, wi-use-label\n')), ['keda-pod-identity-provider:error']);
    assert.deepEqual(rulesOf(keda('azure', '    # wi-migrate-disable-next-line\n')), []);
  });

  test('severity settings override the default, and off turns a rule off', () => {
    assert.deepEqual(rulesOf(keda('azure'), { severities: { 'keda-pod-identity-provider': 'hint' } }), ['keda-pod-identity-provider:hint']);
    assert.deepEqual(rulesOf(keda('azure'), { severities: { 'keda-pod-identity-provider': 'off' } }), []);
  });

  test('fixAll(paths) changes and returns only those paths', () => {
    const p = new Project();
    p.set('a.yaml', keda('azure'));
    p.set('b.yaml', keda('azure'));
    const changed = p.fixAll(['a.yaml']);
    assert.deepEqual([...changed.keys()], ['a.yaml']);
    assert.match(p.text('a.yaml')!, /provider: azure-workload/);
    assert.match(p.text('b.yaml')!, /provider: azure\n/);
  });

  test('the default namespace option decides where an object without one lives', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    azure.workload.identity/use: "true"\nspec:\n  serviceAccountName: app\n  containers: [{name: c, image: i}]\n';
    const account = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: team\n  annotations:\n    azure.workload.identity/client-id: "11111111-2222-4333-8444-555555555555"\n';
    const notFound = (defaultNamespace: string) => {
      const p = new Project({ defaultNamespace });
      p.set('pod.yaml', pod);
      p.set('sa.yaml', account);
      return p.check('pod.yaml').filter((f) => f.ruleId === 'wi-service-account').map((f) => f.severity);
    };
    assert.deepEqual(notFound('default'), ['info'], 'default/app is not in the workspace');
    assert.deepEqual(notFound('team'), [], 'team/app is');
  });
});
