// Sovereign clouds: a cluster in a US Government or China region reports its OIDC issuer in that
// cloud's domain, and the commands carry it unchanged from the cluster into the credential (the
// https check accepts it), through the real SDK clients against the test ARM server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateCredentialResult } from '../../src/vscode/azure/createFederatedCredential';
import { SUBSCRIPTION_ID, TENANT_ID } from '../arm/sampleWorld';
import type { ArmSeed } from '../arm/state';
import { azureHarness, type AzureRun } from './azure-harness';
import { APP_IDENTITY_ID, SHOP, SIGN_IN, WORKSPACE, seed } from './azure-fixtures';

const CLOUDS = [
  { cloud: 'AzureUSGovernment', location: 'usgovvirginia', domain: 'oic.prod-aks.azure.us' },
  { cloud: 'AzureChinaCloud', location: 'chinanorth3', domain: 'oic.prod-aks.azure.cn' },
];

function inRegion(location: string): ArmSeed {
  const world = seed();
  world.clusters = world.clusters!.map((c) => (c.name === 'aks-legacy' ? { ...c, location } : c));
  world.identities = world.identities!.map((i) => ({ ...i, location }));
  return world;
}

function succeeded(run: AzureRun): unknown {
  assert.ok(run.result.succeeded, `the command failed: ${run.result.succeeded ? '' : run.result.error}\n${run.log.join('\n')}`);
  return run.result.result;
}

for (const { cloud, location, domain } of CLOUDS) {
  test(`${cloud}: the issuer the cluster reports after enabling (${domain}) is the one the credential gets`, async (t) => {
    const h = await azureHarness(t, WORKSPACE, { seed: inRegion(location) });
    succeeded(await h.run('wiMigrate.enableWorkloadIdentity', [...SIGN_IN, { pick: 'aks-legacy' }, { choose: 'Enable' }], { settings: { cloud } }));
    const issuer = h.server.state.getCluster(SUBSCRIPTION_ID, 'rg-aks', 'aks-legacy')!.properties.oidcIssuerProfile?.issuerURL ?? '';
    assert.match(issuer, new RegExp(`^https://${location}\\.${domain.replaceAll('.', '\\.')}/${TENANT_ID}/[0-9a-f-]{36}/$`));

    const run = await h.run(
      'wiMigrate.createFederatedCredential',
      [...SIGN_IN, { pick: 'app-identity' }, { pick: 'aks-legacy', expect: 'cluster' }, { input: null, expect: 'Name' }, { choose: 'Not now' }],
      { cursor: { file: SHOP, at: 'kind: ServiceAccount' }, settings: { cloud } },
    );
    const result = succeeded(run) as CreateCredentialResult;
    assert.equal(result.status, 'created');
    assert.equal(result.issuer, issuer);
    assert.equal(result.audience, 'api://AzureADTokenExchange', 'the webhook\'s audience, in every cloud');
    assert.deepEqual(
      [...h.server.state.credentialsOf(APP_IDENTITY_ID).values()].map((c) => [c.issuer, c.subject]),
      [[issuer, 'system:serviceaccount:shop:web']],
    );
  });
}
