import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Project } from '../../src/core/engine';
import { parseManifestFile } from '../../src/core/model';
import { identityWithBinding } from '../support/manifests';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const IDS = identityWithBinding({ namespace: 'default', identity: 'web-id', binding: 'web-binding', selector: 'web-identity', clientID: CLIENT });
const HELPERS = 'chart/templates/_helpers.tpl';
const ACCOUNT = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n';

const podTemplate = (spec = '  spec:\n    serviceAccountName: web\n    containers:\n      - name: web\n        image: nginx\n') => `{{/* The pod template of every workload of the chart. */}}
{{- define "web.podTemplate" -}}
template:
  metadata:
    labels:
      app: web
      aadpodidbinding: web-identity
${spec}{{- end }}
`;

function project(files: Record<string, string>): Project {
  const p = new Project();
  for (const [path, text] of Object.entries(files)) p.set(path, text);
  return p;
}

function shown(p: Project, path: string): string[] {
  const text = p.text(path)!;
  return p.check(path).map((f) => `${f.ruleId} ${text.slice(f.start, f.end)}${f.fix ? ' (fix)' : ''}`);
}

describe('Helm define fragments', () => {
  test('a helper file is read as the bodies of its defines, each a document at its true offsets', () => {
    const text = 'Notes: not: yaml\n\t- at all\n{{- define "a" -}}\nx: 1\n{{- end }}\n{{ define "b" }}\n    y: [2]\n{{ end }}\n';
    const file = parseManifestFile(HELPERS, text);
    assert.deepEqual(file.docs.map((d) => d.define), ['a', 'b']);
    assert.deepEqual(file.docs.map((d) => d.errors.length), [0, 0]);
    assert.deepEqual(file.docs.map((d) => text.slice(d.start, d.end).trim()), ['x: 1', 'y: [2]']);
  });

  test('text outside define is read by no rule', () => {
    const outside = `${ACCOUNT}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    aadpodidbinding: web-identity\n`;
    const p = project({ [HELPERS]: `${outside}{{- define "x" }}\napp: web\n{{- end }}\n`, 'ids.yaml': IDS });
    assert.deepEqual(shown(p, HELPERS), []);
    assert.deepEqual(p.index.pods, []);
  });

  test('a pod template fragment: the label is reported and, with an annotated account in its spec, replaced', () => {
    const account = `${ACCOUNT}  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`;
    const p = project({ [HELPERS]: podTemplate(), 'chart/templates/serviceaccount.yaml': account, 'ids.yaml': IDS });
    assert.deepEqual(shown(p, HELPERS), ['pod-identity-label aadpodidbinding: web-identity (fix)']);
    const changed = p.fixAll();
    assert.equal(changed.get(HELPERS), podTemplate().replace('aadpodidbinding: web-identity', 'azure.workload.identity/use: "true"'));
    assert.equal(changed.get('chart/templates/serviceaccount.yaml'), undefined);
  });

  test('the account named in the fragment gets the client id in its own file', () => {
    const p = project({ [HELPERS]: podTemplate(), 'chart/templates/serviceaccount.yaml': ACCOUNT, 'ids.yaml': IDS });
    const changed = p.fixAll();
    assert.equal(changed.get('chart/templates/serviceaccount.yaml'), `${ACCOUNT}  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`);
    assert.match(changed.get(HELPERS)!, /azure\.workload\.identity\/use: "true"/);
  });

  test('no fix when the fragment names no account, and the message says what a human must do', () => {
    const p = project({ [HELPERS]: podTemplate(''), 'ids.yaml': IDS });
    const [finding] = p.check(HELPERS);
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /define "web\.podTemplate".*client id 1111.*No fix: the fragment holds no pod spec.*By hand: run the pods of the templates that include it under a service account annotated with azure\.workload\.identity\/client-id "1111[^"]*", then replace the label/);
    const missing = project({ [HELPERS]: podTemplate(), 'ids.yaml': IDS }).check(HELPERS)[0];
    assert.equal(missing.fix, undefined);
    assert.match(missing.message, /ServiceAccount default\/web was not found/);
  });

  test('label lines and labels maps are fragments too; one used in a selector keeps its label', () => {
    const helpers = '{{- define "web.selectorLabels" -}}\napp: web\naadpodidbinding: web-identity\n{{- end }}\n{{- define "web.meta" }}\n  labels:\n    aadpodidbinding: web-identity\n{{- end }}\n';
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      {{- include "web.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "web.selectorLabels" . | nindent 8 }}
`;
    const p = project({ [HELPERS]: helpers, 'chart/templates/deployment.yaml': deployment, 'ids.yaml': IDS });
    const findings = p.check(HELPERS);
    assert.deepEqual(findings.map((f) => `${f.ruleId} ${f.fix ? 'fix' : 'no fix'}`), ['pod-identity-label no fix', 'pod-identity-label no fix']);
    assert.match(findings[0].message, /No fix: a template uses this define in a label selector.*keep the label while the selector uses it/);
    assert.deepEqual(findings[0].related?.map((r) => r.message).filter((m) => m.startsWith('includes')), ['includes define "web.selectorLabels" in a label selector', 'includes define "web.selectorLabels"']);
  });

  test('a pod fragment counts as a user of its identity: the identity is not removed', () => {
    const p = project({ [HELPERS]: podTemplate(''), 'ids.yaml': IDS });
    assert.equal(p.index.pods.length, 1);
    assert.equal(p.fixAll().get('ids.yaml'), undefined);
  });

  test('a templated label in a fragment is reported without a fix', () => {
    const p = project({ [HELPERS]: podTemplate().replace('aadpodidbinding: web-identity', 'aadpodidbinding: {{ .Values.binding }}'), 'ids.yaml': IDS });
    const [finding] = p.check(HELPERS);
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /templated aadpodidbinding label/);
  });

  test('if/else inside a define: every branch is read', () => {
    const helpers = '{{- define "web.pod" -}}\nmetadata:\n  {{- if .Values.pi }}\n  labels:\n    aadpodidbinding: web-identity\n  {{- else }}\n  labels: {{ toYaml .Values.labels | nindent 4 }}\n  {{- end }}\n{{- end }}\n';
    const p = project({ [HELPERS]: helpers, 'ids.yaml': IDS });
    assert.deepEqual(shown(p, HELPERS), ['pod-identity-label aadpodidbinding: web-identity']);
  });
});
