import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { placeholdersIn, withIdentityMarker } from '../../src/core/addon-fill';
import { Project } from '../../src/core/engine';
import { COMMAND_IDS } from '../../src/vscode/commands';
import type { FillResult } from '../../src/vscode/azure/fillClientIds';
import { APP_CLIENT_ID, SUBSCRIPTION_ID } from '../arm/sampleWorld';
import { azureHarness, requestsOf } from './azure-harness';

const PLACEHOLDER = '<managed-identity-client-id>';
const id = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

const SCRIPT = `RG=shop-rg
az aks pod-identity add -g "$RG" --cluster-name shop-aks --namespace shop --name orders --identity-resource-id "/subscriptions/s1/resourceGroups/$RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id"
`;
const POD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
spec:
  selector:
    matchLabels: {app: orders}
  template:
    metadata:
      labels:
        app: orders
        aadpodidbinding: orders
    spec:
      containers:
        - name: orders
          image: orders:1
`;

describe('the placeholder names its identity', () => {
  test('the migration of a pod whose add-on identity is known by resource id writes the placeholder and, on its line, the identity', () => {
    const project = new Project();
    project.set('deploy.sh', SCRIPT);
    project.set('k8s/orders.yaml', POD);
    const fixed = project.fixAll().get('k8s/orders.yaml')!;
    const orders = id('s1', 'shop-rg', 'orders-id');
    assert.match(fixed, new RegExp(`client-id: "${PLACEHOLDER}" # client id of ${orders.replace(/\./g, '\\.')}\\n`));
    // The comment changes nothing Kubernetes reads.
    const account = parseAllDocuments(fixed).map((d) => d.toJS() as { kind: string; metadata: { annotations?: Record<string, string> } }).find((o) => o.kind === 'ServiceAccount')!;
    assert.equal(account.metadata.annotations!['azure.workload.identity/client-id'], PLACEHOLDER);
    const found = placeholdersIn('k8s/orders.yaml', fixed);
    assert.deepEqual(found.map((p) => [fixed.slice(p.start, p.end), p.resourceId]), [[PLACEHOLDER, orders]]);
  });

  test('an AzureIdentity with a resourceID and no clientID is named the same way, in an existing account', () => {
    const project = new Project();
    project.set('identity.yaml', `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: billing, namespace: shop}
spec:
  type: 0
  resourceID: ${id('s2', 'rg', 'billing-id')}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: billing-binding, namespace: shop}
spec: {azureIdentity: billing, selector: billing}
`);
    project.set('app.yaml', POD.replace(/orders/g, 'billing').replace('    spec:\n      containers', '    spec:\n      serviceAccountName: billing-sa\n      containers') + '---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: billing-sa\n  namespace: shop\n');
    const fixed = project.fixAll().get('app.yaml')!;
    assert.match(fixed, /name: billing-sa\n {2}namespace: shop\n {2}annotations:\n {4}azure\.workload\.identity\/client-id: "<managed-identity-client-id>" # client id of \/subscriptions\/s2\/resourceGroups\/rg\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/billing-id\n/);
  });

  test('a SecretProviderClass whose pods\' identity is known by resource id only gets the placeholder clientID with its identity named', () => {
    const project = new Project();
    project.set('deploy.sh', SCRIPT);
    project.set('k8s/orders.yaml', POD.replace('      containers:', '      volumes:\n        - name: secrets\n          csi:\n            driver: secrets-store.csi.k8s.io\n            volumeAttributes: {secretProviderClass: orders-kv}\n      containers:'));
    project.set('k8s/kv.yaml', `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: orders-kv
  namespace: shop
spec:
  provider: azure
  parameters:
    usePodIdentity: "true"
    keyvaultName: orders-kv
`);
    const fixed = project.fixAll().get('k8s/kv.yaml')!;
    const orders = id('s1', 'shop-rg', 'orders-id');
    assert.match(fixed, new RegExp(`\\n {4}clientID: "${PLACEHOLDER}" # client id of ${orders.replace(/\./g, '\\.')}\\n`));
    assert.deepEqual(placeholdersIn('k8s/kv.yaml', fixed).map((p) => p.resourceId), [orders]);
  });

  test('KEDA chart values whose operator identity is known by resource id only get the placeholder clientId with its identity named', () => {
    const project = new Project();
    const keda = id('s3', 'rg-keda', 'keda-id');
    project.set('identity.yaml', `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: keda-identity, namespace: keda}
spec:
  type: 0
  resourceID: ${keda}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: keda-binding, namespace: keda}
spec: {azureIdentity: keda-identity, selector: keda-id}
`);
    project.set('keda/values.yaml', 'podIdentity:\n  activeDirectory:\n    identity: keda-id\n');
    const fixed = project.fixAll().get('keda/values.yaml')!;
    assert.match(fixed, new RegExp(`\\n {4}clientId: "${PLACEHOLDER}" # client id of ${keda.replace(/\./g, '\\.')}\\n`));
    assert.deepEqual(placeholdersIn('keda/values.yaml', fixed).map((p) => p.resourceId), [keda]);
  });

  test('no comment where it would change the YAML (a flow map) or name something else than an identity', () => {
    const flow = { start: 10, end: 10, text: `, "k": "${PLACEHOLDER}"` };
    const text = 'a: {x: y  }\n';
    assert.deepEqual(withIdentityMarker(flow, text, id('s', 'rg', 'n')), flow, 'a flow map goes on after the value');
    const block = { start: 12, end: 12, text: `  k: "${PLACEHOLDER}"\n` };
    assert.equal(withIdentityMarker(block, 'metadata:\n  x: y\n', id('s', 'rg', 'n')).text, `  k: "${PLACEHOLDER}" # client id of ${id('s', 'rg', 'n')}\n`);
    assert.deepEqual(withIdentityMarker(block, 'metadata:\n  x: y\n', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/n'), block, 'not a user-assigned identity');
    assert.deepEqual(withIdentityMarker(block, 'metadata:\n  x: y\n', undefined), block);
  });

  test('placeholders are read with or without a comment, in any line ending; a comment naming no identity names none', () => {
    const text = `a: "${PLACEHOLDER}"\r\nb: '${PLACEHOLDER}' # client id of ${id('s', 'rg', 'n')}\r\nc: ${PLACEHOLDER} # client id of somewhere\nd: "x ${PLACEHOLDER} y"\n`;
    assert.deepEqual(
      placeholdersIn('f.yaml', text).map((p) => [text.slice(p.start, p.end), p.resourceId]),
      [
        [PLACEHOLDER, undefined],
        [PLACEHOLDER, id('s', 'rg', 'n')],
        [PLACEHOLDER, undefined],
      ],
    );
  });
});

describe('Fill in client ids from Azure', () => {
  const account = (name: string, resourceId: string | undefined) =>
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: "${PLACEHOLDER}"${resourceId ? ` # client id of ${resourceId}` : ''}\n`;
  const app = id(SUBSCRIPTION_ID, 'rg-apps', 'app-identity');
  const missing = id(SUBSCRIPTION_ID, 'rg-apps', 'gone-identity');
  const shared = id(SUBSCRIPTION_ID, 'rg-shared', 'shared-identity');

  test('replaces each placeholder that names an identity with its client id, read through the SDK; 404 and 403 stay placeholders and are named', async (t) => {
    const workspace = {
      'k8s/a.yaml': account('a', app) + '---\n' + account('a2', app.toLowerCase()),
      'k8s/b.yaml': account('b', missing),
      'k8s/c.yaml': account('c', shared),
      'k8s/d.yaml': account('d', undefined),
    };
    const h = await azureHarness(t, workspace);
    h.server.faults.add({ method: 'GET', pathPattern: /\/userAssignedIdentities\/shared-identity$/i, status: 403, times: 10 });
    const run = await h.run(COMMAND_IDS.fillClientIds, []);
    assert.equal(run.result.succeeded, true, JSON.stringify(run.result));
    assert.equal(h.files.get('k8s/a.yaml'), workspace['k8s/a.yaml'].split(`"${PLACEHOLDER}"`).join(`"${APP_CLIENT_ID}"`), 'both placeholders, the comments kept');
    for (const file of ['k8s/b.yaml', 'k8s/c.yaml', 'k8s/d.yaml'] as const) assert.equal(h.files.get(file), workspace[file], `${file} unchanged`);
    const result = (run.result as { result: FillResult }).result;
    assert.deepEqual(result.filled, [{ resourceId: app, clientId: APP_CLIENT_ID, places: 2 }]);
    assert.deepEqual([result.notFound, result.forbidden, result.unnamed, result.files], [[missing], [shared], 1, ['k8s/a.yaml']]);
    assert.equal(requestsOf(h.server, /userAssignedIdentities/).length, 3, 'one GET per identity, whatever its case');
    const notice = run.ui.transcript.find((e) => e.kind === 'notify');
    assert.equal(notice?.value, 'warning');
    assert.equal(
      notice?.text,
      `Filled in the client id of 1 managed identity in 2 places: a.yaml. Not found in Azure (404), left as placeholders: ${missing}. ` +
        `Not readable with your account (403), left as placeholders: ${shared}. 1 placeholder names no managed identity: fill it in by hand.`,
    );
  });

  test('another failure (a 500 that outlasts the retries) fails the command and writes nothing', async (t) => {
    const workspace = { 'k8s/a.yaml': account('a', app), 'k8s/b.yaml': account('b', shared) };
    const h = await azureHarness(t, workspace);
    h.server.faults.add({ method: 'GET', pathPattern: /\/userAssignedIdentities\/shared-identity$/i, status: 500, times: 10 });
    const run = await h.run(COMMAND_IDS.fillClientIds, []);
    assert.equal(run.result.succeeded, false);
    assert.deepEqual([...h.files], Object.entries(workspace), 'no file changed');
    assert.equal(run.ui.edits.length, 0);
  });

  test('a workspace without a named placeholder calls no Azure API', async (t) => {
    const h = await azureHarness(t, { 'k8s/d.yaml': account('d', undefined) });
    const run = await h.run(COMMAND_IDS.fillClientIds, []);
    assert.equal(run.result.succeeded, true);
    assert.deepEqual(h.server.requests, []);
    assert.match(run.ui.transcript.find((e) => e.kind === 'notify')!.text, /^1 placeholder client id in the workspace names no managed identity/);
  });
});
