import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';

const ROOT = join(__dirname, '..', '..', '..');

interface JsonReport {
  counts: Record<string, number>;
  stillOnPodIdentity: number;
  identities: Array<{
    id: string;
    label: string;
    location?: { file: string; line: number };
    groups: Array<{ kind: string; name: string; workloads: Array<{ key: string; state: string; reason?: string; locations: Array<{ file: string; line: number; what: string }> }> }>;
    keda: Array<{ name: string; state: string; location: { file: string; line: number } }>;
  }>;
}

describe('wi-migrate report', () => {
  test('markdown (the default): counts, a section per identity, a task list with states, places and reasons', () => {
    const result = runCli(['report', 'examples'], ROOT);
    assert.equal(result.code, 1, 'workloads are still on pod identity');
    assert.equal(result.stderr, '');
    const md = result.stdout;
    assert.match(md, /^# Workload identity migration report\n\n11 workloads: 8 still on pod identity, 0 migrated, 2 needs input, 1 blocked\.\n/);
    assert.match(md, /\n## AzureIdentity orders\/orders-identity \(client id 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\)\n\n4 workloads: 4 still on pod identity, 0 migrated, 0 needs input, 0 blocked\. Defined at `examples\/manifests\/identity\/azureidentity\.yaml:1`\.\n/);
    assert.match(md, /\n- AzureIdentityBinding orders\/orders-identity-binding `examples\/manifests\/identity\/binding\.yaml:1`\n {2}- \[ \] CronJob orders\/orders-nightly-report: \*\*still on pod identity\*\* `examples\/manifests\/orders\/cronjob\.yaml:1`, `examples\/manifests\/orders\/cronjob\.yaml:13`\n/);
    assert.match(md, /\n- \[ \] TriggerAuthentication orders\/orders-queue-auth: \*\*still on pod identity\*\* `examples\/manifests\/keda\/scaler\.yaml:1`\n/);
    assert.match(md, /\n {2}- \[ \] Deployment billing\/billing-api: \*\*blocked\*\* [^\n]*\n {4}The pod mounts Key Vault through the legacy Key Vault FlexVolume/);
    // The unknown identity comes last.
    assert.ok(md.indexOf('## unknown identity') > md.lastIndexOf('## AzureIdentity'));
  });

  test('--format json: the same tree with 1-based lines that point at the places', () => {
    const result = runCli(['report', 'examples', '--format', 'json'], ROOT);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.deepEqual(report.counts, { workloads: 11, 'pod-identity': 8, migrated: 0, 'needs-input': 2, blocked: 1 });
    assert.equal(report.stillOnPodIdentity, 10);
    // A CronJob labelled by the prod overlay's inline patch: its place there, line 18 the label.
    const exporter = report.identities.flatMap((i) => i.groups.flatMap((g) => g.workloads)).find((w) => w.key === 'reports/CronJob/prod-reports-export');
    assert.deepEqual(exporter?.locations.slice(0, 2).map((l) => `${l.file}:${l.line}`), ['examples/reports/base/batch.yaml:1', 'examples/reports/overlays/prod/kustomization.yaml:18']);
    const orders = report.identities.find((i) => i.id === 'azureIdentity:orders/orders-identity');
    assert.ok(orders);
    const api = orders.groups[0].workloads.find((w) => w.key === 'orders/Deployment/orders-api');
    assert.ok(api);
    assert.equal(api.state, 'pod-identity');
    const label = api.locations.find((l) => l.what === 'aadpodidbinding label');
    assert.ok(label);
    const line = readFileSync(join(ROOT, label.file), 'utf8').split('\n')[label.line - 1];
    assert.equal(line.trim(), 'aadpodidbinding: orders-identity');
    assert.deepEqual(orders.keda.map((k) => `${k.name} ${k.state} ${k.location.file}:${k.location.line}`), ['orders-queue-auth pod-identity examples/manifests/keda/scaler.yaml:1']);
  });

  test('a migrated workspace exits 0 and ticks its workloads; a workspace without identities says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-report-'));
    writeFileSync(join(dir, 'app.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata:
      labels: {azure.workload.identity/use: "true"}
    spec:
      serviceAccountName: api
      containers: [{name: app, image: app}]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations: {azure.workload.identity/client-id: 11111111-2222-4333-8444-555555555555}
`);
    const done = runCli(['report'], dir);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /\n## client id 11111111-2222-4333-8444-555555555555\n/);
    assert.match(done.stdout, /\n- ServiceAccount shop\/api `app\.yaml:12`\n {2}- \[x\] Deployment shop\/api: \*\*migrated\*\* `app\.yaml:1`, `app\.yaml:12`\n/);
    const empty = mkdtempSync(join(tmpdir(), 'wi-report-'));
    writeFileSync(join(empty, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const nothing = runCli(['report', '--format', 'markdown'], empty);
    assert.equal(nothing.code, 0);
    assert.equal(nothing.stdout, '# Workload identity migration report\n\nNo pod identity or workload identity usage was found.\n');
  });

  test('bad usage: an unknown format or a missing path exits 2 with a message', () => {
    const format = runCli(['report', 'examples', '--format', 'sarif'], ROOT);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be markdown or json for report, not "sarif"/);
    const missing = runCli(['report', 'no-such-dir'], ROOT);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read no-such-dir/);
    assert.match(runCli(['--help'], ROOT).stdout, /Usage: wi-migrate report \[paths\.\.\.\] \[--format markdown\|json\]/);
  });
});
