import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import type { Options } from '../../../src/core/rule';
import { RULES } from '../../../src/core/rules';
import { podIdentityResource } from '../../../src/core/rules/pod-identity-resource';
import { ruleTester } from '../../support/rule-tester';

const identity = (name = 'api-identity', extra = '') => `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: ${name}
  namespace: shop
spec:
  type: 0
  resourceID: /subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-mi
  clientID: 11111111-2222-3333-4444-555555555555${extra}
`;

/** A ServiceAccount that already carries the identities' client id: the migration has recorded it. */
const migratedAccount = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    azure.workload.identity/client-id: 11111111-2222-3333-4444-555555555555
`;

const binding = (selector = 'api-id', name = 'api-binding') => `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: ${name}
  namespace: shop
spec:
  azureIdentity: api-identity
  selector: ${selector}
`;

const deployment = (label: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    metadata:
      labels:
        aadpodidbinding: ${label}
    spec:
      containers: [{name: api, image: api}]
`;

const exception = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzurePodIdentityException
metadata:
  name: probe
  namespace: shop
spec:
  podLabels:
    app: probe
`;

const list = (items: string) => `apiVersion: v1
kind: List
items:
${items}`;

const listBinding = `- apiVersion: aadpodidentity.k8s.io/v1
  kind: AzureIdentityBinding
  metadata:
    name: api-binding
  spec:
    azureIdentity: api-identity
    selector: api-id
`;

const listIdentity = `- apiVersion: aadpodidentity.k8s.io/v1
  kind: AzureIdentity
  metadata:
    name: api-identity
  spec:
    type: 0
    clientID: 11111111-2222-3333-4444-555555555555
`;

/** Pod identity's own node agent, as upstream's deploy/infra/deployment-rbac.yaml writes it. */
const nmiDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: nmi
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: nmi
          image: "mcr.microsoft.com/oss/azure/aad-pod-identity/nmi:v1.8.17"
`;

