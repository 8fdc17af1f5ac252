import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { gitopsPodIdentity } from '../../../src/core/rules/gitops-pod-identity';
import { ruleTester } from '../../support/rule-tester';

const identity = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: orders-identity
  namespace: orders
spec:
  clientID: 0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: orders-binding
  namespace: orders
spec:
  azureIdentity: orders-identity
  selector: orders-id
`;

const application = (helm: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: orders
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: orders
  source:
    repoURL: https://charts.contoso.com
    chart: orders
    targetRevision: 3.2.0
    helm:
${helm}`;

const valuesBlock = `      values: |
        replicaCount: 2
        # the pods' identity
        podLabels:
          aadpodidbinding: orders-id
        keyvault:
          usePodIdentity: "true"
`;

const fluxKustomization = (patches: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  sourceRef:
    kind: GitRepository
    name: flux-system
  patches:
${patches}`;

ruleTester(gitopsPodIdentity, {
  valid: [
    { name: 'an Application without pod identity', code: application('      values: |\n        podLabels:\n          azure.workload.identity/use: "true"\n') },
    { name: 'values that do not parse are not read', code: application('      values: |\n        podLabels: [aadpodidbinding\n') },
    { name: 'kustomize\'s own Kustomization is not a Flux object', code: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches:\n  - patch: |\n      kind: Deployment\n      spec:\n        template:\n          metadata:\n            labels:\n              aadpodidbinding: x\n' },
    { name: 'another group\'s Application', code: application(valuesBlock).replace('argoproj.io/v1alpha1', 'app.k8s.io/v1beta1') },
    { name: 'usePodIdentity "false"', code: application('      valuesObject:\n        usePodIdentity: "false"\n') },
  ],
  invalid: [
    {
      name: 'Argo CD helm.values block: each finding points inside the string, with the client id',
      code: application(valuesBlock),
      files: { 'identity.yaml': identity },
      errors: [
        { line: 20, text: 'aadpodidbinding', message: /^Application argocd\/orders carries AAD Pod Identity inline in spec\.source\.helm\.values: the label aadpodidbinding: orders-id binds the rendered pods to a pod identity \(client id 0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9, found through its binding\)\..*No automatic fix/ },
        { line: 22, text: '"true"', message: /usePodIdentity: "true" makes a SecretProviderClass/ },
      ],
      output: null,
    },
    {
      name: 'CRLF line endings and a block with a chomping indicator',
      code: application(valuesBlock.replace('values: |', 'values: |-')).replace(/\n/g, '\r\n'),
      errors: [{ line: 20, text: 'aadpodidbinding' }, { line: 22, text: '"true"' }],
      output: null,
    },
    {
      name: 'a folded block is pointed at as a whole',
      code: application('      values: >\n        podLabels: {aadpodidbinding: orders-id}\n'),
      errors: [{ line: 16, message: /aadpodidbinding: orders-id/ }],
      output: null,
    },
    {
      name: 'a one-line values string',
      code: application('      values: "{podLabels: {aadpodidbinding: orders-id}}"\n'),
      errors: [{ line: 16, text: 'aadpodidbinding' }],
      output: null,
    },
    {
      name: 'valuesObject and parameters; every source of a multi-source Application',
      code: application('      valuesObject:\n        armAuth:\n          type: aadPodIdentity\n      parameters:\n        - name: podLabels.aadpodidbinding\n          value: orders-id\n        - name: keda.podIdentity.activeDirectory.identity\n          value: keda-id\n')
        .replace('  source:\n', '  sources:\n    - repoURL: https://git.contoso.com/ops\n      kustomize:\n        patches:\n          - patch: |\n              - op: replace\n                path: /spec/template/metadata/labels/aadpodidbinding\n                value: orders-id\n  source:\n'),
      errors: [
        { line: 17, text: '/spec/template/metadata/labels/aadpodidbinding' },
        { line: 26, text: 'aadPodIdentity', message: /armAuth\.type: aadPodIdentity/ },
        { line: 28, text: 'podLabels.aadpodidbinding' },
        { line: 31, text: 'keda-id', message: /podIdentity\.activeDirectory\.identity: keda-id makes the KEDA chart label its operator/ },
      ],
      output: null,
    },
    {
      name: 'Flux Kustomization inline patches: strategic merge, JSON 6902, a KEDA provider',
      code: fluxKustomization(`    - patch: |-
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          template:
            metadata:
              labels:
                aadpodidbinding: api-id
      target:
        kind: Deployment
    - patch: |
        - op: add
          path: /spec/template/metadata/labels/aadpodidbinding
          value: api-id
    - patch: "{spec: {podIdentity: {provider: azure}}}"
`),
      errors: [
        { line: 22, text: 'aadpodidbinding', message: /inline in spec\.patches\[0\]\.patch/ },
        { line: 27, text: '/spec/template/metadata/labels/aadpodidbinding', message: /inline in spec\.patches\[1\]\.patch/ },
        { line: 29, text: 'azure', message: /KEDA's pod identity provider/ },
      ],
      output: null,
    },
    {
      name: 'Flux HelmRelease values',
      code: 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: keda\n  namespace: keda\nspec:\n  values:\n    podIdentity:\n      activeDirectory:\n        identity: keda-id\n',
      errors: [{ line: 10, text: 'keda-id' }],
      output: null,
    },
  ],
});

test('gitops-pod-identity: a binding selected only by an Application\'s inline values is not removed, nor its identity', () => {
  const project = new Project();
  project.set('identity.yaml', identity);
  project.set('apps/orders.yaml', application(valuesBlock));
  // The client id is written elsewhere too, so only the inline label keeps the identity.
  project.set('sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n  namespace: orders\n  annotations:\n    azure.workload.identity/client-id: 0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\n');
  assert.deepEqual([...project.fixAll().keys()], []);
  const binding = project.check('identity.yaml').find((f) => f.message.startsWith('AzureIdentityBinding'));
  assert.deepEqual(binding?.related?.map((r) => [r.file, r.message]), [['apps/orders.yaml', 'Application argocd/orders carries aadpodidbinding: orders-id inline in spec.source.helm.values']]);
});
