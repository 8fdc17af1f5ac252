import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Project } from '../../../src/core/engine';
import type { Finding } from '../../../src/core/rule';

/**
 * pod-identity-label in a Helm chart: a templated `aadpodidbinding` read from the chart's values,
 * and the fix in the chart's idiom (the `use` label written in the template, the client id in the
 * `helm create` ServiceAccount values, the old value removed when nothing else reads it).
 */

const CLIENT = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const DEPLOYMENT = 'c/templates/deployment.yaml';

const identity = (selector = 'orders-id', tenant = '') => `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: orders-identity
spec:
  type: 0
  clientID: ${CLIENT}
${tenant ? `  tenantID: ${tenant}\n` : ''}---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: orders-binding
spec:
  azureIdentity: orders-identity
  selector: ${selector}
`;

const deployment = (label: string, account = '      serviceAccountName: {{ include "c.serviceAccountName" . }}\n') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "c.fullname" . }}
spec:
  template:
    metadata:
      labels:
        app: orders
        ${label}
    spec:
${account}      containers:
        - name: orders
          image: orders
`;

const SERVICE_ACCOUNT = `{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "c.serviceAccountName" . }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
`;

const HELPERS = `{{- define "c.serviceAccountName" -}}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
`;

const VALUES = `serviceAccount:
  # Specifies whether a service account should be created
  create: true
  # Annotations to add to the service account
  annotations: {}
  name: ""

# Pod identity: the binding the pods select.
podIdentity:
  binding: orders-id