const deploymentWithImage = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers: [{name: c, image: ${image}}]
`;

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

const configMapItem = `- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
`;

ruleTester(podIdentityResource, {
  valid: [
    { name: 'same kind in another API group', code: identity().replace('aadpodidentity.k8s.io/v1', 'example.com/v1') },
    { name: 'the CRD that defines AzureIdentity is not one', code: 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: azureidentities.aadpodidentity.k8s.io\nspec:\n  group: aadpodidentity.k8s.io\n  names:\n    kind: AzureIdentity\n' },
    { name: 'other kinds', code: 'apiVersion: v1\nkind: ConfigMap\ndata:\n  kind: AzureIdentity\n' },
    { name: 'values files', code: 'azureIdentities:\n  api:\n    type: 0\n' },
  ],
  invalid: [
    {
      name: 'an unused binding goes with its --- line',
      code: `${configMap('a')}---\n${binding()}---\n${configMap('b')}`,
      files: { 'identity.yaml': identity() },
      errors: [{ line: 7, text: 'AzureIdentityBinding', message: /pods labelled aadpodidbinding: api-id get the azure\.workload\.identity\/use label.*Nothing in the workspace uses it/ }],
      output: `${configMap('a')}---\n${configMap('b')}`,
    },
    {
      name: 'an identity a binding names stays',
      code: identity(),
      files: { 'binding.yaml': binding() },
      errors: [{ line: 2, text: 'AzureIdentity', message: /client-id: 11111111-2222-3333-4444-555555555555 and a federated credential on identity api-mi\. Still named by 1 object/ }],
      output: null,
    },
    {
      name: 'a binding still used by a pod in another file: no fix',
      code: binding(),
      files: { 'deploy.yaml': deployment('api-id') },
      errors: [{ line: 2, message: /Still used by 1 object/ }],
      output: null,
    },
    {
      name: 'a pod labelled with another selector does not use it',
      code: binding(),
      files: { 'deploy.yaml': deployment('other-id') },
      errors: [{ line: 2 }],
      output: '',
    },
    {
      name: 'a templated pod label that may render the selector keeps it',
      code: binding('shop-api-identity'),
      files: { 'chart/deploy.yaml': deployment('"{{ .Release.Name }}-api-identity"') },
      errors: [{ line: 2, message: /Still used by 1 object/ }],
      output: null,
    },
    {
      name: 'a templated pod label that cannot render the selector does not',
      code: binding('api-id'),
      files: { 'chart/deploy.yaml': deployment('"{{ .Release.Name }}-worker"') },
      errors: [{ line: 2 }],
      output: '',
    },
    {
      name: 'KEDA chart values that label the operator with the selector keep the binding',
      code: binding('keda-identity'),
      files: { 'keda/values.yaml': 'podIdentity:\n  activeDirectory:\n    identity: keda-identity\n' },
      errors: [{ line: 2, message: /Still used by 1 object/ }],
      output: null,
    },
    {
      name: 'KEDA chart values with another selector, or the chart default, do not',
      code: binding('keda-identity'),
      files: { 'keda/values.yaml': 'podIdentity:\n  activeDirectory:\n    identity: other\n', 'keda2/values.yaml': 'podIdentity:\n  activeDirectory:\n    identity: ""\n' },
      errors: [{ line: 2 }],
      output: '',
    },
    {
      name: 'pre-1.6 capitalised fields are read',
      code: identity('api-identity').replace('  type: 0', '  Type: 1').replace('  clientID', '  ClientID'),
      files: { 'binding.yaml': binding().replace('azureIdentity', 'AzureIdentity').replace('selector', 'Selector') },
      errors: [{ line: 2, message: /service principal \(type 1\).*federate its app registration \(client id 11111111-2222-3333-4444-555555555555\).*Still named by 1 object/ }],
      output: null,
    },
    {
      name: 'an identity nothing names any more is removed; other apiVersions are tolerated',
      code: identity('lonely').replace('aadpodidentity.k8s.io/v1', 'aadpodidentity.k8s.io/v1beta1'),
      files: { 'binding.yaml': binding(), 'sa.yaml': migratedAccount },
      errors: [{ line: 2, message: /Nothing in the workspace uses it/ }],
      output: '',
    },
    {
      name: 'an unused identity whose client id no ServiceAccount carries stays: it is the only record of the identity',
      code: identity('lonely'),
      files: { 'binding.yaml': binding(), 'sa.yaml': migratedAccount.replace('11111111-2222', '99999999-2222') },
      errors: [{ line: 2, message: /its client id 11111111-2222-3333-4444-555555555555 is written nowhere else in the workspace.*not removed automatically/ }],
      output: null,
    },
    {
      name: 'an exception stays while any pod uses pod identity',
      code: exception,
      files: { 'deploy.yaml': deployment('anything') },
      errors: [{ line: 2, message: /not opting those pods in.*still in use in the workspace \(1 object\)/ }],
      output: null,
    },
    {
      name: 'an exception stays while any binding exists',
      code: exception,
      files: { 'binding.yaml': binding() },
      errors: [{ line: 2, message: /still in use/ }],
      output: null,
    },
    {
      name: 'an exception stays while the workspace deploys the NMI DaemonSet',
      code: exception,
      files: { 'infra/deployment.yaml': nmiDaemonSet },
      errors: [{ line: 2, message: /still deploys NMI or MIC \(DaemonSet default\/nmi deploys pod identity's NMI\).*not removed automatically/ }],
      output: null,
    },
    {
      name: 'an exception stays while a Deployment runs the MIC image, whatever its name',
      code: exception,
      files: { 'infra/mic.yaml': deploymentWithImage('identity-controller', 'mcr.microsoft.com/oss/azure/aad-pod-identity/mic:v1.8.17') },
      errors: [{ line: 2, message: /Deployment default\/identity-controller deploys pod identity's MIC/ }],
      output: null,
    },
    {
      name: 'an exception stays while a Flux HelmRelease installs the aad-pod-identity chart',
      code: exception,
      files: { 'infra/release.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: pod-identity\nspec:\n  chart:\n    spec:\n      chart: aad-pod-identity\n      version: 4.1.18\n' },
      errors: [{ line: 2, message: /the aad-pod-identity chart \(NMI and MIC\) is deployed here/ }],
      output: null,
    },
    {
      name: 'an exception stays while a Chart.yaml depends on the aad-pod-identity chart',
      code: exception,
      files: { 'platform/Chart.yaml': 'apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: aad-pod-identity\n    version: 4.1.18\n    repository: https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts\n' },
      errors: [{ line: 2, message: /still deploys NMI or MIC/ }],
      output: null,
    },
    {
      name: 'other DaemonSets, images and charts do not keep an exception',
      code: exception,
      files: {
        'a.yaml': nmiDaemonSet.replace('name: nmi', 'name: node-agent').replace('aad-pod-identity/nmi', 'contoso/nmi-exporter'),
        'b.yaml': deploymentWithImage('mic', 'contoso.azurecr.io/mic:v1').replace('kind: Deployment', 'kind: StatefulSet'),
        'Chart.yaml': 'apiVersion: v2\nname: aad-pod-identity-docs\nversion: 1.0.0\n',
      },
      errors: [{ line: 2, message: /Nothing in the workspace uses it any more: remove it\./ }],
      output: '',
    },
    {
      name: 'an exception goes once pod identity is gone; comments of other documents stay',
      code: `# shared settings\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# the exception\n${exception}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n`,
      errors: [{ line: 9 }],
      output: '# shared settings\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
    },
    {
      name: 'the comments above the first --- line and the byte order mark stay',
      code: `\uFEFF# Licensed under MIT.\n---\n${binding()}---\n${configMap('a')}`,
      errors: [{ line: 4 }],
      output: `\uFEFF# Licensed under MIT.\n---\n${configMap('a')}`,
    },
    {
      name: 'the only document goes: the header comment is what is left',
      code: `# Licensed under MIT.\n---\n${binding()}`,
      errors: [{ line: 4 }],
      output: '# Licensed under MIT.\n',
    },
    {
      name: 'a byte order mark stays when the first document goes',
      code: `\uFEFF${binding()}---\n${configMap('a')}`,
      errors: [{ line: 2 }],
      output: `\uFEFF---\n${configMap('a')}`,
    },
    {
      name: 'AzureAssignedIdentity is informational and removed',
      code: `${binding()}---\napiVersion: aadpodidentity.k8s.io/v1\nkind: AzureAssignedIdentity\nmetadata:\n  name: api-shop-api-identity\n`,
      files: { 'deploy.yaml': deployment('api-id') },
      errors: [{ line: 2 }, { line: 11, severity: 'info', message: /written by the AAD Pod Identity controller/ }],
      output: binding(),
    },
    {
      name: 'List: an unused binding item is cut out of the sequence',
      code: list(`${listIdentity}${listBinding.replace('selector: api-id', 'selector: web-id')}`),
      files: { 'binding.yaml': binding() },
      errors: [{ line: 5, message: /Still named by 2 objects/ }, { line: 12, text: 'AzureIdentityBinding' }],
      output: list(listIdentity),
    },
    {
      name: 'List: the last item takes the List with it',
      code: `${list(listIdentity)}---\n${binding('x', 'other')}`.replace('azureIdentity: api-identity', 'azureIdentity: other-identity'),
      files: { 'sa.yaml': migratedAccount },
      errors: [{ line: 5 }, { line: 13 }],
      output: '',
    },
    {
      name: 'List: every item unused removes the List once',
      code: list(`${listBinding}${listBinding.replace('api-binding', 'web-binding')}`),
      errors: [{ line: 5 }, { line: 12 }],
      output: '',
    },
    {
      name: 'List: other items stay, comments between items stay',
      code: list(`${configMapItem}# the binding\n${listBinding}${configMapItem.replace('settings', 'more')}`),
      errors: [{ line: 10 }],
      output: list(`${configMapItem}# the binding\n${configMapItem.replace('settings', 'more')}`),
    },
    {
      name: 'List: 4-space indentation',
      code: 'apiVersion: v1\nkind: List\nitems:\n    - apiVersion: aadpodidentity.k8s.io/v1\n      kind: AzureIdentityBinding\n      metadata:\n          name: b\n      spec:\n          selector: s\n    - kind: ConfigMap\n      metadata:\n          name: c\n',
      errors: [{ line: 5 }],
      output: 'apiVersion: v1\nkind: List\nitems:\n    - kind: ConfigMap\n      metadata:\n          name: c\n',
    },
    {
      name: 'List: indented sequence',
      code: list(`${configMapItem}${listBinding}`).replace(/^(?=[ -])/gm, '  '),
      errors: [{ line: 9 }],
      output: list(configMapItem).replace(/^(?=[ -])/gm, '  '),
    },
    {
      name: 'List in flow style: the item and its comma go',
      code: 'apiVersion: v1\nkind: List\nitems: [{apiVersion: aadpodidentity.k8s.io/v1, kind: AzureIdentityBinding, metadata: {name: b}, spec: {selector: s}}, {kind: ConfigMap, metadata: {name: c}}]\n',
      errors: [{ line: 3, text: 'AzureIdentityBinding' }],
      output: 'apiVersion: v1\nkind: List\nitems: [{kind: ConfigMap, metadata: {name: c}}]\n',
    },
    {
      name: 'a flow-style document is removed whole',
      code: `{apiVersion: aadpodidentity.k8s.io/v1, kind: AzureIdentityBinding, metadata: {name: b}, spec: {selector: s}}\n---\n${configMap('a')}`,
      errors: [{ line: 1 }],
      output: `---\n${configMap('a')}`,
    },
    {
      name: 'List item with an anchor another item uses: no fix',
      code: list(`${listBinding.replace('selector: api-id', 'selector: &sel api-id')}- kind: ConfigMap\n  metadata:\n    name: *sel\n`),
      errors: [{ line: 5 }],
      output: null,
    },
    {
      name: 'CRLF line endings',
      code: `${identity('other')}---\n${binding()}`.replace(/\n/g, '\r\n'),
      files: { 'sa.yaml': migratedAccount },
      errors: [{ line: 2 }, { line: 12 }],
      output: '',
    },
    {
      name: 'Helm template: reported, never deleted',
      code: `{{- if .Values.podIdentity.enabled }}\n${binding('{{ .Values.podIdentity.selector }}')}{{- end }}\n`,
      errors: [{ line: 3, message: /aadpodidbinding: \{\{ \.Values\.podIdentity\.selector \}\}.*remove it by hand/ }],
      output: null,
    },
    {
      name: 'Helm template with a templated name shows the name as written',
      code: binding().replace('name: api-binding', 'name: {{ .Release.Name }}-binding'),
      errors: [{ line: 2, message: /AzureIdentityBinding shop\/\{\{ \.Release\.Name \}\}-binding/ }],
      output: null,
    },
  ],
});

