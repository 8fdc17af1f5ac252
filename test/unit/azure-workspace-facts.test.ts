// The Azure commands read a TriggerAuthentication's identity where KEDA puts it (the core's list of podIdentity places).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifestFile } from '../../src/core/model';
import { WorkspaceIndex } from '../../src/core/workspace';
import { triggerAuthentications } from '../../src/vscode/azure/workspaceFacts';

const CLIENT = '3b4f5e6d-7c8b-4a9f-8e1d-2c3b4a5f6e7d';

function identityIdsOf(text: string): Array<string | undefined> {
  const index = new WorkspaceIndex();
  index.update(parseManifestFile('keda.yaml', text));
  return triggerAuthentications(index).map((t) => t.identityId);
}

test('the identity of an azure-workload block under azureKeyVault is found behind a scaler podIdentity of another provider', () => {
  const text = `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: vault-auth
  namespace: shop
spec:
  podIdentity:
    provider: none
  azureKeyVault:
    vaultUri: https://shop.vault.azure.net
    podIdentity:
      provider: azure-workload
      identityId: ${CLIENT}
`;
  assert.deepEqual(identityIdsOf(text), [CLIENT]);
});

test('an AWS or GCP block gives no Azure identity; a KEDA 1.x ClusterTriggerAuthentication with the old "Azure" spelling does', () => {
  const aws = `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: aws-auth
spec:
  podIdentity:
    provider: aws
    identityId: arn:aws:iam::123456789012:role/keda
`;
  assert.deepEqual(identityIdsOf(aws), [undefined]);
  const old = `apiVersion: keda.k8s.io/v1alpha1
kind: ClusterTriggerAuthentication
metadata:
  name: cluster-auth
spec:
  podIdentity:
    provider: Azure
    identityId: ${CLIENT}
`;
  assert.deepEqual(identityIdsOf(old), [CLIENT]);
});

test('an object of another API group that happens to be called TriggerAuthentication gives no identity', () => {
  const other = `apiVersion: example.com/v1
kind: TriggerAuthentication
metadata:
  name: lookalike
spec:
  podIdentity:
    provider: azure-workload
    identityId: ${CLIENT}
`;
  assert.deepEqual(identityIdsOf(other), [undefined]);
});
