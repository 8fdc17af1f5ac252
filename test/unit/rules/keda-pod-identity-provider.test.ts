import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { kedaPodIdentityProvider } from '../../../src/core/rules/keda-pod-identity-provider';
import { ruleTester } from '../../support/rule-tester';

const auth = (spec: string, kind = 'TriggerAuthentication', apiVersion = 'keda.sh/v1alpha1') => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: queue-auth
  namespace: orders
spec:
${spec}`;

ruleTester(kedaPodIdentityProvider, {
  valid: [
    { name: 'azure-workload', code: auth('  podIdentity:\n    provider: azure-workload\n    identityId: 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\n') },
    { name: 'other providers', code: auth('  podIdentity:\n    provider: aws\n') },
    { name: 'no pod identity', code: auth('  secretTargetRef:\n    - parameter: connection\n      name: sb\n      key: conn\n') },
    { name: 'identityId left empty (null) is not the empty string', code: auth('  podIdentity:\n    provider: azure-workload\n    identityId:\n') },
    { name: 'another API group', code: auth('  podIdentity:\n    provider: azure\n', 'TriggerAuthentication', 'example.com/v1') },
    { name: 'other kinds', code: 'apiVersion: v1\nkind: ConfigMap\ndata:\n  podIdentity: azure\n' },
    { name: 'templated provider', code: auth('  podIdentity:\n    provider: {{ .Values.keda.provider }}\n') },
  ],
  invalid: [
    {
      name: 'provider azure becomes azure-workload; identityId and comments stay',
      code: auth('  podIdentity:\n    provider: azure   # pod identity\n    identityId: 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\n'),
      errors: [{
        line: 8,
        text: 'azure',
        severity: 'error',
        message: /KEDA deprecated it in 2\.13 and 2\.15 rejects it.*identityId 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d stays.*KEDA operator, not your app.*system:serviceaccount:kube-system:keda-operator.*podIdentity\.azureWorkload/,
      }],
      output: auth('  podIdentity:\n    provider: azure-workload   # pod identity\n    identityId: 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\n'),
    },
    {
      name: 'old docs spell it Azure, quoted; ClusterTriggerAuthentication',
      code: auth('  podIdentity:\n    provider: "Azure"\n', 'ClusterTriggerAuthentication'),
      errors: [{ line: 8, text: '"Azure"' }],
      output: auth('  podIdentity:\n    provider: "azure-workload"\n', 'ClusterTriggerAuthentication'),
    },
    {
      name: 'azureKeyVault.podIdentity, single-quoted, flow style',
      code: auth("  azureKeyVault:\n    vaultUri: https://kv.vault.azure.net\n    podIdentity: {provider: 'azure', identityId: abc}\n"),
      errors: [{ line: 9, text: "'azure'", message: /spec\.azureKeyVault\.podIdentity/ }],
      output: auth("  azureKeyVault:\n    vaultUri: https://kv.vault.azure.net\n    podIdentity: {provider: 'azure-workload', identityId: abc}\n"),
    },
    {
      name: 'an empty identityId is a finding of its own; both fixes apply',
      code: auth('  podIdentity:\n    provider: azure\n    identityId: ""\n'),
      errors: [{ line: 8 }, { line: 9, text: '""', message: /KEDA 2\.12\+ rejects an empty identityId/ }],
      output: auth('  podIdentity:\n    provider: azure-workload\n'),
    },
    {
      name: 'empty identityId with azure-workload, flow style',
      code: auth("  podIdentity: {provider: azure-workload, identityId: ''}\n"),
      errors: [{ line: 7, text: "''" }],
      output: auth('  podIdentity: {provider: azure-workload}\n'),
    },
    {
      name: 'CRLF and 4-space indentation',
      code: auth('    podIdentity:\n        provider: azure\n        identityId: ""\n').replace(/\n/g, '\r\n'),
      errors: [{ line: 8 }, { line: 9 }],
      output: auth('    podIdentity:\n        provider: azure-workload\n').replace(/\n/g, '\r\n'),
    },
    {
      name: 'KEDA 1.x has no azure-workload: reported without a fix',
      code: auth('  podIdentity:\n    provider: azure\n', 'TriggerAuthentication', 'keda.k8s.io/v1alpha1'),
      errors: [{ line: 8, message: /KEDA 1\.x.*keda\.sh\/v1alpha1/ }],
      output: null,
    },
    {
      name: 'Helm template: the literal provider is fixed, templated text is left alone',
      code: auth('  podIdentity:\n    provider: azure\n    identityId: {{ .Values.identityId | quote }}\n').replace('name: queue-auth', 'name: {{ .Release.Name }}-auth'),
      errors: [{ line: 8, message: /Use provider: azure-workload/ }],
      output: auth('  podIdentity:\n    provider: azure-workload\n    identityId: {{ .Values.identityId | quote }}\n').replace('name: queue-auth', 'name: {{ .Release.Name }}-auth'),
    },
    {
      name: 'Helm template with a templated apiVersion',
      code: auth('  podIdentity:\n    provider: azure\n', 'TriggerAuthentication', '{{ .Values.keda.apiVersion }}'),
      errors: [{ line: 8 }],
      output: auth('  podIdentity:\n    provider: azure-workload\n', 'TriggerAuthentication', '{{ .Values.keda.apiVersion }}'),
    },
    {
      name: 'an empty identityId whose anchor is used elsewhere: no fix',
      code: auth('  podIdentity:\n    provider: azure-workload\n    identityId: &none ""\n  azureKeyVault:\n    podIdentity:\n      provider: azure-workload\n      identityId: *none\n'),
      errors: [{ line: 9, text: '""' }],
      output: null,
    },
  ],
});

describe('keda-pod-identity-provider in a Helm chart: a templated provider is followed to its values', () => {
  const chart = (values: Record<string, string>, provider = '{{ .Values.keda.provider }}') => {
    const p = new Project();
    p.set('c/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
    for (const [path, text] of Object.entries(values)) p.set(path, text);
    p.set('c/templates/auth.yaml', auth(`  podIdentity:\n    provider: ${provider}\n`));
    return p;
  };
  const finding = (p: Project) => p.check('c/templates/auth.yaml').filter((f) => f.ruleId === 'keda-pod-identity-provider');

  test('values.yaml says azure: reported at the template, fixed in the values (and in a values-*.yaml that says azure too)', () => {
    const p = chart({ 'c/values.yaml': 'keda:\n  provider: azure # pod identity\n', 'c/values-prod.yaml': 'keda:\n  provider: azure\n' });
    const [f] = finding(p);
    assert.ok(f?.fix, f?.message);
    assert.match(f.message, /renders it from c\/values\.yaml, c\/values-prod\.yaml/);
    p.fixAll();
    assert.equal(p.text('c/values.yaml'), 'keda:\n  provider: azure-workload # pod identity\n');
    assert.equal(p.text('c/values-prod.yaml'), 'keda:\n  provider: azure-workload\n');
    assert.equal(p.text('c/templates/auth.yaml'), auth('  podIdentity:\n    provider: {{ .Values.keda.provider }}\n'), 'the template is not touched');
    assert.deepEqual(finding(p), []);
  });

  test('no finding when the values say azure-workload; a finding without a fix when only a template default says azure', () => {
    assert.deepEqual(finding(chart({ 'c/values.yaml': 'keda:\n  provider: azure-workload\n' })), []);
    const [f] = finding(chart({ 'c/values.yaml': 'keda: {}\n' }, '{{ .Values.keda.provider | default "azure" }}'));
    assert.ok(f && !f.fix, f?.message);
  });
});
