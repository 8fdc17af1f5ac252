import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { podIdentityChartValues } from '../../../src/core/rules/pod-identity-chart-values';
import { ruleTester } from '../../support/rule-tester';
import { identityWithBinding } from '../../support/manifests';

const agic = (armAuth: string) => `# AGIC values
appgw:
  name: shop-appgw
armAuth:
${armAuth}`;

const PLACEHOLDER = '"<managed-identity-client-id>"';

const identityFiles = {
  'identity.yaml': identityWithBinding({
    namespace: 'keda',
    identity: 'keda-mi',
    binding: 'keda-binding',
    selector: 'keda-identity',
    clientID: '11111111-2222-3333-4444-555555555555',
    tenantID: '99999999-8888-7777-6666-555555555555',
  }),
};

ruleTester(podIdentityChartValues, {
  valid: [
    { name: 'AGIC with workload identity', code: agic('  type: workloadIdentity\n  identityClientID: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f\n') },
    { name: 'AGIC with a service principal', code: agic('  type: servicePrincipal\n  secretJSON: abc\n') },
    { name: 'KEDA defaults: identity empty', code: 'podIdentity:\n  activeDirectory:\n    identity: ""\n  azureWorkload:\n    enabled: false\n    clientId: ""\n' },
    { name: 'KEDA identity left null', code: 'podIdentity:\n  activeDirectory:\n    identity:\n' },
    { name: 'a manifest with the same keys is not a values file', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\narmAuth:\n  type: aadPodIdentity\n' },
    { name: 'a chart template (kind: is templated) is not a values file', code: 'kind: {{ .Values.kind }}\narmAuth:\n  type: aadPodIdentity\n' },
    { name: 'an alias is not followed', code: 'base: &auth\n  type: workloadIdentity\narmAuth: *auth\n' },
    { name: 'a shop chart podIdentity string', code: 'podIdentity: shop-web\n' },
  ],
  invalid: [
    {
      name: 'AGIC: aadPodIdentity becomes workloadIdentity; the client id stays',
      code: agic('  type: aadPodIdentity  # switch\n  identityResourceID: /subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/agic\n  identityClientID: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f\n'),
      errors: [{ line: 5, text: 'aadPodIdentity', message: /armAuth\.type: workloadIdentity with armAuth\.identityClientID/ }],
      output: agic('  type: workloadIdentity  # switch\n  identityResourceID: /subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/agic\n  identityClientID: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f\n'),
    },
    {
      name: 'AGIC: a missing client id is added as the placeholder (quoted, CRLF)',
      code: agic('  type: "aadPodIdentity"\n').replace(/\n/g, '\r\n'),
      errors: [{ line: 5, text: '"aadPodIdentity"' }],
      output: agic(`  type: "workloadIdentity"\n  identityClientID: ${PLACEHOLDER}\n`).replace(/\n/g, '\r\n'),
    },
    {
      name: 'AGIC: the placeholder left behind is reported without a fix',
      code: agic(`  type: workloadIdentity\n  identityClientID: ${PLACEHOLDER}\n`),
      errors: [{ line: 6, message: /Replace the placeholder in armAuth\.identityClientID/ }],
      output: null,
    },
    {
      name: 'AGIC in flow style, nested under the subchart name of an umbrella chart',
      code: "ingress-azure:\n  armAuth: {type: aadPodIdentity, identityClientID: ''}\n",
      errors: [{ line: 2, text: 'aadPodIdentity' }],
      output: `ingress-azure:\n  armAuth: {type: workloadIdentity, identityClientID: ${PLACEHOLDER}}\n`,
    },
    {
      name: 'KEDA: azureWorkload added with the client id found through the binding',
      code: '# KEDA values\npodIdentity:\n  activeDirectory:\n    identity: keda-identity\n',
      files: identityFiles,
      errors: [{ line: 4, text: 'keda-identity', message: /client id 11111111-2222-3333-4444-555555555555 found through the binding/ }],
      output: '# KEDA values\npodIdentity:\n  activeDirectory:\n    identity: ""\n  azureWorkload:\n    enabled: true\n    clientId: "11111111-2222-3333-4444-555555555555"\n    tenantId: "99999999-8888-7777-6666-555555555555"\n',
    },
    {
      name: 'KEDA: no identity found: the placeholder, 4-space indentation',
      code: 'podIdentity:\n    activeDirectory:\n        identity: keda-identity\n',
      errors: [{ line: 3, message: /no AzureIdentityBinding with selector "keda-identity"/ }],
      output: `podIdentity:\n    activeDirectory:\n        identity: ""\n    azureWorkload:\n        enabled: true\n        clientId: ${PLACEHOLDER}\n`,
    },
    {
      name: 'KEDA: the defaults block copied from the chart is switched on',
      code: 'podIdentity:\n  activeDirectory:\n    identity: keda-identity\n  azureWorkload:\n    enabled: false\n    clientId: ""\n    tenantId: ""\n    tokenExpiration: 3600\n',
      files: identityFiles,
      errors: [{ line: 3 }],
      output: 'podIdentity:\n  activeDirectory:\n    identity: ""\n  azureWorkload:\n    enabled: true\n    clientId: "11111111-2222-3333-4444-555555555555"\n    tenantId: "99999999-8888-7777-6666-555555555555"\n    tokenExpiration: 3600\n',
    },
    {
      name: 'KEDA: a client id already written stays; flow style',
      code: "keda:\n  podIdentity: {activeDirectory: {identity: 'keda-identity'}, azureWorkload: {clientId: abc}}\n",
      errors: [{ line: 2, text: "'keda-identity'" }],
      output: 'keda:\n  podIdentity: {activeDirectory: {identity: ""}, azureWorkload: {clientId: abc, enabled: true}}\n',
    },
    {
      name: 'KEDA: azureWorkload that is not a map: no fix',
      code: 'podIdentity:\n  activeDirectory:\n    identity: keda-identity\n  azureWorkload:\n',
      errors: [{ line: 3 }],
      output: null,
    },
    {
      name: 'KEDA: the placeholder left behind is reported without a fix',
      code: `podIdentity:\n  activeDirectory:\n    identity: ""\n  azureWorkload:\n    enabled: true\n    clientId: ${PLACEHOLDER}\n`,
      errors: [{ line: 6, message: /Replace the placeholder in podIdentity\.azureWorkload\.clientId/ }],
      output: null,
    },
    {
      name: 'Helm values with template text (a templated client id is a value written, not missing)',
      code: 'armAuth:\n  type: aadPodIdentity\n  identityClientID: "{{ .Values.global.clientId }}"\n',
      errors: [{ line: 2 }],
      output: 'armAuth:\n  type: workloadIdentity\n  identityClientID: "{{ .Values.global.clientId }}"\n',
    },
  ],
});

test('pod-identity-chart-values: the placeholder is marked for the editor and the fix needs input', () => {
  const project = new Project();
  project.set('values.yaml', agic('  type: aadPodIdentity\n'));
  const [finding] = project.check('values.yaml').filter((f) => f.ruleId === podIdentityChartValues.id);
  assert.equal(finding.deprecated, true);
  assert.equal(finding.fix?.needsInput, true);
  const edit = finding.fix.edits.find((e) => e.placeholders)!;
  const [p] = edit.placeholders!;
  assert.equal(edit.text.slice(p.offset, p.offset + p.length), '<managed-identity-client-id>');
});

test('pod-identity-chart-values: a client id found needs no input', () => {
  const project = new Project();
  for (const [path, text] of Object.entries(identityFiles)) project.set(path, text);
  project.set('values.yaml', 'podIdentity:\n  activeDirectory:\n    identity: keda-identity\n');
  const [finding] = project.check('values.yaml').filter((f) => f.ruleId === podIdentityChartValues.id);
  assert.equal(finding.fix?.needsInput, undefined);
  assert.ok(finding.fix!.edits.every((e) => !e.placeholders));
  assert.deepEqual(finding.related?.map((r) => r.file), ['identity.yaml', 'identity.yaml']);
});