`;

function chart(files: Record<string, string>): Project {
  const p = new Project();
  const all = {
    'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
    'c/values.yaml': VALUES,
    'c/templates/_helpers.tpl': HELPERS,
    'c/templates/serviceaccount.yaml': SERVICE_ACCOUNT,
    [DEPLOYMENT]: deployment('aadpodidbinding: {{ .Values.podIdentity.binding | quote }}'),
    'identity.yaml': identity(),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) if (text !== '') p.set(path, text);
  return p;
}

function labelFinding(p: Project): Finding {
  const found = p.check(DEPLOYMENT).filter((f) => f.ruleId === 'pod-identity-label');
  assert.equal(found.length, 1, found.map((f) => f.message).join(' | '));
  return found[0];
}

describe('pod-identity-label in a Helm chart', () => {
  test('a label read from values.yaml: the use label in the template, the client id in serviceAccount.annotations, the value removed', () => {
    const p = chart({});
    const finding = labelFinding(p);
    assert.match(finding.message, /aadpodidbinding "orders-id" \(\{\{ \.Values\.podIdentity\.binding \| quote \}\} in c\/values\.yaml\); it maps to AzureIdentity default\/orders-identity/);
    assert.match(finding.message, /The client id goes under serviceAccount\.annotations in c\/values\.yaml, which templates\/serviceaccount\.yaml renders\./);
    assert.ok(finding.fix);
    p.applyFixes([finding.fix.edits]);
    assert.equal(p.text(DEPLOYMENT), deployment('azure.workload.identity/use: "true"'));
    // No template reads podIdentity.binding any more: it goes, with its map (the comment above it stays).
    assert.equal(
      p.text('c/values.yaml'),
      VALUES.replace('annotations: {}', `annotations:\n    azure.workload.identity/client-id: "${CLIENT}"`).replace('podIdentity:\n  binding: orders-id\n', ''),
    );
    assert.deepEqual(p.check(DEPLOYMENT).filter((f) => f.fix), []);
  });

  test('the value stays while another template reads it (the chart\'s own binding)', () => {
    const binding = identity('{{ .Values.podIdentity.binding }}').replace(/^/, '');
    const p = chart({ 'identity.yaml': '', 'c/templates/identity.yaml': binding });
    const finding = labelFinding(p);
    assert.match(finding.message, /client id 3f2504e0/);
    p.applyFixes([finding.fix!.edits]);
    assert.equal(p.text('c/values.yaml'), VALUES.replace('annotations: {}', `annotations:\n    azure.workload.identity/client-id: "${CLIENT}"`));
  });

  test('with a tenant id, and a pod that names no account: the chart\'s account is written in', () => {
    const p = chart({ [DEPLOYMENT]: deployment('aadpodidbinding: "{{ .Values.podIdentity.binding }}"', ''), 'identity.yaml': identity('orders-id', TENANT) });
    const finding = labelFinding(p);
    p.applyFixes([finding.fix!.edits]);
    assert.equal(p.text(DEPLOYMENT), deployment('azure.workload.identity/use: "true"', '      serviceAccountName: {{ include "c.serviceAccountName" . }}\n'));
    assert.match(p.text('c/values.yaml')!, new RegExp(`  annotations:\\n    azure.workload.identity/client-id: "${CLIENT}"\\n    azure.workload.identity/tenant-id: "${TENANT}"\\n  name: ""`));
  });

  test('a literal label in a helm create chart also gets the client id in the values', () => {
    const p = chart({ [DEPLOYMENT]: deployment('aadpodidbinding: orders-id') });
    const finding = labelFinding(p);
    p.applyFixes([finding.fix!.edits]);
    assert.match(p.text('c/values.yaml')!, /annotations:\n {4}azure\.workload\.identity\/client-id: "3f2504e0/);
    assert.match(p.text('c/values.yaml')!, /binding: orders-id/, 'a literal label reads no value: nothing is removed');
  });

  test('serviceAccount.create false: the chart makes no account, no fix', () => {
    const p = chart({ 'c/values.yaml': VALUES.replace('create: true', 'create: false') });
    const finding = labelFinding(p);
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /No fix: serviceAccount\.create is not true in c\/values\.yaml/);
  });

  test('the account already carries another identity\'s client id: no fix', () => {
    const other = '11111111-2222-3333-4444-555555555555';
    const p = chart({ 'c/values.yaml': VALUES.replace('annotations: {}', `annotations: {azure.workload.identity/client-id: "${other}"}`) });
    const finding = labelFinding(p);
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, new RegExp(`already carries client id ${other}`));
  });

  test('values files that disagree (one release each): reported without a fix, the files named', () => {
    const p = chart({ 'c/values-prod.yaml': 'podIdentity:\n  binding: orders-prod\n' });
    const finding = labelFinding(p);
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /c\/values\.yaml sets "orders-id", c\/values-prod\.yaml sets "orders-prod"/);
  });

  test('a subchart does not read the umbrella\'s top-level values', () => {
    const sub = (path: string) => `umbrella/charts/${path}`;
    const files: Record<string, string> = {
      'umbrella/Chart.yaml': 'apiVersion: v2\nname: umbrella\nversion: 0.1.0\n',
      'umbrella/values.yaml': 'podIdentity:\n  binding: orders-id\n',
      [sub('c/Chart.yaml')]: 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      [sub('c/values.yaml')]: VALUES.replace('binding: orders-id', 'binding: ""'),
      [sub('c/templates/_helpers.tpl')]: HELPERS,
      [sub('c/templates/serviceaccount.yaml')]: SERVICE_ACCOUNT,
      [sub(DEPLOYMENT)]: deployment('aadpodidbinding: {{ .Values.podIdentity.binding }}'),
      'identity.yaml': identity(),
    };
    const p = new Project();
    for (const [path, text] of Object.entries(files)) p.set(path, text);
    const [finding] = p.check(sub(DEPLOYMENT)).filter((f) => f.ruleId === 'pod-identity-label');
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /\.Values\.podIdentity\.binding is not set in the chart's values/);
    // Set under the subchart's name in the umbrella's values, it is the subchart's.
    p.set('umbrella/values.yaml', 'c:\n  podIdentity:\n    binding: orders-id\n');
    const [resolved] = p.check(sub(DEPLOYMENT)).filter((f) => f.ruleId === 'pod-identity-label');
    assert.ok(resolved.fix, resolved.message);
    assert.match(resolved.message, /in umbrella\/values\.yaml/);
  });

  test('a chart without helm create\'s account values: the client id becomes a value, rendered by a new ServiceAccount template', () => {
    const p = chart({ 'c/values.yaml': 'podIdentity:\n  binding: orders-id\n', 'c/templates/serviceaccount.yaml': '', [DEPLOYMENT]: deployment('aadpodidbinding: {{ .Values.podIdentity.binding }}', '') });
    const [finding] = p.check(DEPLOYMENT).filter((f) => f.ruleId === 'pod-identity-label');
    assert.match(finding.message, /workloadIdentity\.clientIds\.ordersId/);
    const changed = p.fixAll();
    assert.equal(p.text(DEPLOYMENT), deployment('azure.workload.identity/use: "true"', '      serviceAccountName: orders-id\n'));
    assert.equal(
      changed.get('c/templates/orders-id-serviceaccount.yaml'),
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: orders-id\n  annotations:\n    azure.workload.identity/client-id: {{ .Values.workloadIdentity.clientIds.ordersId | quote }}\n',
    );
    // The value the label read is gone (nothing else reads it); the client id is the new value.
    assert.equal(p.text('c/values.yaml'), `workloadIdentity:\n  clientIds:\n    ordersId: "${CLIENT}"\n`);
    // The identity can go: its client id is kept in the chart's values.
    assert.equal(p.text('identity.yaml'), '');
    assert.deepEqual(p.fixAll(), new Map(), 'a second fix-all changes nothing');
    assert.ok(p.checkAll().get(DEPLOYMENT)!.every((f) => f.ruleId !== 'pod-identity-label'));
  });

  test('two accounts of a chart without account values: one key each under workloadIdentity.clientIds, the other values kept', () => {
    const other = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const worker = deployment('aadpodidbinding: worker-id', '').replace('app: orders', 'app: worker');
    const p = chart({
      'c/values.yaml': 'replicas: 2\n',
      'c/templates/serviceaccount.yaml': '',
      [DEPLOYMENT]: deployment('aadpodidbinding: orders-id', ''),
      'c/templates/worker.yaml': worker,
      'worker-identity.yaml': identity('worker-id').replace(CLIENT, other).replace(/orders-/g, 'worker-'),
    });
    p.fixAll();
    assert.equal(p.text('c/values.yaml'), `replicas: 2\nworkloadIdentity:\n  clientIds:\n    ordersId: "${CLIENT}"\n    workerId: "${other}"\n`);
    assert.match(p.text('c/templates/worker-id-serviceaccount.yaml')!, /clientIds\.workerId \| quote/);
  });

  test('a chart whose own AzureIdentity reads its client id from values: the new account renders that same value, so each release keeps its own id', () => {
    const prod = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const chartIdentity = identity().replace(`clientID: ${CLIENT}`, 'clientID: {{ .Values.identity.clientID }}');
    const p = chart({
      'c/values.yaml': `identity:\n  clientID: ${CLIENT}\n`,
      'c/values-prod.yaml': `identity:\n  clientID: ${prod}\n`,
      'c/templates/serviceaccount.yaml': '',
      'c/templates/identity.yaml': chartIdentity,
      'identity.yaml': '',
      [DEPLOYMENT]: deployment('aadpodidbinding: orders-id', ''),
    });
    const [finding] = p.check(DEPLOYMENT).filter((f) => f.ruleId === 'pod-identity-label');
    assert.match(finding.message, /\.Values\.identity\.clientID, which its AzureIdentity reads too/);
    const changed = p.fixAll();
    assert.match(changed.get('c/templates/orders-id-serviceaccount.yaml')!, /azure\.workload\.identity\/client-id: \{\{ \.Values\.identity\.clientID \| quote \}\}\n$/);
    assert.equal(p.text('c/values.yaml'), `identity:\n  clientID: ${CLIENT}\n`, 'no copy of the client id');
    assert.equal(p.text('c/values-prod.yaml'), `identity:\n  clientID: ${prod}\n`);
  });

  test('a chart account whose client id is unknown: the value holds the placeholder, marked for a human', () => {
    const p = chart({ 'c/values.yaml': 'replicas: 2\n', 'c/templates/serviceaccount.yaml': '', [DEPLOYMENT]: deployment('aadpodidbinding: nobody', ''), 'identity.yaml': '' });
    const [finding] = p.check(DEPLOYMENT).filter((f) => f.ruleId === 'pod-identity-label');
    assert.ok(finding.fix?.needsInput, finding.message);
    const values = finding.fix.edits.find((e) => e.file === 'c/values.yaml')!;
    const [mark] = values.placeholders!;
    assert.equal(values.text.slice(mark.offset, mark.offset + mark.length), '<managed-identity-client-id>');
  });

  test('fix-all over two workloads of one chart annotates its account once', () => {
    const second = deployment('aadpodidbinding: {{ .Values.podIdentity.binding }}').replace('app: orders', 'app: worker');
    const p = chart({ 'c/templates/worker.yaml': second });
    p.fixAll();
    const values = p.text('c/values.yaml')!;
    assert.equal(values.split('azure.workload.identity/client-id').length, 2, values);
    assert.doesNotMatch(p.text('c/templates/worker.yaml')!, /aadpodidbinding/);
  });
});
