import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildViolations, fluxClusterChains, resolvedChains, type K8sObject } from '../support/invariants';
import { fluxGeneratedKustomization, kustomizeLeaves } from '../support/kustomize';
import { readExpectations, treeDiff } from '../support/repos';

/** The harness of test/repos proves itself: each check fails on a tiny input made to break it. */

const CLIENT = '11111111-2222-3333-4444-555555555555';
const OTHER = '99999999-8888-7777-6666-555555555555';

function deployment(labels: Record<string, string>, extra: { serviceAccountName?: string; selector?: Record<string, string> } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: extra.selector ?? { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', ...labels } },
        spec: { ...(extra.serviceAccountName ? { serviceAccountName: extra.serviceAccountName } : {}), containers: [{ name: 'web', image: 'web:1' }] },
      },
    },
  };
}

const identity = (clientID: string, name = 'web-id'): K8sObject => ({
  apiVersion: 'aadpodidentity.k8s.io/v1',
  kind: 'AzureIdentity',
  metadata: { name, namespace: 'shop' },
  spec: { type: 0, clientID, resourceID: '/subscriptions/x/resourcegroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web' },
});
const binding = (azureIdentity = 'web-id', name = 'web-id-binding'): K8sObject => ({
  apiVersion: 'aadpodidentity.k8s.io/v1',
  kind: 'AzureIdentityBinding',
  metadata: { name, namespace: 'shop' },
  spec: { azureIdentity, selector: 'web' },
});
const account = (clientId?: string, name = 'web'): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: 'shop', ...(clientId ? { annotations: { 'azure.workload.identity/client-id': clientId } } : {}) },
});
const configMap = (value: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { LEVEL: value } });

const BEFORE = [deployment({ aadpodidbinding: 'web' }), identity(CLIENT), binding(), configMap('info')];
const migrated = (over: Partial<{ dep: K8sObject; sa: K8sObject | null; cm: K8sObject; extra: K8sObject[] }> = {}) =>
  [over.dep ?? deployment({ 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'web' }), over.sa === null ? [] : [over.sa ?? account(CLIENT)], over.cm ?? configMap('info'), over.extra ?? []].flat();

