import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits, diffEdit, OverlappingEditsError, pickCompatible } from '../../src/core/edits';
import { FixAllIncompleteError, fixFileText, Project } from '../../src/core/engine';
import { maskTemplates } from '../../src/core/helm';
import { documentStarts, parseManifestFile } from '../../src/core/model';
import { bigManifest, identityWithBinding } from '../support/manifests';

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
    // `scan: false`: these documents hold nothing the pre-scan keeps.
    const file = parseManifestFile('f.yaml', text, undefined, undefined, false);
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
    const before = parseManifestFile('f.yaml', 'a: 1\n---\nb: 2\n', undefined, undefined, false);
    const after = parseManifestFile('f.yaml', 'a: 1\n---\nb: 3\n', before, undefined, false);
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

describe('fix-all finishes in one run', () => {
  test('pickCompatible lets appended documents of different fixes share an offset, in order; other inserts there still clash', () => {
    const append = (text: string) => ({ start: 9, end: 9, text, appendsDocuments: true });
    const picked = pickCompatible([[append('a')], [{ start: 0, end: 1, text: '' }, append('b')], [{ start: 9, end: 9, text: 'c' }], [append('d')]]);
    assert.deepEqual(picked, [0, 1, 3]);
    assert.equal(applyEdits('012345678', [append('a'), { start: 0, end: 1, text: '' }, append('b'), append('d')]), '12345678abd');
  });

  // 320 Deployments, each with its own identity label: each migration appends its own new
  // ServiceAccount at one spot, the end of the file (one per pass before, so 50 passes did 50).
  const DEPLOYMENTS = 320;
  const big = bigManifest(DEPLOYMENTS, 'deployments');
  const accountsInOrder = (text: string) => [...text.matchAll(/^kind: ServiceAccount\n(?:.*\n)*? {2}name: (.*)$/gm)].map((m) => m[1]);

  test('one Project.fixAll() migrates every Deployment of a big file and leaves nothing fixable', () => {
    const project = new Project();
    project.set('big.yaml', big);
    assert.equal(project.check('big.yaml').filter((f) => f.fix).length, DEPLOYMENTS);
    project.fixAll();
    const left = project.check('big.yaml');
    assert.deepEqual(left.filter((f) => f.fix).map((f) => f.message), [], 'nothing fixable left');
    assert.equal(left.length, DEPLOYMENTS, 'one placeholder client id to fill in per new account');
    const text = project.text('big.yaml')!;
    assert.doesNotMatch(text, /aadpodidbinding/);
    // The accounts follow in the order of their Deployments, as one append per pass would have put them.
    assert.deepEqual(accountsInOrder(text), Array.from({ length: DEPLOYMENTS }, (_, i) => `id-${i}`));
    assert.deepEqual(parseManifestFile('big.yaml', text).docs.filter((d) => d.errors.length), []);
  });

  test('one fixFileText (the editor\'s fix-all) does the same to a big file', () => {
    const whole = new Project();
    whole.set('big.yaml', big);
    whole.fixAll();
    const editor = new Project();
    editor.set('big.yaml', big);
    const fixed = fixFileText(editor.index, 'big.yaml', big);
    assert.equal(fixed, whole.text('big.yaml'));
    editor.set('big.yaml', fixed);
    assert.deepEqual(editor.check('big.yaml').filter((f) => f.fix).map((f) => f.message), []);
  });

  test('a file without a final line break gets its accounts in two passes, still in one run', () => {
    const text = bigManifest(3, 'deployments').trimEnd();
    const project = new Project();
    project.set('a.yaml', text);
    project.fixAll();
    const fixed = project.text('a.yaml')!;
    assert.deepEqual(accountsInOrder(fixed), ['id-0', 'id-1', 'id-2']);
    assert.doesNotMatch(fixed, /\n\n/, 'no blank line between the appended documents');
    assert.deepEqual(project.check('a.yaml').filter((f) => f.fix), []);
  });

  test('reaching the pass limit is not silent: it throws with the whole fixes applied so far', () => {
    // Three passes: the pods move, then the binding goes, then the identity.
    const files = new Map([
      ['app.yaml', bigManifest(1, 'deployments')],
      ['identity.yaml', identityWithBinding({ namespace: 'team-0', identity: 'identity-0', binding: 'binding-0', selector: 'id-0', clientID: '11111111-2222-4333-8444-555555555555' })],
    ]);
    const load = () => {
      const p = new Project();
      for (const [path, text] of files) p.set(path, text);
      return p;
    };
    const full = load().fixAll();
    assert.deepEqual([...full.keys()].sort(), ['app.yaml', 'identity.yaml']);
    assert.equal(full.get('identity.yaml'), '');

    const capped = load();
    const error = (() => {
      try {
        capped.fixAll(undefined, 2);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof FixAllIncompleteError, 'throws FixAllIncompleteError');
    assert.equal(error.passes, 2);
    assert.match(error.message, /\.$/);
    assert.equal(error.changed.get('app.yaml'), full.get('app.yaml'), 'the pods moved');
    assert.match(error.changed.get('identity.yaml')!, /kind: AzureIdentity\n/, 'the identity is still there');
    assert.doesNotMatch(error.changed.get('identity.yaml')!, /AzureIdentityBinding/, 'the binding went');
    assert.deepEqual([...load().fixAll(undefined, 3).keys()].sort(), ['app.yaml', 'identity.yaml'], 'three passes are enough');

    // The same in one file, with the editor's fix-all.
    const one = `${files.get('app.yaml')}---\n${files.get('identity.yaml')}`;
    const editor = new Project();
    editor.set('one.yaml', one);
    assert.throws(() => fixFileText(editor.index, 'one.yaml', one, undefined, 2), FixAllIncompleteError);
    assert.equal(editor.text('one.yaml'), one, 'the index is left as it was');
    assert.equal(fixFileText(editor.index, 'one.yaml', one, undefined, 3), full.get('app.yaml'), 'three passes: the pods moved, the binding and identity went');
  });
});
