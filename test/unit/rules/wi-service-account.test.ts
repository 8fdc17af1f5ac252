import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { PLACEHOLDER_CLIENT_ID } from '../../../src/core/k8s';
import { wiServiceAccount } from '../../../src/core/rules/wi-service-account';
import { ruleTester } from '../../support/rule-tester';
import { identityWithBinding } from '../../support/manifests';

const ID = '11111111-2222-3333-4444-555555555555';
const LETTERS_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** A Deployment in namespace shop that uses workload identity; `spec` is its pod spec's lines before `containers`. */
const deploy = (spec: string, labels = '        azure.workload.identity/use: "true"\n', name = 'api') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels:
        app: api
${labels}    spec:
${spec}      containers:
        - name: api
          image: api:1
`;

const sa = (name: string, meta = `  annotations:\n    azure.workload.identity/client-id: "${ID}"\n`) =>
  `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: shop\n${meta}`;

const newSa = (clientId: string, indent = '  ', eol = '\n') =>
  ['---', 'apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `${indent}name: api`, `${indent}namespace: shop`, `${indent}annotations:`, `${indent}${indent}azure.workload.identity/client-id: "${clientId}"`, ''].join(eol);

const identity = identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-pods', clientID: ID });

ruleTester(wiServiceAccount, {
  valid: [
    { name: 'named ServiceAccount with a client id', code: deploy('      serviceAccountName: api\n'), files: { 'sa.yaml': sa('api') } },
    { name: 'no workload identity: no service account needed', code: deploy('', '') },
    { name: 'an explicit opt-out', code: deploy('', '        azure.workload.identity/use: "false"\n') },
    { name: 'Helm: templated use label', code: deploy('', '        azure.workload.identity/use: {{ .Values.wi | quote }}\n') },
    { name: 'Helm: templated service account name', code: deploy('      serviceAccountName: {{ include "api.sa" . }}\n') },
    {
      name: 'Helm: the ServiceAccount annotations are rendered by the chart',
      code: deploy('      serviceAccountName: api\n'),
      files: { 'sa.yaml': sa('api', '  annotations:\n    {{- toYaml .Values.serviceAccount.annotations | nindent 4 }}\n') },
    },
    { name: 'the default ServiceAccount, annotated on purpose', code: deploy(''), files: { 'sa.yaml': sa('default') } },
    {
      name: 'AZURE_CLIENT_ID that agrees (case aside), or comes from elsewhere',
      code: deploy(`      serviceAccountName: api\n      initContainers:\n        - name: init\n          env:\n            - {name: AZURE_CLIENT_ID, value: "${LETTERS_ID.toUpperCase()}"}\n            - name: OTHER\n              value: x\n`).replace(
        '          image: api:1\n',
        '          image: api:1\n          env:\n            - name: AZURE_CLIENT_ID\n              valueFrom: {configMapKeyRef: {name: ids, key: api}}\n',
      ),
      files: { 'sa.yaml': sa('api', `  annotations:\n    azure.workload.identity/client-id: ${LETTERS_ID}\n`) },
    },
    { name: 'a ServiceAccount alone is not looked at', code: sa('api', '') },
  ],
  invalid: [
    {
      name: 'no service account: named after the workload and created with a placeholder',
      code: deploy(''),
      errors: [{ line: 13, text: 'azure.workload.identity/use: "true"', message: /^The pod template of Deployment api uses workload identity but names no service account, so it runs as the default ServiceAccount.*The fix sets serviceAccountName: api and creates ServiceAccount shop\/api with a placeholder client id to fill in \(the pod has no aadpodidbinding label to follow to its identity\)\. The managed identity's federated credential names it as system:serviceaccount:shop:api\.$/ }],
      output: deploy('      serviceAccountName: api\n') + newSa(PLACEHOLDER_CLIENT_ID),
    },
    {
      name: 'the client id is followed from the aadpodidbinding label',
      code: deploy('', '        aadpodidbinding: api-pods\n        azure.workload.identity/use: "true"\n'),
      files: { 'identity.yaml': identity },
      errors: [{ line: 14, message: /creates ServiceAccount shop\/api with client id 11111111-2222-3333-4444-555555555555 \(found through the pod's aadpodidbinding label\)/ }],
      output: deploy('      serviceAccountName: api\n', '        aadpodidbinding: api-pods\n        azure.workload.identity/use: "true"\n') + newSa(ID),
    },
    {
      name: 'serviceAccountName: default is replaced; the new ServiceAccount goes after the last document',
      code: deploy("      serviceAccountName: 'default'\n", undefined, 'Orders_API') + '---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\n',
      errors: [{ line: 13, message: /sets serviceAccountName: default, so it runs as the default ServiceAccount.*The fix sets serviceAccountName: orders-api and creates ServiceAccount shop\/orders-api/ }],
      output:
        deploy("      serviceAccountName: 'orders-api'\n", undefined, 'Orders_API') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\n' +
        newSa(PLACEHOLDER_CLIENT_ID).replace('name: api', 'name: orders-api'),
    },
    {
      name: 'a ServiceAccount named after the workload already exists: it is reused',
      code: deploy(''),
      files: { 'sa.yaml': sa('api') },
      errors: [{ line: 13, message: /The fix sets serviceAccountName: api, the existing ServiceAccount shop\/api\./ }],
      output: deploy('      serviceAccountName: api\n'),
    },
    {
      name: 'the named ServiceAccount in another file has no annotations: they are created there',
      code: deploy('      serviceAccountName: api\n', '        aadpodidbinding: api-pods\n        azure.workload.identity/use: "true"\n'),
      files: { 'sa.yaml': sa('api', '  labels:\n    app: api\n'), 'identity.yaml': identity },
      errors: [{ line: 16, text: 'api', message: /ServiceAccount shop\/api has no azure.workload.identity\/client-id annotation.*client id 1111/ }],
      output: deploy('      serviceAccountName: api\n', '        aadpodidbinding: api-pods\n        azure.workload.identity/use: "true"\n'),
      otherOutputs: { 'sa.yaml': sa('api', `  labels:\n    app: api\n  annotations:\n    azure.workload.identity/client-id: "${ID}"\n`) },
    },
    {
      name: 'a flow-style ServiceAccount in the same file gets the annotation in flow style',
      code: deploy('      serviceAccountName: api\n') + '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop, annotations: {team: a}}\n',
      errors: [{ line: 15, message: /left to fill in/ }],
      output:
        deploy('      serviceAccountName: api\n') +
        `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop, annotations: {team: a, azure.workload.identity/client-id: "${PLACEHOLDER_CLIENT_ID}"}}\n`,
    },
    {
      name: 'a ServiceAccount not in the workspace: info, no fix',
      code: deploy('      serviceAccountName: made-by-platform\n'),
      errors: [{ line: 15, severity: 'info', text: 'made-by-platform', message: /not found in the workspace/ }],
      output: null,
    },
    {
      name: 'a hard-coded AZURE_CLIENT_ID that disagrees: reported, no fix',
      code: deploy('      serviceAccountName: api\n').replace('          image: api:1\n', '          image: api:1\n          env:\n            - name: AZURE_CLIENT_ID\n              value: 99999999-2222-3333-4444-555555555555\n'),
      files: { 'sa.yaml': sa('api') },
      errors: [{ line: 21, text: '99999999-2222-3333-4444-555555555555', message: /does not override/ }],
      output: null,
    },
    {
      name: 'CRLF: the new ServiceAccount has CRLF line ends',
      code: deploy('').replace(/\n/g, '\r\n'),
      errors: [{ line: 13 }],
      output: (deploy('      serviceAccountName: api\n') + newSa(PLACEHOLDER_CLIENT_ID)).replace(/\n/g, '\r\n'),
    },
    {
      name: '4-space indent and a Pod: the new ServiceAccount is indented by 4',
      code: 'apiVersion: v1\nkind: Pod\nmetadata:\n    name: api\n    namespace: shop\n    labels:\n        azure.workload.identity/use: "true"\nspec:\n    containers:\n        - name: api\n          image: api:1\n',
      errors: [{ line: 7 }],
      output:
        'apiVersion: v1\nkind: Pod\nmetadata:\n    name: api\n    namespace: shop\n    labels:\n        azure.workload.identity/use: "true"\nspec:\n    serviceAccountName: api\n    containers:\n        - name: api\n          image: api:1\n' +
        newSa(PLACEHOLDER_CLIENT_ID, '    '),
    },
    {
      name: 'flow-style pod spec, no namespace written: the new ServiceAccount names none',
      code: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    metadata: {labels: {azure.workload.identity/use: "true"}}\n    spec: {containers: [{name: m, image: m}], restartPolicy: Never}\n',
      errors: [{ line: 6 }],
      output:
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    metadata: {labels: {azure.workload.identity/use: "true"}}\n    spec: {serviceAccountName: migrate, containers: [{name: m, image: m}], restartPolicy: Never}\n' +
        `---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: migrate\n  annotations:\n    azure.workload.identity/client-id: "${PLACEHOLDER_CLIENT_ID}"\n`,
    },
    {
      name: 'Helm: a templated workload name gives no fix',
      code: deploy('', undefined, '{{ include "api.fullname" . }}'),
      errors: [{ line: 13, message: /^The pod template of Deployment uses workload identity but names no service account.*No fix: the Deployment's name or namespace is templated/ }],
      output: null,
    },
  ],
});

test('wi-service-account: the placeholder is marked for input, the found client id is not', () => {
  const project = new Project();
  project.set('deploy.yaml', deploy(''));
  const [placeholder] = project.check('deploy.yaml').filter((f) => f.ruleId === wiServiceAccount.id);
  assert.equal(placeholder.fix?.needsInput, true);
  const appended = placeholder.fix.edits[1];
  assert.deepEqual(appended.placeholders, [{ offset: appended.text.indexOf(PLACEHOLDER_CLIENT_ID), length: PLACEHOLDER_CLIENT_ID.length }]);
  assert.equal(appended.text[appended.placeholders[0].offset - 1], '"', 'the placeholder sits inside its quotes');
  assert.equal(placeholder.fix.edits[0].placeholders, undefined);

  project.set('identity.yaml', identity);
  project.set('deploy.yaml', deploy('', '        aadpodidbinding: api-pods\n        azure.workload.identity/use: "true"\n'));
  const [found] = project.check('deploy.yaml').filter((f) => f.ruleId === wiServiceAccount.id);
  assert.equal(found.fix?.needsInput, undefined);
  assert.ok(found.fix!.edits.every((e) => e.placeholders === undefined));
  assert.ok(found.related?.some((r) => r.file === 'identity.yaml'));
});

test('wi-service-account: the missing annotation is fixed in the ServiceAccount file, with a related location there', () => {
  const project = new Project();
  project.set('sa.yaml', sa('api', ''));
  project.set('deploy.yaml', deploy('      serviceAccountName: api\n'));
  const [finding] = project.check('deploy.yaml').filter((f) => f.ruleId === wiServiceAccount.id);
  assert.deepEqual(finding.related?.map((r) => [r.file, r.start]), [['sa.yaml', 0]]);
  assert.deepEqual(finding.fix?.edits.map((e) => e.file), ['sa.yaml']);
  assert.equal(finding.fix?.needsInput, true);
});