/** Only this rule, as fix-all sees it: every other rule off. */
function projectOfThisRule(files: Record<string, string>): Project {
  const severities: Options['severities'] = Object.fromEntries(RULES.filter((r) => r.id !== podIdentityResource.id).map((r) => [r.id, 'off' as const]));
  const project = new Project({ severities });
  for (const [path, text] of Object.entries(files)) project.set(path, text);
  return project;
}

test('pod-identity-resource: fix-all retires the binding, then the identity, then the exception', () => {
  const project = projectOfThisRule({ 'identity.yaml': `${identity()}---\n${binding()}`, 'exception.yaml': exception, 'keep.yaml': 'apiVersion: v1\nkind: ConfigMap\n', 'sa.yaml': migratedAccount });
  const changed = project.fixAll();
  assert.deepEqual([...changed.entries()], [['identity.yaml', ''], ['exception.yaml', '']]);
  assert.deepEqual(project.checkAll().get('identity.yaml'), []);
});

test('pod-identity-resource: fix-all removes nothing while a pod is labelled', () => {
  const project = projectOfThisRule({ 'identity.yaml': `${identity()}---\n${binding()}`, 'exception.yaml': exception, 'deploy.yaml': deployment('api-id') });
  assert.deepEqual([...project.fixAll().keys()], []);
  assert.equal(project.check('identity.yaml').length, 2);
});

