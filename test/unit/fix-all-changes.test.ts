import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FixAllChange } from '../../src/core/engine';
import { assertChangesCompose } from '../support/changes';
import { fixtureWorkspaces, loadProject } from '../support/fixtures';
import { bigManifest, identityWithBinding } from '../support/manifests';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (/\.(ya?ml|tpl|sh|bash|ps1)$/.test(rel) && !/\.fixed\./.test(rel) && statSync(join(dir, rel)).isFile()) files.set(rel, readFileSync(join(dir, rel), 'utf8'));
  }
  return files;
}

const labelsOf = (changes: FixAllChange[]) => Object.fromEntries(changes.map((c) => [c.path, c.edits.map((e) => e.label)]));

describe('fixAllChanges', () => {
  test('on examples: the edits of each file, labelled by what they do', () => {
    const changes = assertChangesCompose(readTree(EXAMPLES));
    assert.deepEqual(labelsOf(changes), {
      // The chart's templated label and binding are read from its values: neither stands for any selector or identity
      // name any more, so the bindings and identities whose pods all moved (their client ids now on accounts) go; orders'
      // stay for the Argo CD Application that still sets the label inline.
      // The add-on's pod identity, created by a script: the pod is followed to it, the script's commands migrate in place.
      'addon/catalog.yaml': ['Migrate Deployment shop/catalog', 'Migrate Deployment shop/catalog', 'Create ServiceAccount shop/catalog'],
      'addon/setup-cluster.sh': ['Migrate ManagedCluster shop-aks (az aks update) to workload identity', 'Migrate PodIdentity shop/catalog to a federated credential for ServiceAccount shop/catalog'],
      'manifests/keda/scaler.yaml': ['Migrate TriggerAuthentication orders/orders-queue-auth to azure-workload'],
      'manifests/legacy/broken.yaml': ['Migrate Pod billing/billing-debug', 'Migrate Pod billing/billing-debug', 'Create ServiceAccount billing/billing'],
      'manifests/legacy/identity-v1.5.yaml': [
        'Remove AzureIdentity billing/billing-identity',
        'Remove AzureIdentityBinding billing/billing-identity-binding',
        'Migrate StatefulSet billing/billing-ledger',
        'Migrate StatefulSet billing/billing-ledger',
      ],
      'manifests/orders/cronjob.yaml': ['Migrate CronJob orders/orders-nightly-report', 'Migrate CronJob orders/orders-nightly-report', 'Create ServiceAccount orders/orders-identity'],
      'manifests/orders/deployment.yaml': ['Migrate Deployment orders/orders-api', 'Migrate Deployment orders/orders-api', 'Migrate Deployment orders/orders-api'],
      'manifests/orders/keyvault.yaml': ['Migrate SecretProviderClass orders/orders-kv', 'Migrate SecretProviderClass orders/orders-kv'],
      'manifests/payments/deployment.yaml': [
        'Migrate Deployment payments/payments',
        'Migrate Deployment payments/payments',
        'Migrate Deployment payments/payments',
        'Migrate Deployment payments/refunds',
        'Migrate Deployment payments/refunds',
        'Create ServiceAccount payments/payments',
      ],
      'platform/ingress-values.yaml': ['Migrate chart values armAuth'],
      'platform/keda-values.yaml': ['Migrate chart values podIdentity', 'Migrate chart values podIdentity'],
      // A kustomize base with two overlays: one migration of the base, an account per overlay with that overlay's client id.
      'reports/base/deployment.yaml': ['Migrate Deployment {reports,reports-dev}/reports-api', 'Migrate Deployment {reports,reports-dev}/reports-api'],
      // Each overlay's identity goes once its client id is on that overlay's account; prod's JSON 6902 patch that labels a
      // CronJob (adding a metadata map) sets the use label instead and names the account.
      'reports/overlays/dev/identity.yaml': ['Remove AzureIdentity reports-dev/reports-reader', 'Remove AzureIdentityBinding reports-dev/reports-reader-binding'],
      'reports/overlays/dev/kustomization.yaml': ['Create ServiceAccount reports-dev/reports-reader'],
      'reports/overlays/dev/reports-reader-serviceaccount.yaml': ['Create ServiceAccount reports-dev/reports-reader'],
      'reports/overlays/prod/identity.yaml': ['Remove AzureIdentity reports/reports-reader', 'Remove AzureIdentityBinding reports/reports-reader-binding'],
      'reports/overlays/prod/kustomization.yaml': [
        'Create ServiceAccount reports/reports-reader',
        'Migrate CronJob reports/prod-reports-export',
        'Migrate CronJob reports/prod-reports-export',
        'Migrate CronJob reports/prod-reports-export',
      ],
      'reports/overlays/prod/reports-reader-serviceaccount.yaml': ['Create ServiceAccount reports/reports-reader'],
      'shop-chart/templates/deployment.yaml': ['Migrate Deployment default/{{ .Release.Name }}-web', 'Migrate Deployment default/{{ .Release.Name }}-web'],
      'shop-chart/templates/shop-web-serviceaccount.yaml': ['Create ServiceAccount default/shop-web'],
    });
    // Edits are the fixes' own, small ones, not one replace per file.
    const deployment = changes.find((c) => c.path === 'manifests/orders/cronjob.yaml')!;
    assert.deepEqual(
      deployment.edits.slice(0, 2).map((e) => [deployment.before!.slice(e.start, e.end), e.text]),
      [['aadpodidbinding: orders-identity', 'azure.workload.identity/use: "true"'], ['', 'serviceAccountName: orders-identity\n          ']],
    );
  });

  for (const ws of fixtureWorkspaces()) {
    test(`on fixture ${ws.name}: the edits compose to fixAll's text, and each group can be left out`, () => {
      assertChangesCompose(ws.files);
    });
  }

  test('labels name the object each fix changes, in every rule\'s wording', () => {
    const labels = new Set(fixtureWorkspaces().flatMap((ws) => loadProject(ws.files).fixAllChanges().flatMap((c) => c.edits.map((e) => e.label))));
    for (const label of [
      'Migrate Deployment orders/orders-api',
      'Migrate Pod tools/debug-shell',
      'Create ServiceAccount orders/orders-identity',
      'Annotate ServiceAccount payments/payments-api',
      'Update ServiceAccount shop/api',
      'Remove AzureIdentityBinding orders/orders-binding',
      'Remove AzureIdentity orders/orders-identity',
      'Remove AzureAssignedIdentity shop/shop-api-identity',
      'Migrate TriggerAuthentication orders/orders-queue-auth to azure-workload',
      // Cluster-scoped: no namespace.
      'Migrate ClusterTriggerAuthentication keyvault-auth to azure-workload',
      'Migrate SecretProviderClass orders/orders-kv',
      'Migrate chart values ingress-azure.armAuth',
      'Annotate chart values serviceAccount.annotations (helm-create/values.yaml)',
    ]) {
      assert.ok(labels.has(label), `"${label}" among ${[...labels].sort().join(', ')}`);
    }
  });

  test('a file a fix creates is reported as created, with the label of what it holds', () => {
    const template = [
      '{{- if .Values.enabled }}',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}-api',
      '  namespace: shop',
      'spec:',
      '  template:',
      '    metadata:',
      '      labels:',
      '        aadpodidbinding: api-id',
      '    spec:',
      '      containers:',
      '        - name: api',
      '{{- end }}',
      '',
    ].join('\n');
    const files = new Map([
      ['chart/templates/deployment.yaml', template],
      ['identity.yaml', identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-id', clientID: '11111111-2222-4333-8444-555555555555' })],
    ]);
    const changes = assertChangesCompose(files);
    const created = changes.find((c) => c.path === 'chart/templates/api-id-serviceaccount.yaml');
    assert.ok(created, 'the new file is among the changes');
    assert.equal(created.before, undefined);
    assert.deepEqual(created.edits.map((e) => [e.start, e.end, e.label]), [[0, 0, 'Create ServiceAccount shop/api-id']]);
    assert.deepEqual(labelsOf(changes)['chart/templates/deployment.yaml'], ['Migrate Deployment shop/{{ .Release.Name }}-api', 'Migrate Deployment shop/{{ .Release.Name }}-api']);
  });

  test('on a big file: every new account at one spot is an edit of its own, in order, and the identities go', () => {
    const perKind = 40;
    const [change] = assertChangesCompose(new Map([['big.yaml', bigManifest(perKind)]]));
    const count = (label: RegExp) => change.edits.filter((e) => label.test(e.label)).length;
    assert.equal(count(/^Migrate Deployment /), 2 * perKind, 'label and service account name of each');
    assert.equal(count(/^Migrate TriggerAuthentication /), perKind);
    assert.equal(count(/^Remove AzureIdentityBinding /), perKind);
    assert.equal(count(/^Remove AzureIdentity /), perKind);
    const accounts = change.edits.filter((e) => e.label.startsWith('Create ServiceAccount'));
    assert.deepEqual(accounts.map((e) => e.label), Array.from({ length: perKind }, (_, i) => `Create ServiceAccount team-${i % 5}/id-${i}`));
    assert.ok(accounts.every((e) => e.start === change.before!.length && e.end === e.start), 'all at the end of the file');
  });

  test('a later pass\'s edit inside text an earlier pass inserted becomes part of that edit', () => {
    const deployment = (name: string, label: string, account = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    metadata:
      labels:
        aadpodidbinding: ${label}
    spec:
${account}      containers:
        - name: app
`;
    // Pass 1: "lost" has no identity, so its migration creates ServiceAccount shop/lost with the
    // placeholder client id; "api" wants that account too and waits. Pass 2: "api" migrates and
    // writes its identity's client id over the placeholder, inside the text pass 1 inserted.
    const clientID = '11111111-2222-4333-8444-555555555555';
    const files = new Map([
      ['a.yaml', `${deployment('lost', 'lost')}---\n${deployment('api', 'api-id', '      serviceAccountName: lost\n')}`],
      ['identity.yaml', identityWithBinding({ namespace: 'shop', identity: 'api-identity', binding: 'api-binding', selector: 'api-id', clientID })],
    ]);
    const [change] = assertChangesCompose(files).filter((c) => c.path === 'a.yaml');
    const created = change.edits.filter((e) => e.label === 'Create ServiceAccount shop/lost');
    assert.equal(created.length, 1, 'one edit creates the account');
    assert.match(created[0].text, new RegExp(`client-id: "${clientID}"`), 'with the client id pass 2 wrote into it');
    assert.deepEqual([...new Set(change.edits.map((e) => e.label))], ['Migrate Deployment shop/lost', 'Migrate Deployment shop/api', 'Create ServiceAccount shop/lost']);
  });
});
