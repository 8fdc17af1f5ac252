import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fixFileText, Project } from '../../src/core/engine';
import { observeFixAllAnalyses } from '../../src/core/fixAll';
import { fixpoint } from '../support/fixpoint';
import { bigManifest as benchManifest } from '../support/big-manifest';
import { bigManifest, identityWithBinding } from '../support/manifests';

/**
 * Fix-all in rounds that re-analyse only what changed (core/fixAll.ts) gives what whole passes
 * gave (the reference, test/support/fixpoint.ts), and analyses a document that no fix involves
 * once, however many rounds the others take.
 */

const NAMESPACES = ['orders', 'billing', undefined] as const;
const SELECTORS = ['orders-id', 'billing-id', 'shop-id', 'orders-idd'] as const;
const ns = (n: string | undefined, indent = '  ') => (n ? `${indent}namespace: ${n}\n` : '');
const guid = (i: number) => `11111111-2222-4333-8444-${String(i).padStart(12, '0')}`;

type Doc =
  | { t: 'workload'; kind: 'Deployment' | 'Pod'; ns?: string; sel: string; sa?: string; own: boolean }
  | { t: 'flex'; ns?: string; sel: string }
  | { t: 'pair'; ns?: string; sel: string; id: number }
  | { t: 'binding'; ns?: string; sel: string; id: number }
  | { t: 'account'; ns?: string; name: string; id?: number }
  | { t: 'keda'; ns?: string }
  | { t: 'config'; ns?: string; id?: number }
  | { t: 'exception' }
  | { t: 'broken' }
  | { t: 'migrated'; ns?: string; sa: string };

function render(d: Doc, i: number): string {
  switch (d.t) {
    case 'workload': {
      const pod = `    metadata:\n      labels:\n        app: w-${i}\n        aadpodidbinding: ${d.sel}\n    spec:\n${d.sa ? `      serviceAccountName: ${d.sa}\n` : ''}      containers:\n        - name: app\n          image: app:${i}\n`;
      if (d.kind === 'Pod') return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: w-${i}\n${ns(d.ns)}  labels:\n    aadpodidbinding: ${d.sel}\nspec:\n${d.sa ? `  serviceAccountName: ${d.sa}\n` : ''}  containers:\n    - name: app\n      image: app:${i}\n`;
      return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w-${i}\n${ns(d.ns)}${d.own ? `  labels:\n    aadpodidbinding: ${d.sel}\n` : ''}spec:\n  selector:\n    matchLabels:\n      app: w-${i}\n  template:\n${pod}`;
    }
    case 'flex':
      // Its migration waits for the Key Vault FlexVolume to move: findings without a fix, kept across rounds.
      return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: flex-${i}\n${ns(d.ns)}  labels:\n    aadpodidbinding: ${d.sel}\nspec:\n  containers:\n    - name: app\n      image: app:${i}\n  volumes:\n    - name: kv\n      flexVolume:\n        driver: azure/kv\n        options:\n          usepodidentity: "true"\n`;
    case 'pair':
      return identityWithBinding({ namespace: d.ns ?? 'default', identity: `identity-${d.id}`, binding: `binding-${i}`, selector: d.sel, clientID: guid(d.id) });
    case 'binding':
      return `apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata:\n  name: lone-binding-${i}\n${ns(d.ns)}spec:\n  azureIdentity: identity-${d.id}\n  selector: ${d.sel}\n`;
    case 'account':
      return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${d.name}\n${ns(d.ns)}${d.id === undefined ? '' : `  annotations:\n    azure.workload.identity/client-id: "${guid(d.id)}"\n`}`;
    case 'keda':
      return `apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: auth-${i}\n${ns(d.ns)}spec:\n  podIdentity:\n    provider: azure\n`;
    case 'config':
      return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n${ns(d.ns)}data:\n  note: |\n    ${d.id === undefined ? 'nothing to see' : `client ${guid(d.id)}`}\n`;
    case 'exception':
      return `apiVersion: aadpodidentity.k8s.io/v1\nkind: AzurePodIdentityException\nmetadata:\n  name: exception-${i}\nspec:\n  podLabels:\n    app: w-0\n`;
    case 'broken':
      return `apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n`;
    case 'migrated':
      return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: m-${i}\n${ns(d.ns)}  labels:\n    azure.workload.identity/use: "true"\nspec:\n  serviceAccountName: ${d.sa}\n  containers:\n    - name: app\n      image: app:${i}\n`;
  }
}

const namespace = fc.constantFrom(...NAMESPACES);
const sel = fc.constantFrom(...SELECTORS);
const id = fc.integer({ min: 0, max: 3 });
const account = fc.constantFrom('shared', 'orders-id', 'billing-id', 'default');
const doc: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('workload' as const), kind: fc.constantFrom('Deployment' as const, 'Pod' as const), ns: namespace, sel, sa: fc.option(account, { nil: undefined }), own: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('flex' as const), ns: namespace, sel }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('pair' as const), ns: namespace, sel, id }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('binding' as const), ns: namespace, sel, id }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('account' as const), ns: namespace, name: account, id: fc.option(id, { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('keda' as const), ns: namespace }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('config' as const), ns: namespace, id: fc.option(id, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'exception' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'broken' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('migrated' as const), ns: namespace, sa: account }) },
);

