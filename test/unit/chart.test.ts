import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chartOf, isTemplateOf, lookupValue, renderScalar, valueRefOf, type Chart } from '../../src/core/chart';
import { Project } from '../../src/core/engine';
import { lookupIdentity } from '../../src/core/lookup';

const CLIENT = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

function project(files: Record<string, string>): Project {
  const p = new Project();
  for (const [path, text] of Object.entries(files)) p.set(path, text);
  return p;
}

const chartYaml = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;

function chart(p: Project, path: string): Chart {
  const c = chartOf(p.index, path);
  assert.ok(c, `a chart for ${path}`);
  return c;
}

function rendered(c: Chart, text: string): string {
  const r = renderScalar(c, text);
  assert.ok('value' in r, 'problem' in r ? r.problem : '');
  return r.value;
}

describe('chart model', () => {
  test('a template belongs to the nearest folder with Chart.yaml; its values and values-*.yaml are found', () => {
    const p = project({
      'deploy/orders/Chart.yaml': chartYaml('orders-chart'),
      'deploy/orders/values.yaml': 'a: 1\n',
      'deploy/orders/values-prod.yaml': 'a: 2\n',
      'deploy/orders/values-dev.yml': 'a: 3\n',
      'deploy/orders/ci/values.yaml': 'a: 4\n',
      'deploy/orders/templates/deployment.yaml': 'kind: Deployment\n',
      'deploy/other.yaml': 'kind: ConfigMap\n',
    });
    const c = chart(p, 'deploy/orders/templates/deployment.yaml');
    assert.equal(c.root, 'deploy/orders');
    assert.equal(c.name, 'orders-chart');
    assert.equal(c.values?.path, 'deploy/orders/values.yaml');
    assert.deepEqual(c.overrides.map((f) => f.path), ['deploy/orders/values-dev.yml', 'deploy/orders/values-prod.yaml']);
    assert.equal(c.parent, undefined);
    assert.ok(isTemplateOf(c, 'deploy/orders/templates/deployment.yaml'));
    assert.ok(!isTemplateOf(c, 'deploy/orders/values.yaml'));
    assert.equal(chartOf(p.index, 'deploy/other.yaml'), undefined);
  });

  test('paths relative to the chart itself (the CLI run inside it) and Windows paths', () => {
    const p = project({ 'Chart.yaml': chartYaml('x'), 'values.yaml': 'a: b\n', 'templates/d.yaml': 'kind: Pod\n' });
    const c = chart(p, 'templates/d.yaml');
    assert.equal(c.root, '');
    assert.equal(c.values?.path, 'values.yaml');
    assert.ok(isTemplateOf(c, 'templates/d.yaml'));
    const w = project({ 'C:\\repo\\x\\Chart.yaml': chartYaml('x'), 'C:\\repo\\x\\values.yaml': 'a: b\n', 'C:\\repo\\x\\templates\\d.yaml': 'kind: Pod\n' });
    assert.equal(chart(w, 'C:\\repo\\x\\templates\\d.yaml').values?.path, 'C:\\repo\\x\\values.yaml');
  });

  test('a subchart is a chart of its own; its parent values under its name win over its own', () => {
    const p = project({
      'umbrella/Chart.yaml': chartYaml('umbrella'),
      'umbrella/values.yaml': 'podIdentity:\n  binding: parent-top-level\norders:\n  image: parent-image\n',
      'umbrella/charts/orders/Chart.yaml': chartYaml('orders'),
      'umbrella/charts/orders/values.yaml': 'image: own-image\npodIdentity:\n  binding: ""\n',
      'umbrella/charts/orders/templates/d.yaml': 'kind: Pod\n',
      'umbrella/charts/bare/templates/d.yaml': 'kind: Pod\n',
    });
    const sub = chart(p, 'umbrella/charts/orders/templates/d.yaml');
    assert.equal(sub.root, 'umbrella/charts/orders');
    assert.equal(sub.parent?.root, 'umbrella');
    assert.equal(rendered(sub, '{{ .Values.image }}'), 'parent-image');
    // The parent's own top-level podIdentity is not the subchart's.
    const binding = renderScalar(sub, '{{ .Values.podIdentity.binding }}');
    assert.ok('problem' in binding && /not set/.test(binding.problem));
    // A folder under charts/ without a Chart.yaml: its files are no template of the umbrella.
    const bare = chart(p, 'umbrella/charts/bare/templates/d.yaml');
    assert.equal(bare.root, 'umbrella');
    assert.ok(!isTemplateOf(bare, 'umbrella/charts/bare/templates/d.yaml'));
  });

  test('values-*.yaml: used when the files that set a value agree, a conflict when they differ', () => {
    const p = project({
      'c/Chart.yaml': chartYaml('c'),
      'c/values.yaml': 'podIdentity:\n  binding: ""\nname: base\nsame: x\n',
      'c/values-prod.yaml': 'podIdentity:\n  binding: prod-id\nname: prod\nsame: x\n',
      'c/values-dev.yaml': 'name: dev\n',
      'c/templates/d.yaml': 'kind: Pod\n',
    });
    const c = chart(p, 'c/templates/d.yaml');
    const prod = lookupValue(c, ['podIdentity', 'binding']);
    assert.equal(prod.kind, 'value');
    assert.deepEqual(prod.kind === 'value' && [prod.value, prod.sources.map((s) => s.file.path)], ['prod-id', ['c/values-prod.yaml']]);
    const same = lookupValue(c, ['same']);
    assert.deepEqual(same.kind === 'value' && same.sources.map((s) => s.file.path), ['c/values.yaml', 'c/values-prod.yaml']);
    const name = renderScalar(c, '{{ .Values.name }}');
    assert.ok('problem' in name);
    assert.match(name.problem, /\.Values\.name differs between the chart's values files \(c\/values\.yaml sets "base", c\/values-dev\.yaml sets "dev", c\/values-prod\.yaml sets "prod"\)/);
  });

  test('renders a scalar: pipes that keep the value, defaults, text around the actions', () => {
    const p = project({ 'c/Chart.yaml': chartYaml('c'), 'c/values.yaml': 'identity:\n  name: orders-id\n  empty: ""\n', 'c/templates/d.yaml': 'kind: Pod\n' });
    const c = chart(p, 'c/templates/d.yaml');
    assert.equal(rendered(c, '{{ .Values.identity.name }}-binding'), 'orders-id-binding');
    assert.equal(rendered(c, '{{ .Values.identity.empty | default "fallback" }}'), 'fallback');
    assert.equal(rendered(c, '{{ default "fallback" .Values.identity.missing }}'), 'fallback');
    const other = renderScalar(c, '{{ .Release.Name }}-id');
    assert.ok('problem' in other && /not a plain \.Values reference/.test(other.problem));
  });

  test('valueRefOf reads only plain .Values references', () => {
    assert.deepEqual(valueRefOf('{{ .Values.a.b }}'), { path: ['a', 'b'], fallback: undefined });
    assert.deepEqual(valueRefOf('{{- .Values.podIdentity.binding | quote -}}'), { path: ['podIdentity', 'binding'], fallback: undefined });
    assert.deepEqual(valueRefOf('{{ quote .Values.a }}'), { path: ['a'], fallback: undefined });
    assert.deepEqual(valueRefOf('{{ $.Values.a-b }}'), { path: ['a-b'], fallback: undefined });
    assert.deepEqual(valueRefOf('{{ .Values.a | default "x" | quote }}'), { path: ['a'], fallback: 'x' });
    assert.deepEqual(valueRefOf('{{ default "x" .Values.a }}'), { path: ['a'], fallback: 'x' });
    for (const other of ['{{ include "x.name" . }}', '{{ .Release.Name }}', '{{ .Values.a | upper }}', '{{ index .Values "a" }}', '{{ .Values }}', '{{ $x }}']) {
      assert.equal(valueRefOf(other), undefined, other);
    }
  });

  test('the index renders templated pod identity fields with the chart values: label → binding → identity', () => {
    const p = project({
      'c/Chart.yaml': chartYaml('c'),
      'c/values.yaml': `podIdentity:\n  binding: orders-id\nidentity:\n  name: orders-identity\n  clientId: ${CLIENT}\n`,
      'c/templates/identity.yaml': [
        'apiVersion: aadpodidentity.k8s.io/v1',
        'kind: AzureIdentity',
        'metadata:',
        '  name: {{ .Values.identity.name }}',
        'spec:',
        '  type: 0',
        '  clientID: {{ .Values.identity.clientId | quote }}',
        '---',
        'apiVersion: aadpodidentity.k8s.io/v1',
        'kind: AzureIdentityBinding',
        'metadata:',
        '  name: {{ .Values.identity.name }}-binding',
        'spec:',
        '  azureIdentity: {{ .Values.identity.name }}',
        '  selector: {{ .Values.podIdentity.binding }}',
        '',
      ].join('\n'),
    });
    const found = lookupIdentity(p.index, 'orders-id', 'default');
    assert.equal(found.clientId, CLIENT, found.problem);
    assert.equal(found.identity?.name, 'orders-identity');
    assert.equal(p.index.bindings[0].name, 'orders-identity-binding');
    // The values change: the index follows.
    p.set('c/values.yaml', `podIdentity:\n  binding: other\nidentity:\n  name: orders-identity\n  clientId: ${CLIENT}\n`);
    assert.equal(lookupIdentity(p.index, 'orders-id', 'default').clientId, undefined);
    assert.equal(lookupIdentity(p.index, 'other', 'default').clientId, CLIENT);
  });
});