test('pod-identity-resource: users are named in related locations', () => {
  const project = projectOfThisRule({ 'identity.yaml': `${identity()}---\n${binding()}`, 'deploy.yaml': deployment('api-id') });
  const [id, bind] = project.check('identity.yaml');
  assert.deepEqual(id.related?.map((r) => [r.file, r.message]), [['identity.yaml', 'still used by AzureIdentityBinding shop/api-binding']]);
  assert.deepEqual(bind.related?.map((r) => [r.file, r.message, r.start]), [['deploy.yaml', 'still used by Deployment shop/api', 0]]);
  assert.equal(id.deprecated, true);
});

test('pod-identity-resource: chart values are named as users', () => {
  const project = projectOfThisRule({ 'binding.yaml': binding('keda-identity'), 'values.yaml': 'keda:\n  podIdentity:\n    activeDirectory:\n      identity: keda-identity\n' });
  assert.deepEqual(project.check('binding.yaml')[0].related?.map((r) => [r.file, r.message]), [['values.yaml', 'KEDA chart values label the KEDA operator aadpodidbinding: keda-identity']]);
});

test('pod-identity-resource: a templated binding may name any identity that fits its pattern', () => {
  const templated = binding().replace('azureIdentity: api-identity', 'azureIdentity: "{{ .Release.Name }}-identity"').replace('selector: api-id', 'selector: x');
  const project = projectOfThisRule({ 'identity.yaml': identity(), 'other.yaml': identity('api-mi-2'), 'chart/binding.yaml': templated, 'sa.yaml': migratedAccount });
  assert.match(project.check('identity.yaml')[0].related![0].message, /names a templated identity that may be this one/);
  assert.ok(project.check('other.yaml')[0].fix, 'api-mi-2 does not end in -identity');
});

