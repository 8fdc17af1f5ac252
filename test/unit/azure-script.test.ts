// "Copy the equivalent az script": the steps of the other commands as shell-quoted az lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLOUDS } from '../../src/vscode/azure/clouds';
import { azScript, shellQuote } from '../../src/vscode/azure/copyAzScript/script';
import type { ScriptResult } from '../../src/vscode/azure/copyAzScript';
import { SUBSCRIPTION_ID } from '../arm/sampleWorld';
import { azureHarness, requestsOf } from './azure-harness';
import { SIGN_IN, WORKSPACE, seed } from './azure-fixtures';

test('shellQuote makes one POSIX word of anything', () => {
  assert.equal(shellQuote('rg-apps'), `'rg-apps'`);
  assert.equal(shellQuote(`it's $HOME; rm -rf /`), `'it'\\''s $HOME; rm -rf /'`);
  assert.equal(shellQuote(''), `''`);
});

test('the script enables the cluster, reads its issuer and creates each credential, for the configured cloud and audience', () => {
  const script = azScript({
    cloud: CLOUDS.AzureUSGovernment,
    audience: 'api://AzureADTokenExchange',
    subscriptionId: SUBSCRIPTION_ID,
    cluster: { resourceGroup: 'rg aks', name: 'aks-legacy' },
    credentials: [{ name: 'shop-web', identityName: 'app-identity', identityResourceGroup: 'rg-apps', subject: 'system:serviceaccount:shop:web' }],
    podIdentity: { identities: [{ namespace: 'shop', name: 'app-pod-identity' }], exceptions: [] },
  });
  assert.equal(
    script,
    [
      '#!/usr/bin/env bash',
      '# Workload identity for AKS cluster aks-legacy: the steps of the "Workload Identity" commands of VS Code.',
      'set -euo pipefail',
      '',
      `az cloud set --name 'AzureUSGovernment'`,
      `az account set --subscription '${SUBSCRIPTION_ID}'`,
      '',
      '# OIDC issuer and workload identity on the cluster (no change when already enabled).',
      `az aks update --resource-group 'rg aks' --name 'aks-legacy' --enable-oidc-issuer --enable-workload-identity`,
      `AKS_OIDC_ISSUER="$(az aks show --resource-group 'rg aks' --name 'aks-legacy' --query oidcIssuerProfile.issuerUrl --output tsv)"`,
      '',
      "# Federated credentials: each identity trusts its service account's tokens from the cluster.",
      `case "$AKS_OIDC_ISSUER" in https://?*) ;; *) echo 'The OIDC issuer of cluster aks-legacy is not an https URL; no federated credential was written:' "$AKS_OIDC_ISSUER" >&2; exit 1 ;; esac`,
      `az identity federated-credential create --name 'shop-web' --identity-name 'app-identity' --resource-group 'rg-apps' --issuer "$AKS_OIDC_ISSUER" --subject 'system:serviceaccount:shop:web' --audiences 'api://AzureADTokenExchange'`,
      '',
      '# Once the workloads run on workload identity, remove AKS-managed pod identity (needs the aks-preview extension):',
      `# az aks pod-identity delete --resource-group 'rg aks' --cluster-name 'aks-legacy' --namespace 'shop' --name 'app-pod-identity'`,
      `# az aks update --resource-group 'rg aks' --name 'aks-legacy' --disable-pod-identity`,
      '',
    ].join('\n'),
  );
});

test('the command fills the plan from Azure and the workspace, copies it, and changes nothing', async (t) => {
  const h = await azureHarness(t, WORKSPACE, { seed: seed() });
  const run = await h.run('wiMigrate.copyAzScript', [...SIGN_IN, { pick: 'aks-legacy' }, { pickMany: ['shop/web'] }]);
  assert.ok(run.result.succeeded, run.result.succeeded ? '' : run.result.error);
  const { script } = run.result.result as ScriptResult;
  assert.deepEqual(run.ui.copied, [script]);
  // The workload's AzureIdentity names app-identity: no identity question.
  assert.ok(!run.ui.transcript.some((e) => e.text === 'User-assigned managed identity'));
  assert.match(script, /^az identity federated-credential create --name 'shop-web' --identity-name 'app-identity' --resource-group 'rg-apps' --issuer "\$AKS_OIDC_ISSUER" --subject 'system:serviceaccount:shop:web' --audiences 'api:\/\/AzureADTokenExchange'$/m);
  assert.match(script, /^# az aks pod-identity exception delete --resource-group 'rg-aks' --cluster-name 'aks-legacy' --namespace 'shop' --name 'probe-exception'$/m);
  assert.doesNotMatch(script, /az cloud set/);
  assert.equal(run.ui.transcript.find((e) => e.kind === 'pickMany')?.value, 'shop/web', 'accounts with a known identity are preselected');
  assert.deepEqual(requestsOf(h.server, /^(PUT|DELETE|POST|PATCH)/), []);
  assert.ok(run.log.some((l) => l.includes("az aks update --resource-group 'rg-aks' --name 'aks-legacy'")), 'the script is in the output channel too');
});

test('run by bash with an az that reports the issuer, the script creates the credentials for an https issuer and stops before them for any other', () => {
  const script = azScript({
    cloud: CLOUDS.AzureCloud,
    audience: 'api://AzureADTokenExchange',
    subscriptionId: SUBSCRIPTION_ID,
    cluster: { resourceGroup: 'rg-aks', name: 'aks-legacy' },
    credentials: [{ name: 'shop-web', identityName: 'app-identity', identityResourceGroup: 'rg-apps', subject: 'system:serviceaccount:shop:web' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'wi-az-script-'));
  try {
    // A stand-in az: records its arguments, prints the issuer for az aks show.
    writeFileSync(join(dir, 'az'), '#!/usr/bin/env bash\necho "$*" >> "$AZ_CALLS"\nif [ "$1 $2" = "aks show" ]; then echo "$ISSUER"; fi\n');
    chmodSync(join(dir, 'az'), 0o755);
    const run = (issuer: string) => {
      const calls = join(dir, `calls-${Math.random()}`);
      writeFileSync(calls, '');
      const result = spawnSync('bash', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, AZ_CALLS: calls, ISSUER: issuer }, encoding: 'utf8' });
      return { status: result.status, stderr: result.stderr, calls: readFileSync(calls, 'utf8').trim().split('\n') };
    };
    const https = run('https://eastus.oic.prod-aks.azure.com/tenant/cluster/');
    assert.equal(https.status, 0, https.stderr);
    assert.match(https.calls[https.calls.length - 1], /^identity federated-credential create --name shop-web .*--issuer https:\/\/eastus\.oic\.prod-aks\.azure\.com\/tenant\/cluster\/ /);
    for (const issuer of ['http://eastus.oic.prod-aks.azure.com/tenant/cluster/', '']) {
      const refused = run(issuer);
      assert.equal(refused.status, 1);
      assert.equal(refused.stderr.trim(), `The OIDC issuer of cluster aks-legacy is not an https URL; no federated credential was written: ${issuer}`.trim());
      assert.ok(!refused.calls.some((c) => c.startsWith('identity federated-credential')), refused.calls.join('\n'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
