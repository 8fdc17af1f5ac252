import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { Project } from '../../src/core/engine';
import { buildFix } from '../../src/core/fix';
import { alternativesOf, helmBlocks, isTemplated, maskTemplates } from '../../src/core/helm';
import { parseManifestFile } from '../../src/core/model';
import { identityWithBinding } from '../support/manifests';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const IDS = identityWithBinding({ namespace: 'default', identity: 'web-id', binding: 'web-binding', selector: 'web-identity', clientID: CLIENT });

/**
 * A Deployment whose pod labels are an if/else, and whose containers are another, written by two
 * hands: its list items indented differently in each branch, so that all branches together are no YAML.
 */
const deployment = (spec: string, labels = '        app: web\n        aadpodidbinding: web-identity\n') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      {{- if .Values.podIdentity.enabled }}
      labels:
${labels}      {{- else }}
      labels: {app: web}
      {{- end }}
    spec:
${spec}      containers:
      {{- if .Values.proxy.enabled }}
      - name: web
        image: envoy
      {{- else }}
        - name: web
          image: nginx
      {{- end }}
`;

function project(files: Record<string, string>): Project {
  const p = new Project();
  for (const [path, text] of Object.entries(files)) p.set(path, text);
  return p;
}

const TEMPLATE = 'chart/templates/deployment.yaml';

describe('Helm if/else branches', () => {
  test('blocks nest; else belongs to the innermost block; unbalanced actions give no blocks', () => {
    const text = '{{ if a }}x{{ if b }}y{{ else }}z{{ end }}{{ else if c }}w{{ end }}';
    const root = helmBlocks(text, maskTemplates(text).actions)!;
    assert.equal(root.blocks.length, 1);
    assert.deepEqual(root.blocks[0].branches.map((b) => text.slice(b.start, b.end)), ['x{{ if b }}y{{ else }}z{{ end }}', 'w']);
    assert.deepEqual(root.blocks[0].branches[0].blocks[0].branches.map((b) => text.slice(b.start, b.end)), ['y', 'z']);
    assert.equal(helmBlocks('{{ if a }}x', maskTemplates('{{ if a }}x').actions), undefined);
    assert.equal(helmBlocks('x{{ end }}', maskTemplates('x{{ end }}').actions), undefined);
    assert.equal(helmBlocks('{{/* if */}}x', maskTemplates('{{/* if */}}x').actions)?.blocks.length, 0);
  });

  test('every combination of branches is an alternative; a block without else renders its body', () => {
    const text = 'a\n{{ if x }}b\n{{ else }}c\n{{ end }}{{ range .l }}d\n{{ end }}{{ with y }}e\n{{ else }}f\n{{ end }}';
    const root = helmBlocks(text, maskTemplates(text).actions)!;
    const { alternatives, complete } = alternativesOf(root, 0, text.length);
    assert.equal(complete, true);
    const shown = alternatives.map((hidden) => hidden.map(([s, e]) => text.slice(s, e).trim()).join(','));
    assert.deepEqual(shown, ['c,f', 'c,e', 'b,f', 'b,e']);
  });

  test('more than 32 combinations: each branch is read once, and the alternatives say they are not complete', () => {
    const text = Array.from({ length: 6 }, (_, i) => `{{ if x${i} }}a${i}: 1\n{{ else }}a${i}: 2\n{{ end }}`).join('');
    const { alternatives, complete } = alternativesOf(helmBlocks(text, maskTemplates(text).actions)!, 0, text.length);
    assert.equal(complete, false);
    assert.equal(alternatives.length, 2);
  });

  test('isTemplated (by bisection) says what a scan of every action says', () => {
    const text = 'a: {{ x }}\n{{ if y }}\nb: c{{ z }}d\n{{ end }}\ne: f\n';
    const { actions } = maskTemplates(text);
    for (let start = 0; start <= text.length; start++) {
      for (let end = start; end <= text.length; end++) {
        assert.equal(isTemplated(actions, start, end), actions.some(([a, b]) => a < end && start < b), `${start}-${end}`);
      }
    }
  });

  test('a template whose branches parse only apart is read as its alternatives, with true offsets', () => {
    const text = deployment('      serviceAccountName: web\n');
    const file = parseManifestFile(TEMPLATE, text);
    assert.equal(file.docs.length, 4);
    for (const doc of file.docs) {
      assert.deepEqual(doc.errors, []);
      assert.equal(doc.source.length, text.length);
      assert.equal(doc.objects[0].kind, 'Deployment');
    }
    // The whole text, every branch rendering, is no YAML: that is what was reported before.
    assert.ok(parseDocument(maskTemplates(text).text).errors.length > 0);
  });

  test('the label in one branch is checked: reported once, fixed in that branch only, the other branch untouched', () => {
    const text = deployment('      serviceAccountName: web\n');
    const p = project({ [TEMPLATE]: text, 'ids.yaml': IDS });
    const findings = p.check(TEMPLATE);
    assert.deepEqual(findings.map((f) => `${f.ruleId} ${text.slice(f.start, f.end)}`), ['pod-identity-label aadpodidbinding: web-identity']);
    assert.ok(findings[0].fix);
    const changed = p.fixAll();
    assert.equal(changed.get(TEMPLATE), text.replace('aadpodidbinding: web-identity', 'azure.workload.identity/use: "true"'));
    assert.match(changed.get('chart/templates/web-serviceaccount.yaml')!, new RegExp(`client-id: "${CLIENT}"`));
    assert.deepEqual([...p.fixAll().keys()], [], 'a second fix-all changes nothing');
  });

  test('a fix that would change text every branch renders is not offered, and the message says why', () => {
    // No serviceAccountName: the fix would insert one under spec, which the else branch renders too.
    const text = deployment('');
    const p = project({ [TEMPLATE]: text, 'ids.yaml': IDS });
    const [finding] = p.check(TEMPLATE).filter((f) => f.ruleId === 'pod-identity-label');
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /That fix is not offered: the edits it needs differ between the if\/else branches of this template .*by hand\.$/);
    assert.deepEqual([...p.fixAll().keys()].filter((k) => k === TEMPLATE), []);
  });

  test('a finding in text common to all branches is reported once and fixed when every branch agrees', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    aadpodidbinding: web-identity
spec:
  serviceAccountName: web
  containers:
    - name: web
      image: nginx
      {{- if .Values.debug }}
      args: ["--debug"]
      {{- else }}
      args:
        - --quiet
      {{- end }}
`;
    const p = project({ [TEMPLATE]: text, 'ids.yaml': IDS });
    assert.equal(p.file(TEMPLATE)!.docs.length, 2);
    const findings = p.check(TEMPLATE).filter((f) => f.ruleId === 'pod-identity-label');
    assert.equal(findings.length, 1);
    assert.ok(findings[0].fix);
    assert.equal(p.fixAll().get(TEMPLATE), text.replace('aadpodidbinding: web-identity', 'azure.workload.identity/use: "true"'));
  });

  test('usePodIdentity in an else branch of a SecretProviderClass is found', () => {
    const text = `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: kv
spec:
  provider: azure
  parameters:
    {{- if .Values.workloadIdentity }}
    clientID: {{ .Values.clientId }}
    {{- else }}
    usePodIdentity: "true"
    {{- end }}
    keyvaultName: kv
  secretObjects:
  {{- if .Values.sync }}
  - secretName: x
    type: Opaque
  {{- else }}
    - secretName: y
      type: Opaque
  {{- end }}
`;
    const findings = project({ [TEMPLATE]: text }).check(TEMPLATE);
    assert.deepEqual(findings.map((f) => `${f.ruleId} ${text.slice(f.start, f.end)}`), ['csi-pod-identity "true"']);
  });

  test('a document is unparsable only when no alternative parses', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n{{- if .Values.a }}\n  a: "open\n{{- else }}\n\tb: 1\n{{- end }}\n';
    const findings = project({ [TEMPLATE]: text }).check(TEMPLATE);
    assert.deepEqual(findings.map((f) => f.ruleId), ['unparsable-document']);
  });

  test('nested ifs and ranges with else: every branch is read', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: web
  {{- if .Values.a }}
  labels:
    {{- if .Values.b }}
    aadpodidbinding: web-identity
    {{- else }}
    app: [web]
    {{- end }}
  {{- else }}
  labels: {{ toYaml .Values.labels | nindent 4 }}
  {{- end }}
spec:
  containers:
  {{- range .Values.containers }}
    - name: {{ .name }}
  {{- else }}
    - name: default
      image: nginx
  {{- end }}
`;
    const p = project({ [TEMPLATE]: text, 'ids.yaml': IDS });
    assert.ok(p.file(TEMPLATE)!.docs.length >= 3);
    assert.deepEqual(p.check(TEMPLATE).map((f) => `${f.ruleId} ${text.slice(f.start, f.end)}`), ['pod-identity-label aadpodidbinding: web-identity']);
  });

  test('with too many combinations, findings are reported and no fix is offered', () => {
    const extra = Array.from({ length: 5 }, (_, i) => `      {{- if .Values.x${i} }}\n      hostNetwork: true\n      {{- else }}\n      hostPID: [a]\n      {{- end }}\n`).join('');
    const text = deployment(`      serviceAccountName: web\n${extra}`);
    const [finding] = project({ [TEMPLATE]: text, 'ids.yaml': IDS }).check(TEMPLATE).filter((f) => f.ruleId === 'pod-identity-label');
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /too many if\/else combinations/);
  });

  test('a fix never edits a branch its alternative leaves out', () => {
    const text = deployment('      serviceAccountName: web\n');
    const file = parseManifestFile(TEMPLATE, text);
    const p = project({ [TEMPLATE]: text });
    const elseAt = text.indexOf('labels: {app: web}');
    const [withLabel, without] = [file.docs.find((d) => d.source.includes('aadpodidbinding'))!, file.docs.find((d) => !d.source.includes('aadpodidbinding'))!];
    const spec = (start: number, end: number) => ({ title: 't', label: 'l', edits: [{ start, end, text: 'x' }] });
    assert.equal(buildFix(file, p.index, spec(elseAt, elseAt + 6), withLabel), undefined);
    assert.ok(buildFix(file, p.index, spec(elseAt, elseAt + 6), without));
    // Another document read as alternatives is never edited from outside.
    const other = parseManifestFile('other.yaml', 'a: 1\n');
    assert.equal(buildFix(other, p.index, { title: 't', label: 'l', edits: [{ file: TEMPLATE, start: elseAt, end: elseAt + 6, text: 'x' }] }), undefined);
  });

  test('facts of a workload read in several alternatives are indexed once', () => {
    const text = deployment('      serviceAccountName: web\n', '        aadpodidbinding: web-identity\n');
    const p = project({ [TEMPLATE]: text.replace('labels: {app: web}', 'labels: {aadpodidbinding: web-identity}') });
    assert.equal(p.index.pods.length, 1);
  });
});

test('a templated label read in several alternatives is one user of a binding', () => {
  const text = deployment('      serviceAccountName: web\n', '        aadpodidbinding: {{ .Values.binding }}\n');
  const binding = 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata:\n  name: web-binding\nspec:\n  azureIdentity: web-id\n  selector: web\n';
  const p = project({ [TEMPLATE]: text, 'binding.yaml': binding });
  const [finding] = p.check('binding.yaml').filter((f) => f.ruleId === 'pod-identity-resource');
  assert.deepEqual(finding.related?.map((r) => r.message), ['Deployment default/web has a templated aadpodidbinding label that may select it']);
});

test('branches that bind different identities under one service account get no fix that writes a client id', () => {
  const labels = '        aadpodidbinding: web-identity\n';
  const text = deployment('      serviceAccountName: web\n', labels).replace('labels: {app: web}', 'labels: {aadpodidbinding: web-dev}');
  const dev = identityWithBinding({ namespace: 'default', identity: 'dev-id', binding: 'dev-binding', selector: 'web-dev', clientID: '99999999-2222-3333-4444-555555555555' });
  const account = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`;
  const cases: Array<Record<string, string>> = [{ 'ids.yaml': IDS, 'dev.yaml': dev }, { 'ids.yaml': IDS, 'dev.yaml': dev, 'sa.yaml': account }];
  for (const files of cases) {
    const p = project({ [TEMPLATE]: text, ...files });
    const findings = p.check(TEMPLATE).filter((f) => f.ruleId === 'pod-identity-label');
    assert.equal(findings.length, 2);
    for (const f of findings) {
      const writesElsewhere = f.fix?.edits.some((e) => e.file !== TEMPLATE) ?? false;
      assert.equal(writesElsewhere, false, f.message);
    }
    assert.match(findings.find((f) => !f.fix)!.message, /branches bind different identities \(aadpodidbinding: web-identity, aadpodidbinding: web-dev\) to one service account/);
    p.fixAll();
    assert.equal(p.text('sa.yaml'), 'sa.yaml' in files ? account : undefined, 'the account keeps the client id it had');
  }
});
