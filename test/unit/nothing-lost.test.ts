import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../src/core/engine';
import { identityWithBinding } from '../support/manifests';

/**
 * Issue 9, "nothing is lost": fix-all removes an AzureIdentity only once its client id is written
 * where the migration keeps it (a ServiceAccount annotation, chart values), in the same result.
 * Each case runs every rule, as `wi-migrate check --fix` does.
 */

const ID = '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9';
const OTHER = '1b2c3d4e-5f60-4172-8384-a5b6c7d8e9f0';

const deployment = (label: string, spec = '') => `apiVersion: apps/v1
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
${spec}      containers: [{name: api, image: api}]
`;

function fixAll(files: Record<string, string>): { project: Project; texts: Record<string, string> } {
  const project = new Project();
  for (const [path, text] of Object.entries(files)) project.set(path, text);
  project.fixAll();
  return { project, texts: Object.fromEntries(project.paths.map((p) => [p, project.text(p)!])) };
}

const all = (texts: Record<string, string>) => Object.values(texts).join('\n---\n');

test('nothing lost: a used identity goes only in the result that writes its client id on the pods\' ServiceAccount', () => {
  const { texts } = fixAll({ 'identity.yaml': identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-id', clientID: ID }), 'deploy.yaml': deployment('api-id') });
  assert.equal(texts['identity.yaml'], '', 'binding and identity are removed');
  assert.match(texts['deploy.yaml'], new RegExp(`kind: ServiceAccount[\\s\\S]*azure\\.workload\\.identity/client-id: "${ID}"`));
});

test('nothing lost: a templated service account name gets no client id from the fix, so the identity stays', () => {
  const { texts } = fixAll({
    'identity.yaml': identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-id', clientID: ID }),
    'chart/templates/deploy.yaml': deployment('api-id', '      serviceAccountName: {{ include "api.serviceAccountName" . }}\n'),
  });
  assert.ok(!texts['chart/templates/deploy.yaml'].includes('aadpodidbinding'), 'the pod is migrated');
  assert.match(texts['identity.yaml'], /kind: AzureIdentity\n/, 'the identity stays');
  assert.ok(all(texts).includes(ID));
});

test('nothing lost: a selector with two identities writes a placeholder, and both identities stay', () => {
  const two =
    identityWithBinding({ namespace: 'shop', identity: 'a-identity', binding: 'a-binding', selector: 'api-id', clientID: ID }) +
    '---\n' +
    identityWithBinding({ namespace: 'shop', identity: 'b-identity', binding: 'b-binding', selector: 'api-id', clientID: OTHER });
  const { texts } = fixAll({ 'identity.yaml': two, 'deploy.yaml': deployment('api-id') });
  assert.match(texts['deploy.yaml'], /<managed-identity-client-id>/);
  assert.equal(texts['identity.yaml'].match(/kind: AzureIdentity\n/g)?.length, 2, 'both identities stay');
  assert.ok(texts['identity.yaml'].includes(ID) && texts['identity.yaml'].includes(OTHER));
});

test('nothing lost: a service principal identity (type 1) is not carried over, so it stays', () => {
  const sp = identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-id', clientID: ID }).replace('type: 0', 'type: 1');
  const { texts } = fixAll({ 'identity.yaml': sp, 'deploy.yaml': deployment('api-id') });
  assert.match(texts['identity.yaml'], /kind: AzureIdentity\n[\s\S]*type: 1/);
});

test('nothing lost: KEDA chart values take the client id, then the binding and identity go', () => {
  const { texts } = fixAll({
    'identity.yaml': identityWithBinding({ namespace: 'keda', identity: 'keda-identity', binding: 'keda-binding', selector: 'keda-id', clientID: ID }),
    'keda/values.yaml': 'podIdentity:\n  activeDirectory:\n    identity: keda-id\n',
  });
  assert.equal(texts['identity.yaml'], '');
  assert.match(texts['keda/values.yaml'], new RegExp(`clientId: "${ID}"`));
});

test('nothing lost: an unused identity with a resourceID but no literal clientID stays (the resourceID is its only record)', () => {
  const identity = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: api-identity
  namespace: shop
spec:
  type: 0
  resourceID: /subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-mi
`;
  const { project, texts } = fixAll({ 'identity.yaml': identity });
  assert.equal(texts['identity.yaml'], identity);
  assert.match(project.check('identity.yaml')[0].message, /has no literal clientID.*resourceID .*api-mi.*not removed automatically/);
});
