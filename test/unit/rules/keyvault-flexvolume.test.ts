import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { keyvaultFlexvolume } from '../../../src/core/rules/keyvault-flexvolume';
import { ruleTester } from '../../support/rule-tester';

const identity = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: billing-identity
spec:
  clientID: 7c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: billing-binding
spec:
  azureIdentity: billing-identity
  selector: billing-id
`;

const pod = (options: string, driver = '"azure/kv"') => `apiVersion: v1
kind: Pod
metadata:
  name: billing
  labels:
    aadpodidbinding: billing-id
spec:
  containers: [{name: api, image: api}]
  volumes:
    - name: secrets
      flexVolume:
        driver: ${driver}
        options:
${options}`;

ruleTester(keyvaultFlexvolume, {
  valid: [
    { name: 'usepodidentity "false" (a service principal secret)', code: pod('          usepodidentity: "false"\n          keyvaultname: kv\n') },
    { name: 'no usepodidentity: it defaults to false', code: pod('          keyvaultname: kv\n') },
    { name: 'another FlexVolume driver', code: pod('          usepodidentity: "true"\n', 'contoso/nfs') },
    { name: 'a csi volume', code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n    - name: s\n      csi:\n        driver: secrets-store.csi.k8s.io\n        volumeAttributes:\n          secretProviderClass: kv\n' },
  ],
  invalid: [
    {
      name: 'reported on the usepodidentity value, with the vault, objects and client id',
      code: pod('          usepodidentity: "true"\n          keyvaultname: billing-kv\n          keyvaultobjectnames: db-password;api-key\n'),
      files: { 'identity.yaml': identity },
      errors: [{
        line: 14,
        text: '"true"',
        message: /^Pod billing mounts Key Vault through the legacy Key Vault FlexVolume \(driver azure\/kv, volume secrets\) with usepodidentity: "true"\..*Move it to the Secrets Store CSI driver: a SecretProviderClass \(secrets-store\.csi\.x-k8s\.io\/v1, provider: azure, keyvaultName: billing-kv, objects for db-password, api-key\), with clientID 7c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5 .*No automatic fix/,
      }],
      output: null,
    },
    {
      name: 'unquoted true, any case',
      code: pod('          usepodidentity: True\n'),
      errors: [{ line: 14, message: /clientID set to the managed identity's client id/ }],
      output: null,
    },
  ],
});

test('keyvault-flexvolume: the pod\'s migration is held back and says the mount must move to the CSI driver', () => {
  const project = new Project();
  project.set('identity.yaml', identity);
  project.set('pod.yaml', pod('          usepodidentity: "true"\n          keyvaultname: billing-kv\n'));
  const label = project.check('pod.yaml').find((f) => f.ruleId === 'pod-identity-label');
  assert.ok(label);
  assert.equal(label.fix, undefined);
  assert.match(label.message, /No fix: the pod mounts Key Vault through the legacy Key Vault FlexVolume \(driver azure\/kv, volume secrets\).*move the mount to the Secrets Store CSI driver first/);
  assert.deepEqual([...project.fixAll().keys()], []);
});
