// The ServiceAccount edit offered after a federated credential: minimal edits, exact text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceAccountAnnotationEdit, type AnnotationEdit } from '../../src/vscode/azure/createFederatedCredential/annotations';
import { applyEdits } from '../../src/core/edits';

const CLIENT = '3b4f5e6d-7c8b-4a9f-8e1d-2c3b4a5f6e7d';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const account = { namespace: 'shop', name: 'web' };
const namespaceOf = (obj: { namespace: string | undefined }) => obj.namespace ?? 'default';

function edited(text: string, wish = { clientId: CLIENT, tenantId: TENANT as string | undefined }): { change: AnnotationEdit; text: string } {
  const change = serviceAccountAnnotationEdit('file:///sa.yaml', text, account, wish, namespaceOf);
  return { change, text: change.kind === 'edit' ? applyEdits(text, [change.edit]) : text };
}

test('missing annotations: an annotations block is added under metadata', () => {
  const { change, text } = edited('apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n');
  assert.equal(text, `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n    azure.workload.identity/tenant-id: "${TENANT}"\n`);
  assert.deepEqual(change.kind === 'edit' && change.changes, [`azure.workload.identity/client-id: ${CLIENT}`, `azure.workload.identity/tenant-id: ${TENANT}`]);
});

test('a different client id is replaced in place, keeping its quotes, CRLF and comments; a missing tenant id is added', () => {
  const before = "metadata:\r\n  name: web\r\n  namespace: shop\r\n  annotations:\r\n    # set by the platform team\r\n    azure.workload.identity/client-id: 'old-client-id' # keep\r\nkind: ServiceAccount\r\n";
  const { text } = edited(before);
  assert.equal(text, `metadata:\r\n  name: web\r\n  namespace: shop\r\n  annotations:\r\n    # set by the platform team\r\n    azure.workload.identity/client-id: '${CLIENT}' # keep\r\n    azure.workload.identity/tenant-id: "${TENANT}"\r\nkind: ServiceAccount\r\n`);
});

test('annotations already right: no edit; without a tenant id only the client id is wanted', () => {
  const current = `kind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: ${CLIENT}\n`;
  assert.equal(edited(current, { clientId: CLIENT, tenantId: undefined }).change.kind, 'current');
});

test('only the named account in its namespace is edited; a templated block is left to the user', () => {
  const two = 'kind: ServiceAccount\nmetadata:\n  name: web\n  namespace: other\n---\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n';
  const { text } = edited(two, { clientId: CLIENT, tenantId: undefined });
  assert.equal(text, `${two}  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`);
  const templated = 'kind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    {{- toYaml .Values.serviceAccount.annotations | nindent 4 }}\n';
  assert.equal(edited(templated).change.kind, 'unsafe');
  assert.equal(edited('kind: ConfigMap\nmetadata:\n  name: web\n').change.kind, 'unsafe');
});

test('an account in a template read as if/else alternatives is not edited', () => {
  const template = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n  {{- if .Values.a }}\n  annotations:\n    a: b\n  {{- else }}\n  annotations: [x]\n  {{- end }}\n';
  const { change, text } = edited(template);
  assert.equal(change.kind, 'unsafe');
  assert.match(change.kind === 'unsafe' ? change.why : '', /if\/else branches/);
  assert.equal(text, template);
});
