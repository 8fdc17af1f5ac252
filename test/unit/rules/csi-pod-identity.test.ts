import { csiPodIdentity } from '../../../src/core/rules/csi-pod-identity';
import { ruleTester } from '../../support/rule-tester';
import { identityWithBinding } from '../../support/manifests';

const spc = (params: string) => `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: kv
  namespace: shop
spec:
  provider: azure
  parameters:
${params}`;

const pod = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    metadata:
      labels:
        aadpodidbinding: api-id
    spec:
      containers: [{name: api, image: api}]
      volumes:
        - name: secrets
          csi:
            driver: secrets-store.csi.k8s.io
            volumeAttributes:
              secretProviderClass: kv
`;

const identity = identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-id', clientID: '11111111-2222-3333-4444-555555555555' });

ruleTester(csiPodIdentity, {
  valid: [
    { name: 'workload identity form', code: spc('    usePodIdentity: "false"\n    clientID: 11111111-2222-3333-4444-555555555555\n') },
    { name: 'no parameters', code: spc('    keyvaultName: kv\n') },
    { name: 'templated switch', code: spc('    usePodIdentity: {{ .Values.podIdentity | quote }}\n') },
    { name: 'other kinds are ignored', code: 'kind: ConfigMap\ndata:\n  usePodIdentity: "true"\n' },
  ],
  invalid: [
    {
      name: 'client id found through the pods that mount the class',
      code: spc('    usePodIdentity: "true"   # pod identity\n    keyvaultName: kv\n'),
      files: { 'deploy.yaml': pod, 'identity.yaml': identity },
      errors: [{ line: 9, text: '"true"', message: /11111111-2222-3333-4444-555555555555/ }],
      output: spc('    usePodIdentity: "false"   # pod identity\n    keyvaultName: kv\n    clientID: "11111111-2222-3333-4444-555555555555"\n'),
    },
    {
      name: 'no pod to follow: placeholder, then the placeholder is reported without a fix',
      code: spc("    usePodIdentity: 'true'\n"),
      errors: [{ line: 9, message: /no pod in the workspace/ }],
      output: spc(`    usePodIdentity: "false"\n    clientID: "<managed-identity-client-id>"\n`),
    },
    {
      name: 'an existing clientID is kept',
      code: spc('    usePodIdentity: true\n    clientID: 11111111-2222-3333-4444-555555555555\n'),
      errors: [{ line: 9 }],
      output: spc('    usePodIdentity: "false"\n    clientID: 11111111-2222-3333-4444-555555555555\n'),
    },
    {
      name: 'flow-style parameters are edited in flow style',
      code: spc('    {usePodIdentity: "true", keyvaultName: kv}\n').replace('  parameters:\n    {', '  parameters: {').replace('}\n', '}\n'),
      errors: [{ line: 8 }],
      output: spc('    {usePodIdentity: "false", keyvaultName: kv, clientID: "<managed-identity-client-id>"}\n').replace('  parameters:\n    {', '  parameters: {'),
    },
    {
      name: 'a clientID that is not a GUID is reported without a fix',
      code: spc('    clientID: my-identity\n'),
      errors: [{ line: 9, message: /not a GUID/ }],
      output: null,
    },
  ],
});