test('a chart\'s templated client id and selector are named as its values give them, never as masked text', () => {
  const project = new Project();
  project.set('c/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
  project.set('c/values.yaml', 'identity:\n  clientId: 3f2504e0-4f89-11d3-9a0c-0305e82c3301\n  selector: orders-id\n');
  project.set(
    'c/templates/identity.yaml',
    'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: orders-identity\nspec:\n  type: 0\n  clientID: {{ .Values.identity.clientId }}\n' +
      '---\napiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata:\n  name: orders-binding\nspec:\n  azureIdentity: other-identity\n  selector: {{ .Values.identity.selector | quote }}\n',
  );
  const [identity, binding] = project.check('c/templates/identity.yaml');
  assert.match(identity.message, /client-id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301 \(\{\{ \.Values\.identity\.clientId \}\}\)/);
  assert.doesNotMatch(identity.message, /__/);
  assert.match(binding.message, /pods labelled aadpodidbinding: orders-id \(\{\{ \.Values\.identity\.selector \| quote \}\}\)/);
});

test('pod-identity-resource: every removal title names the kind and name it removes, an identity also its client id', () => {
  const project = projectOfThisRule({ 'identity.yaml': identity(), 'binding.yaml': binding(), 'exception.yaml': exception, 'sa.yaml': migratedAccount });
  const titles = project.paths.flatMap((p) => project.check(p)).map((f) => f.fix?.title);
  assert.deepEqual(titles.sort(), [
    'Remove AzureIdentityBinding api-binding (no longer used)',
    undefined, // the identity: still named by the binding
    undefined, // the exception: the binding is pod identity still in use
  ].sort());
  project.set('binding.yaml', '');
  assert.deepEqual(project.check('identity.yaml').map((f) => f.fix?.title), ['Remove AzureIdentity api-identity with client id 11111111-2222-3333-4444-555555555555 (no longer used)']);
  assert.deepEqual(project.check('exception.yaml').map((f) => f.fix?.title), ['Remove AzurePodIdentityException probe (no longer used)']);
});