/** Mixed manifests: up to 14 documents spread over up to three files, some without a final line break. */
const workspace = fc
  .record({ docs: fc.array(fc.tuple(doc, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 14 }), trim: fc.boolean() })
  .map(({ docs, trim }) => {
    const files = new Map<string, string[]>();
    docs.forEach(([d, f], i) => files.set(`f${f}.yaml`, [...(files.get(`f${f}.yaml`) ?? []), render(d, i)]));
    return new Map([...files].map(([path, parts], i) => [path, i === 0 && trim ? parts.join('---\n').trimEnd() : parts.join('---\n')]));
  });

function load(files: Map<string, string>): Project {
  const project = new Project();
  for (const [path, text] of files) project.set(path, text);
  return project;
}

describe('fix-all in rounds', () => {
  test('gives what whole passes gave, on generated mixed manifests (workspace and one file)', () => {
    fc.assert(
      fc.property(workspace, (files) => {
        const project = load(files);
        const changed = project.fixAll();
        const reference = load(files);
        assert.deepEqual(changed, fixpoint(reference), 'Project.fixAll');
        for (const path of reference.paths) assert.equal(project.text(path), reference.text(path), `${path} as whole passes leave it`);

        const [path, text] = [...files][0];
        const editor = load(files);
        const one = load(files);
        fixpoint(one, [path], (fix) => fix.edits.every((e) => e.file === path));
        assert.equal(fixFileText(editor.index, path, text), one.text(path), 'fixFileText');
      }),
      { numRuns: Number(process.env.FIXALL_RUNS ?? 150), seed: process.env.FIXALL_SEED ? Number(process.env.FIXALL_SEED) : 10 },
    );
  });

  test('a document no fix involves is analysed once, however many rounds the others take', () => {
    // Three rounds: the Deployment moves to workload identity, then its binding goes, then the
    // identity (its client id is now on the new ServiceAccount). Around it, N ConfigMaps and N
    // KEDA TriggerAuthentications, each fixed in the first round.
    const N = 60;
    const chain = `${bigManifest(1, 'deployments')}---\n${identityWithBinding({ namespace: 'team-0', identity: 'identity-0', binding: 'binding-0', selector: 'id-0', clientID: guid(7) })}`;
    // The ConfigMaps name an identity, so that the pre-scan keeps them (a document it skips is never analysed at all).
    const config = (i: number) => render({ t: 'config', ns: 'team-1' }, i).replace('nothing to see', 'the identity is set elsewhere');
    const others = Array.from({ length: N }, (_, i) => `${config(i)}---\n${render({ t: 'keda', ns: 'team-1' }, i)}`);
    const text = [chain, ...others].join('---\n');
    assert.equal(passesOf(text), 3, 'whole passes take three rounds');
    const project = new Project();
    project.set('big.yaml', text);
    const counts = fixAllAnalysesByKind(project);
    assert.match(project.text('big.yaml')!, /provider: azure-workload/);
    assert.doesNotMatch(project.text('big.yaml')!, /AzureIdentity/, 'the binding and identity went');
    assert.equal(counts.get('ConfigMap'), N, 'each ConfigMap analysed once (whole passes: once per round, 4 times)');
    assert.ok((counts.get('TriggerAuthentication') ?? 0) <= 2 * N, 'each TriggerAuthentication at most twice: before its fix and after');
    const total = [...counts].filter(([k]) => k !== 'text').reduce((n, [, c]) => n + c, 0);
    assert.ok(total <= 3 * N + 12, `at most ${3 * N + 12} document analyses for ${2 * N + 3} documents, not one per document per round (${total})`);
  });
});

/** Runs the project's fix-all and counts its document analyses by the kind of the document's first object ('text': the text rules). */
function fixAllAnalysesByKind(project: Project): Map<string, number> {
  const counts = new Map<string, number>();
  const stop = observeFixAllAnalyses((path, at) => {
    // The kind of the document analysed, in the file as the round reads it.
    const kind = at === 'text' ? 'text' : (project.file(path)!.docs.find((d) => d.start === at)?.objects[0]?.kind ?? '');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  });
  try {
    project.fixAll();
  } finally {
    stop();
  }
  return counts;
}

describe('fix-all in rounds, on the benchmark\'s manifest', () => {
  test('a workload is analysed before its fix and after it, not again each time the file of its annotated account changes; an identity not every round', () => {
    // 100 Deployments (each creates its ServiceAccount in this file, then reads it), 100
    // TriggerAuthentications, 50 identity pairs, 100 ConfigMaps; rounds: migrate, retire the bindings, then the identities.
    const project = new Project();
    project.set('big.yaml', benchManifest(400));
    const counts = fixAllAnalysesByKind(project);
    assert.doesNotMatch(project.text('big.yaml')!, /aadpodidbinding|AzureIdentity/, 'everything migrated');
    // Whole-file dependencies analysed each Deployment 4 times, each AzureIdentity 3 times.
    assert.ok(counts.get('Deployment')! <= 2 * 100, `Deployments analysed ${counts.get('Deployment')} times`);
    assert.ok(counts.get('TriggerAuthentication')! <= 2 * 100, `TriggerAuthentications analysed ${counts.get('TriggerAuthentication')} times`);
    assert.ok(counts.get('AzureIdentity')! <= 2 * 50 + 1, `AzureIdentities analysed ${counts.get('AzureIdentity')} times`);
  });
});

/** How many passes that change something whole passes take on the file. */
function passesOf(text: string): number {
  const project = new Project();
  project.set('big.yaml', text);
  let checks = 0;
  const check = project.check.bind(project);
  project.check = (path) => {
    checks++;
    return check(path);
  };
  fixpoint(project);
  return checks - 1;
}
