import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { isNearMiss, podIdentityLabelTypo } from '../../../src/core/rules/pod-identity-label-typo';
import { ruleTester } from '../../support/rule-tester';

const identity = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: reports-identity
  namespace: analytics
spec:
  type: 0
  resourceID: /subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reports-mi
  clientID: 5e6f7a8b-1111-4222-8333-944455556666
`;

const binding = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: reports-binding
  namespace: analytics
spec:
  azureIdentity: reports-identity
  selector: reports-id
`;

const deployment = (labels: string, annotations = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: reports
  namespace: analytics
spec:
  template:
    metadata:
      labels:
${labels}${annotations ? `      annotations:\n${annotations}` : ''}    spec:
      containers: [{name: reports, image: reports}]
`;

ruleTester(podIdentityLabelTypo, {
  valid: [
    { name: 'the real label', code: deployment('        aadpodidbinding: reports-id\n') },
    { name: 'the real label beside a misspelt one', code: deployment('        aadpodidbinding: reports-id\n        aadpodidbindings: reports-id\n') },
    { name: 'keys that only look alike', code: deployment('        podidentity: x\n        aadpod: x\n        example.com/aadpodidbinding: x\n        azure.workload.identity/use: "true"\n') },
    { name: 'a workload\'s own labels are not the pod\'s', code: deployment('        app: reports\n').replace('  namespace: analytics\n', '  namespace: analytics\n  labels:\n    aadpodidentitybinding: reports-id\n') },
  ],
  invalid: [
    {
      name: 'aadpodidentitybinding names the identity it meant',
      code: deployment('        aadpodidentitybinding: reports-id\n'),
      files: { 'identity.yaml': `${identity}---\n${binding}` },
      errors: [{
        line: 10,
        severity: 'info',
        text: 'aadpodidentitybinding',
        message: /^The pod template of Deployment reports has the label aadpodidentitybinding, a misspelling of the label aadpodidbinding: .*never got an identity from it\. It meant AzureIdentity analytics\/reports-identity \(client id 5e6f7a8b-1111-4222-8333-944455556666\) through selector "reports-id"\..*No automatic fix/,
      }],
      output: null,
    },
    {
      name: 'the label written as an annotation',
      code: deployment('        app: reports\n', '        aadpodidbinding: reports-id\n'),
      files: { 'identity.yaml': `${identity}---\n${binding}` },
      errors: [{ line: 12, message: /writes aadpodidbinding as an annotation: .*It meant AzureIdentity analytics\/reports-identity/ }],
      output: null,
    },
    {
      name: 'a selector no binding has: the message says so',
      code: deployment('        aadpodidbindings: nothing-id\n'),
      errors: [{ line: 10, message: /It meant selector "nothing-id"; no AzureIdentityBinding with selector "nothing-id" was found in the workspace\./ }],
      output: null,
    },
  ],
});

test('pod-identity-label-typo: near misses and not', () => {
  for (const key of ['aadpodidentitybinding', 'aadpodidbindings', 'aadpodIdBinding', 'AADPODIDBINDING', 'aad-pod-id-binding', 'aadpodbinding', 'aadpoidbinding', 'aadpodidentitybindings']) {
    assert.ok(isNearMiss(key), key);
  }
  for (const key of ['aadpodidbinding', 'app', 'podidentity', 'aadpod', 'example.com/aadpodidbinding', 'azure.workload.identity/use', 'aadpodidentity.k8s.io/Behavior']) {
    assert.ok(!isNearMiss(key), key);
  }
});

test('pod-identity-label-typo: the identity a misspelt label meant is not removed as unused', () => {
  const project = new Project();
  project.set('identity.yaml', `${identity}---\n${binding}`);
  project.set('deploy.yaml', deployment('        aadpodidentitybinding: reports-id\n'));
  // Its client id is written elsewhere too, so only the misspelt label keeps it.
  project.set('sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n  annotations:\n    azure.workload.identity/client-id: 5e6f7a8b-1111-4222-8333-944455556666\n');
  const changed = project.fixAll();
  assert.deepEqual([...changed.keys()], []);
  const resource = project.check('identity.yaml').filter((f) => f.ruleId === 'pod-identity-resource');
  assert.equal(resource.length, 2);
  assert.match(resource[1].message, /Still used by 1 object/);
  assert.deepEqual(resource[1].related?.map((r) => r.message), ['Deployment analytics/reports has the misspelt label aadpodidentitybinding: reports-id that meant it']);
});