describe('repository harness: the build invariants', () => {
  test('a correct migration has no violation', () => {
    assert.deepEqual(buildViolations('overlays/prod', BEFORE, migrated()), []);
  });

  test('a changed unrelated object is a violation', () => {
    const v = buildViolations('overlays/prod', BEFORE, migrated({ cm: configMap('debug') }));
    assert.deepEqual(v, ['overlays/prod: ConfigMap shop/settings carried no pod identity and changed: /data/LEVEL: "info" → "debug".']);
  });

  test('a missing ServiceAccount is a violation', () => {
    const v = buildViolations('overlays/prod', BEFORE, migrated({ sa: null }));
    assert.equal(v.length, 1);
    assert.match(v[0], /runs as ServiceAccount web, which this build does not render in namespace "shop"/);
  });

  test('a ServiceAccount in another namespace does not count', () => {
    const elsewhere = { ...account(CLIENT), metadata: { name: 'web', namespace: 'default', annotations: { 'azure.workload.identity/client-id': CLIENT } } };
    assert.match(buildViolations('o', BEFORE, migrated({ sa: elsewhere })).join('\n'), /does not render in namespace "shop"/);
  });

  test('a wrong client id is a violation', () => {
    const v = buildViolations('overlays/prod', BEFORE, migrated({ sa: account(OTHER) }));
    assert.deepEqual(v, [`overlays/prod: Deployment shop/web runs as ServiceAccount web, whose azure.workload.identity/client-id is ${OTHER}, not ${CLIENT} (its identity in this build).`]);
  });

  test('a pod without the use label or without an account is a violation', () => {
    const noUse = buildViolations('o', BEFORE, migrated({ dep: deployment({}, { serviceAccountName: 'web' }) }));
    assert.match(noUse.join('\n'), /has no pod label azure\.workload\.identity\/use: "true"/);
    const noAccount = buildViolations('o', BEFORE, migrated({ dep: deployment({ 'azure.workload.identity/use': 'true' }) }));
    assert.match(noAccount.join('\n'), /names no serviceAccountName/);
  });

  test('pod identity left over is a violation unless expect.json names it', () => {
    const left = migrated({ extra: [identity(CLIENT)] });
    assert.deepEqual(buildViolations('o', BEFORE, left), ['o: AzureIdentity shop/web-id still is an AzureIdentity.']);
    const why = 'kept: nothing carried its client id over';
    assert.deepEqual(buildViolations('o', BEFORE, left, { podIdentityRemains: [{ kind: 'AzureIdentity', name: 'web-id', why }] }), []);
    // An exception for another build does not apply here.
    assert.equal(buildViolations('o', BEFORE, left, { podIdentityRemains: [{ kind: 'AzureIdentity', name: 'web-id', build: 'other', why }] }).length, 1);
    const label = migrated({ dep: deployment({ aadpodidbinding: 'web', 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'web' }) });
    assert.match(buildViolations('o', BEFORE, label).join('\n'), /Deployment shop\/web still has the pod label aadpodidbinding/);
  });

  test('an account the base set must not be overridden', () => {
    const before = [deployment({ aadpodidbinding: 'web' }, { serviceAccountName: 'controller' }), identity(CLIENT), binding(), account(undefined, 'controller')];
    const good = [deployment({ 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'controller' }), account(CLIENT, 'controller')];
    assert.deepEqual(buildViolations('o', before, good), []);
    const overridden = [deployment({ 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'web' }), account(undefined, 'controller'), account(CLIENT)];
    assert.match(buildViolations('o', before, overridden).join('\n'), /changed beyond its migration: \/spec\/template\/spec\/serviceAccountName: "controller" → "web"/);
  });

  test('a changed selector, a vanished object and a new object that is no ServiceAccount are violations', () => {
    const selectorBefore = [deployment({ aadpodidbinding: 'web' }, { selector: { app: 'web', aadpodidbinding: 'web' } }), identity(CLIENT), binding()];
    const selectorAfter = [deployment({ 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'web' }), account(CLIENT)];
    const v = buildViolations('o', selectorBefore, selectorAfter).join('\n');
    assert.match(v, /Deployment shop\/web: its selector changed \(immutable\)/);
    const unmatched = [deployment({ 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'web', selector: { app: 'web', aadpodidbinding: 'web' } }), account(CLIENT)];
    assert.match(buildViolations('o', selectorBefore, unmatched).join('\n'), /selector aadpodidbinding=web no longer matches its pod template/);
    assert.deepEqual(buildViolations('o', BEFORE, migrated({ cm: { ...configMap('info'), metadata: { name: 'other', namespace: 'shop' } } })), [
      'o: ConfigMap shop/other is new, and the fix may add only ServiceAccounts.',
      'o: ConfigMap shop/settings is gone (the fix may remove only pod identity objects).',
    ]);
  });

  test('a Service whose selector holds aadpodidbinding (from commonLabels) must render as before', () => {
    const service = (selector: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector } });
    const before = [...BEFORE, service({ app: 'web', aadpodidbinding: 'web' })];
    assert.deepEqual(buildViolations('o', before, [...migrated(), service({ app: 'web', aadpodidbinding: 'web' })]), []);
    assert.deepEqual(buildViolations('o', before, [...migrated(), service({ app: 'web' })]), [
      'o: Service shop/web carried no pod identity and changed: /spec/selector/aadpodidbinding: "web" → undefined.',
    ]);
  });

  test('a chain resolves only to one GUID client id', () => {
    assert.deepEqual([...resolvedChains(BEFORE)], [['Deployment shop/web', CLIENT]]);
    assert.deepEqual([...resolvedChains([deployment({ aadpodidbinding: 'web' }), identity('replace'), binding()])], []);
    const two = [deployment({ aadpodidbinding: 'web' }), identity(CLIENT), binding(), identity(OTHER, 'web-id-2'), binding('web-id-2', 'b2')];
    assert.deepEqual([...resolvedChains(two)], []);
  });
});

