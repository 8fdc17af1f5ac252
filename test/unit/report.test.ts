import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { collectFiles } from '../../src/cli/files';
import { Project } from '../../src/core/engine';
import { fileKindOf, MANIFEST_KIND } from '../../src/core/fileKinds';
import { reportSteps, type MigrationReport, type ReportWorkload } from '../../src/core/report';
import { runSteps } from '../../src/core/steps';
import { fixtureRepos, readExpectations } from '../support/repos';

const ROOT = join(__dirname, '..', '..', '..');

function projectOf(dir: string): Project {
  const project = new Project();
  for (const f of collectFiles(['.'], dir)) project.set(f, readFileSync(join(dir, f), 'utf8'), undefined, fileKindOf(join(dir, f)) ?? MANIFEST_KIND);
  return project;
}

function reportOf(project: Project): MigrationReport {
  // eslint-disable-next-line require-yield -- every finding at once
  return runSteps(reportSteps(project.index, function* (path) { return project.check(path); }));
}

function reportOfTexts(files: Record<string, string>): MigrationReport {
  const project = new Project();
  for (const [path, text] of Object.entries(files)) project.set(path, text);
  return reportOf(project);
}

/** Every workload of the report once, by key. */
function workloads(report: MigrationReport): Map<string, ReportWorkload> {
  return new Map(report.identities.flatMap((i) => i.groups.flatMap((g) => g.workloads)).map((w) => [w.key, w]));
}

const IDENTITY = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: api-identity, namespace: shop}
spec: {type: 0, clientID: 11111111-2222-4333-8444-555555555555, resourceID: /subscriptions/x/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-identity}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: api-binding, namespace: shop}
spec: {azureIdentity: api-identity, selector: api}
`;

const deployment = (name: string, labels: string, account = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}, ${labels}}
    spec:
${account ? `      serviceAccountName: ${account}\n` : ''}      containers: [{name: app, image: app}]
`;

const account = (name: string, clientId: string) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: shop
  annotations:
    azure.workload.identity/client-id: "${clientId}"
