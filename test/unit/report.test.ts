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
    assert.deepEqual(report.counts, { workloads: 10, 'pod-identity': 7, migrated: 0, 'needs-input': 2, blocked: 1 });
    assert.equal(report.stillOnPodIdentity, 9);
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