describe('repository harness: a Flux cluster of several Kustomizations', () => {
  const flux = (name: string, path: string): K8sObject => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: { path, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
  });
  const builds = new Map<string, K8sObject[]>([
    ['clusters/prod', [flux('infra', './infrastructure/configs'), flux('apps', './apps/prod/')]],
    ['infrastructure/configs', [identity(CLIENT), binding()]],
    ['apps/prod', [deployment({ aadpodidbinding: 'web' }), configMap('info')]],
  ]);

  test('a pod whose identity another Flux Kustomization applies resolves through the cluster, in its own build', () => {
    assert.deepEqual(fluxClusterChains(builds), [{ build: 'apps/prod', key: 'Deployment shop/web', clientId: CLIENT }]);
    // Without the Flux Kustomizations the builds are unrelated: nothing resolves across them.
    assert.deepEqual(fluxClusterChains(new Map([...builds].filter(([k]) => k !== 'clusters/prod'))), []);
  });

  test('its ServiceAccount must be in its own build, and it changes in nothing else', () => {
    const before = builds.get('apps/prod')!;
    const across = new Map([['Deployment shop/web', CLIENT]]);
    // Without the cluster's chain an untouched pod breaks only "no pod identity left": no migration is demanded.
    const untouched = [deployment({ aadpodidbinding: 'web' }), configMap('info')];
    assert.deepEqual(buildViolations('apps/prod', before, untouched), ['apps/prod: Deployment shop/web still has the pod label aadpodidbinding.']);
    assert.equal(buildViolations('apps/prod', before, untouched, {}, across).length, 3);
    assert.deepEqual(buildViolations('apps/prod', before, [...migrated()], {}, across), []);
    assert.deepEqual(buildViolations('apps/prod', before, migrated({ sa: null }), {}, across), [
      'apps/prod: Deployment shop/web runs as ServiceAccount web, which this build does not render in namespace "shop".',
    ]);
    assert.deepEqual(buildViolations('apps/prod', before, migrated({ sa: account(OTHER) }), {}, across), [
      `apps/prod: Deployment shop/web runs as ServiceAccount web, whose azure.workload.identity/client-id is ${OTHER}, not ${CLIENT} (its identity in the Flux cluster).`,
    ]);
    const replicas = deployment({ 'azure.workload.identity/use': 'true' }, { serviceAccountName: 'web' });
    (replicas.spec as Record<string, unknown>).replicas = 5;
    assert.deepEqual(buildViolations('apps/prod', before, migrated({ dep: replicas }), {}, across), [
      'apps/prod: Deployment shop/web changed beyond its migration: /spec/replicas: undefined → 5.',
    ]);
  });
});

describe('repository harness: trees and kustomize leaves', () => {
  test('treeDiff names missing, extra and changed files', () => {
    const expected = new Map([['a.yaml', 'x: 1\ny: 2\n'], ['b.yaml', 'b\n']]);
    const actual = new Map([['a.yaml', 'x: 1\ny: 3\n'], ['c.yaml', 'c\n']]);
    assert.deepEqual(treeDiff(expected, actual), [
      '~ a.yaml:2\n    expected "y: 2"\n    actual   "y: 3"',
      '- b.yaml (missing file: expected but not written)',
      '+ c.yaml (extra file: not in the expected tree)',
    ]);
    assert.deepEqual(treeDiff(expected, new Map(expected)), []);
  });

  test('expect.json is read with its shape checked: every exception says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-expect-'));
    const write = (data: unknown) => {
      writeFileSync(join(dir, 'expect.json'), JSON.stringify(data));
      return join(dir, 'expect.json');
    };
    const good = { podIdentityRemains: [{ kind: 'Deployment', name: 'web', why: 'its selector needs the label' }] };
    assert.deepEqual(readExpectations(write(good)), good);
    assert.throws(() => readExpectations(write({ podIdentityRemains: [{ kind: 'Deployment', name: 'web' }] })), /needs kind, name and why/);
    assert.throws(() => readExpectations(write({ remains: [] })), /unknown key "remains"/);
    assert.deepEqual(readExpectations(join(dir, 'absent.json')), {});
    rmSync(dir, { recursive: true });
  });

  test('leaves are the kustomizations nothing references, plus Flux paths', () => {
    const tree = new Map([
      ['app/base/kustomization.yaml', 'resources:\n- deployment.yaml\n'],
      ['app/base/deployment.yaml', 'kind: Deployment\n'],
      ['app/overlays/dev/kustomization.yaml', 'resources:\n- ../../base\n'],
      ['app/overlays/prod/kustomization.yml', 'bases:\n- ../../base/\ncomponents:\n- ../../components/wi\n'],
      ['app/components/wi/kustomization.yaml', 'kind: Component\n'],
      ['clusters/prod/apps.yaml', 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./app/overlays/prod\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cluster\nspec:\n  path: ./clusters/prod\n'],
    ]);
    assert.deepEqual(kustomizeLeaves(tree), ['app/overlays/dev', 'app/overlays/prod', 'clusters/prod']);
  });

  test('a Flux path without a kustomization gets the one Flux generates', () => {
    const tree = new Map([
      ['clusters/prod/apps.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n'],
      ['clusters/prod/notes.yaml', 'just: data\n'],
      ['clusters/prod/flux-system/kustomization.yaml', 'resources: []\n'],
      ['clusters/prod/flux-system/gotk-sync.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n'],
    ]);
    assert.equal(
      fluxGeneratedKustomization(tree, 'clusters/prod'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- apps.yaml\n- flux-system\n',
    );
  });
});