`;

describe('migration report', () => {
  test('examples: identities with their bindings, workloads, KEDA and CSI objects, and each state', () => {
    const report = reportOf(projectOf(join(ROOT, 'examples')));
    const orders = report.identities.find((i) => i.id === 'azureIdentity:orders/orders-identity');
    assert.ok(orders, report.identities.map((i) => i.id).join(', '));
    assert.equal(orders.clientId, '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    assert.deepEqual(orders.groups.map((g) => `${g.kind} ${g.namespace}/${g.name}`), ['AzureIdentityBinding orders/orders-identity-binding']);
    assert.deepEqual(orders.groups[0].workloads.map((w) => `${w.key} ${w.state}`), ['orders/CronJob/orders-nightly-report pod-identity', 'orders/Deployment/orders-api pod-identity']);
    assert.deepEqual(orders.keda.map((o) => `${o.kind} ${o.namespace}/${o.name} ${o.state}`), ['TriggerAuthentication orders/orders-queue-auth pod-identity']);
    assert.deepEqual(orders.csi.map((o) => `${o.kind} ${o.namespace}/${o.name} ${o.state}`), ['SecretProviderClass orders/orders-kv pod-identity']);
    assert.deepEqual(orders.counts, { workloads: 4, 'pod-identity': 4, migrated: 0, 'needs-input': 0, blocked: 0 });
    // The workload's places: its object, its label (line 19 of the file), its binding and its identity.
    const api = orders.groups[0].workloads[1];
    const text = readFileSync(join(ROOT, 'examples', 'manifests', 'orders', 'deployment.yaml'), 'utf8');
    assert.deepEqual(api.locations.map((l) => `${l.file} ${l.what}`), [
      'manifests/orders/deployment.yaml Deployment orders-api',
      'manifests/orders/deployment.yaml aadpodidbinding label',
      'manifests/identity/binding.yaml AzureIdentityBinding orders/orders-identity-binding',
      'manifests/identity/azureidentity.yaml AzureIdentity orders/orders-identity',
    ]);
    assert.equal(text.slice(api.locations[1].start, api.locations[1].end), 'aadpodidbinding: orders-identity');

    const all = workloads(report);
    const billing = all.get('billing/Deployment/billing-api');
    assert.equal(billing?.state, 'blocked');
    assert.match(billing.reason ?? '', /^The pod mounts Key Vault through the legacy Key Vault FlexVolume/);
    assert.equal(all.get('payments/Deployment/payments')?.state, 'needs-input');
    // A kustomize base built by two overlays: once per build, under each build's identity, named as the build names it.
    assert.ok(report.identities.find((i) => i.id === 'azureIdentity:reports-dev/reports-reader')?.groups[0].workloads.some((w) => w.key === 'reports-dev/Deployment/reports-api'));
    assert.ok(report.identities.find((i) => i.id === 'azureIdentity:reports/reports-reader')?.groups[0].workloads.some((w) => w.key === 'reports/Deployment/prod-reports-api'));
    assert.equal(report.identities.at(-1)?.id, 'unknown', 'the unknown identity comes last');
    // The prod overlay labels the base's CronJob through an inline JSON 6902 patch: there, with the kustomization line that labels it.
    const exporter = all.get('reports/CronJob/prod-reports-export');
    assert.equal(exporter?.state, 'pod-identity');
    assert.deepEqual(exporter.locations.map((l) => `${l.file} ${l.what}`).slice(0, 2), ['reports/base/batch.yaml CronJob reports-export', 'reports/overlays/prod/kustomization.yaml inline patch in kustomization.yaml']);
    assert.deepEqual(report.counts, { workloads: 11, 'pod-identity': 8, migrated: 0, 'needs-input': 2, blocked: 1 });
    assert.equal(report.stillOnPodIdentity, 10);
    // A pod identity the AKS add-on creates in a script: named as the script declares it, its one place listed once.
    const addon = report.identities.find((i) => i.label === 'AKS add-on pod identity shop/catalog');
    assert.ok(addon, report.identities.map((i) => i.label).join(' | '));
    const catalog = addon.groups[0].workloads.find((w) => w.key === 'shop/Deployment/catalog');
    assert.equal(catalog?.state, 'needs-input');
    assert.equal(catalog.locations.filter((l) => l.file.endsWith('setup-cluster.sh')).length, 1);
  });

  test('a binding of the AKS add-on is named after what creates it: the script command, the Bicep or ARM template entry', () => {
    const groupsOf = (repo: string) =>
      reportOf(projectOf(join(ROOT, 'test', 'repos', repo, 'before'))).identities.flatMap((i) => i.groups.map((g) => `${g.label ?? `${g.kind} ${g.namespace}/${g.name}`} @ ${g.location?.file} @ ${g.location?.what}`));
    assert.deepEqual(groupsOf('addon-deploy-script'), [
      'az aks pod-identity add shop/billing @ scripts/billing-identity.ps1 @ az aks pod-identity add shop/billing',
      'az aks pod-identity add shop/orders @ deploy.sh @ az aks pod-identity add shop/orders',
    ]);
    assert.deepEqual(groupsOf('addon-pipelines'), [
      'az aks pod-identity add shop/cart @ azure-pipelines.yml @ az aks pod-identity add shop/cart',
      'az aks pod-identity add shop/reviews @ .github/workflows/deploy.yml @ az aks pod-identity add shop/reviews',
    ]);
    assert.deepEqual(groupsOf('addon-bicep'), [
      'Bicep podIdentityProfile entry storefront/orders @ infra/modules/aks.bicep @ Bicep podIdentityProfile entry storefront/orders',
      'Bicep podIdentityProfile entry storefront/payments @ infra/modules/aks.bicep @ Bicep podIdentityProfile entry storefront/payments',
    ]);
    assert.deepEqual(groupsOf('addon-arm'), ['ARM template podIdentityProfile entry billing/invoices @ azuredeploy.json @ ARM template podIdentityProfile entry billing/invoices']);
    // An AzureIdentityBinding manifest keeps its kind's name.
    assert.ok(reportOf(projectOf(join(ROOT, 'examples'))).identities.some((i) => i.groups.some((g) => g.label === undefined && g.kind === 'AzureIdentityBinding')));
  });

  test('pods that kustomize labels (commonLabels, inline patches) are there, with the kustomization line and the workload\'s file', () => {
    const placesIn = (repo: string, version: 'before' | 'after') => {
      const dir = join(ROOT, 'test', 'repos', repo, version);
      const report = reportOf(projectOf(dir));
      const text = (file: string) => readFileSync(join(dir, file), 'utf8');
      return new Map(
        report.identities.flatMap((i) =>
          i.groups.flatMap((g) => g.workloads.map((w) => [w.key, { identity: i.label, state: w.state, onPodIdentity: w.onPodIdentity, places: w.locations.slice(0, 2).map((l) => `${l.file} ${text(l.file).slice(l.start, l.end).split('\n')[0]}`) }] as const)),
        ),
      );
    };
    const commonLabels = placesIn('selector-label', 'before');
    assert.deepEqual(commonLabels.get('reports/Deployment/reports'), {
      identity: 'AzureIdentity reports/reports-reader',
      state: 'pod-identity',
      onPodIdentity: true,
      places: ['reports/deployment.yaml apiVersion: apps/v1', 'reports/kustomization.yaml aadpodidbinding: reports-reader'],
    });
    // A base's commonLabels, built by two overlays: once per build, under each build's identity.
    for (const env of ['dev', 'prod']) {
      for (const key of [`billing-${env}/Deployment/billing-api`, `billing-${env}/CronJob/billing-close`]) {
        assert.equal(commonLabels.get(key)?.identity, `AzureIdentity billing-${env}/billing-writer`, key);
        assert.equal(commonLabels.get(key)?.places[1], 'billing/base/kustomization.yaml aadpodidbinding: billing-writer');
      }
    }

    const inline = placesIn('inline-patches', 'before');
    assert.deepEqual([...inline.keys()].sort(), ['ledger-staging/Deployment/ledger-api-staging', 'ledger/CronJob/ledger-export', 'ledger/Deployment/ledger-api'], 'staging builds the CronJob without pod identity');
    assert.deepEqual(inline.get('ledger/Deployment/ledger-api')?.places[1], 'prod/kustomization.yaml aadpodidbinding');
    assert.deepEqual(inline.get('ledger-staging/Deployment/ledger-api-staging')?.places[1], 'staging/kustomization.yaml aadpodidbinding');
    assert.ok([...inline.values()].every((w) => w.state === 'pod-identity' && w.onPodIdentity));

    // Migrated by their inline patches (the use label): under each build's client id.
    const migrated = placesIn('inline-patches', 'after');
    assert.deepEqual(migrated.get('ledger/Deployment/ledger-api'), { identity: 'client id c41d7e92-8a3b-4f6c-9d05-e1b2a3c4d5f6', state: 'migrated', onPodIdentity: false, places: ['base/api.yaml apiVersion: apps/v1', 'prod/kustomization.yaml azure.workload.identity/use'] });
    assert.equal(migrated.get('ledger-staging/Deployment/ledger-api-staging')?.identity, 'client id 9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4');
  });

  test('a workload fixed in the workspace moves from pod identity to migrated, under its client id once the AzureIdentity is gone', () => {
    const project = new Project();
    project.set('identity.yaml', IDENTITY);
    project.set('app.yaml', deployment('api', 'aadpodidbinding: api'));
    const before = reportOf(project);
    assert.equal(workloads(before).get('shop/Deployment/api')?.state, 'pod-identity');
    assert.equal(before.stillOnPodIdentity, 1);
    project.fixAll();
    const after = reportOf(project);
    const api = workloads(after).get('shop/Deployment/api');
    assert.equal(api?.state, 'migrated');
    assert.equal(api.onPodIdentity, false);
    assert.deepEqual(api.serviceAccount, { namespace: 'shop', name: 'api' });
    const identity = after.identities.find((i) => i.groups.some((g) => g.workloads.includes(api)));
    // Fix-all removed the AzureIdentity once nothing used it: the identity is the account's client id.
    assert.equal(identity?.id, 'clientId:11111111-2222-4333-8444-555555555555');
    assert.deepEqual(identity.serviceAccounts, [{ namespace: 'shop', name: 'api' }]);
    assert.equal(after.stillOnPodIdentity, 0);
  });

  test('needs input: a placeholder client id on the account, a label no binding selects, a templated client id', () => {
    const report = reportOfTexts({
      'placeholder.yaml': deployment('web', 'azure.workload.identity/use: "true"', 'web') + '---\n' + account('web', '<managed-identity-client-id>'),
      'orphan.yaml': deployment('jobs', 'aadpodidbinding: nobody'),
    });
    const all = workloads(report);
    assert.equal(all.get('shop/Deployment/web')?.state, 'needs-input');
    assert.match(all.get('shop/Deployment/web')?.reason ?? '', /placeholder client id/);
    // No binding: the fix writes a placeholder, so a human must give the client id.
    assert.equal(all.get('shop/Deployment/jobs')?.state, 'needs-input');
    const unknown = report.identities.find((i) => i.id === 'unknown');
    assert.deepEqual(unknown?.groups.map((g) => `${g.kind} ${g.name}`).sort(), ['ServiceAccount web', 'selector nobody']);
  });

  test('a migrated workload whose client id no AzureIdentity writes any more is under that client id', () => {
    const report = reportOfTexts({ 'app.yaml': deployment('api', 'azure.workload.identity/use: "true"', 'api') + '---\n' + account('api', '99999999-2222-4333-8444-555555555555') });
    assert.deepEqual(report.identities.map((i) => `${i.id} ${i.label}`), ['clientId:99999999-2222-4333-8444-555555555555 client id 99999999-2222-4333-8444-555555555555']);
    assert.equal(workloads(report).get('shop/Deployment/api')?.state, 'migrated');
  });

  test('an empty workspace, and one without identities, report nothing', () => {
    assert.deepEqual(reportOfTexts({}).identities, []);
    const plain = reportOfTexts({ 'app.yaml': deployment('api', 'tier: web') });
    assert.deepEqual(plain.identities, []);
    assert.equal(plain.counts.workloads, 0);
  });

  for (const repo of fixtureRepos()) {
    test(`fixture repository ${repo.name}: what was on pod identity before the fix is migrated after it, or expected to stay`, () => {
      const before = workloads(reportOf(projectOf(repo.before)));
      const after = workloads(reportOf(projectOf(repo.after)));
      const remains = readExpectations(repo.expectFile).podIdentityRemains ?? [];
      for (const [key, w] of before) {
        if (!w.onPodIdentity) continue;
        const now = after.get(key);
        assert.ok(now, `${key} is in the report after the fix`);
        const kept = remains.some((r) => r.kind === w.kind && r.name === w.name && (r.namespace ?? w.namespace) === w.namespace);
        // Where the repository gives only an identity's resource id (the AKS add-on), the fix writes
        // the placeholder client id: the workload then waits for that value, and says so.
        if (now.state === 'needs-input') assert.match(now.reason ?? '', /<managed-identity-client-id>/, `${key}: ${now.reason ?? ''}`);
        else assert.equal(now.state, 'migrated', `${key}: ${now.state} ${now.reason ?? ''}`);
        assert.equal(now.onPodIdentity, kept, `${key} keeps its label only where expect.json says so`);
      }
    });
  }
});

test('the report is the same whatever order the files were read in (the editor\'s indexer reads them in no set order)', () => {
  for (const dir of [join(ROOT, 'examples'), ...fixtureRepos().map((r) => r.before)]) {
    const files = collectFiles(['.'], dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const);
    const read = (order: ReadonlyArray<readonly [string, string]>) => {
      const project = new Project();
      for (const [f, text] of order) project.set(f, text, undefined, fileKindOf(join(dir, f)) ?? MANIFEST_KIND);
      return reportOf(project);
    };
    assert.deepEqual(read([...files].reverse()), read(files), dir);
  }
});
