import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Project } from '../../src/core/engine';
import { assertChangesCompose } from '../support/changes';

/**
 * Property tests: generated workspaces in many layouts (indentation, sequence style, flow maps,
 * CRLF, BOM, comments, quoting). Whatever the layout, fix-all must give YAML that parses, leave
 * nothing fixable, and be idempotent; checking must never throw.
 */
interface Layout {
  indent: number;
  flushSeq: boolean;
  crlf: boolean;
  bom: boolean;
  quote: '' | '"' | "'";
  flowLabels: boolean;
  comments: boolean;
}

const layout = fc.record<Layout>({
  indent: fc.constantFrom(2, 4),
  flushSeq: fc.boolean(),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  quote: fc.constantFrom('', '"', "'"),
  flowLabels: fc.boolean(),
  comments: fc.boolean(),
});

const selector = fc.constantFrom('orders', 'billing', 'shop-web', 'unknown-id');
const namespace = fc.constantFrom('orders', 'billing', undefined);

function render(lines: Array<[number, string]>, l: Layout): string {
  const eol = l.crlf ? '\r\n' : '\n';
  return lines.map(([depth, text]) => ' '.repeat(depth * l.indent) + text).join(eol) + eol;
}

function q(l: Layout, v: string): string {
  return `${l.quote}${v}${l.quote}`;
}

function workload(l: Layout, kind: string, name: string, ns: string | undefined, sel: string, extra: { sa?: string; wiAnnotation?: boolean }): string {
  const c = (s: string) => (l.comments ? `${s} # note` : s);
  const lines: Array<[number, string]> = [
    [0, 'apiVersion: apps/v1'],
    [0, `kind: ${kind}`],
    [0, 'metadata:'],
    [1, `name: ${name}`],
    ...(ns ? ([[1, `namespace: ${ns}`]] as Array<[number, string]>) : []),
    [1, 'labels:'],
    [2, c(`aadpodidbinding: ${q(l, sel)}`)],
    [0, 'spec:'],
  ];
  const tpl: Array<[number, string]> = [
    [0, 'metadata:'],
    ...(l.flowLabels
      ? ([[1, `labels: {app: ${name}, aadpodidbinding: ${q(l, sel)}}`]] as Array<[number, string]>)
      : ([[1, 'labels:'], [2, `app: ${name}`], [2, c(`aadpodidbinding: ${q(l, sel)}`)]] as Array<[number, string]>)),
    ...(extra.wiAnnotation ? ([[1, 'annotations:'], [2, 'azure.workload.identity/use: "true"']] as Array<[number, string]>) : []),
    [0, 'spec:'],
    ...(extra.sa ? ([[1, `serviceAccountName: ${extra.sa}`]] as Array<[number, string]>) : []),
    [1, 'containers:'],
    [l.flushSeq ? 1 : 2, '- name: app'],
    // A sequence item's keys line up after its "- ".
    [l.flushSeq ? 1 : 2, '  image: contoso.azurecr.io/app:1'],
  ];
  const base = kind === 'CronJob' ? 3 : 2;
  if (kind === 'CronJob') lines.push([1, 'schedule: "0 * * * *"'], [1, 'jobTemplate:'], [2, 'spec:'], [3, 'template:']);
  else lines.push([1, 'selector:'], [2, 'matchLabels:'], [3, `app: ${name}`], [1, 'template:']);
  return render([...lines, ...tpl.map(([d, t]) => [d + base, t] as [number, string])], l);
}

function identity(l: Layout, sel: string, ns: string | undefined, capitalised: boolean): string {
  const f = (k: string) => (capitalised ? k[0].toUpperCase() + k.slice(1) : k);
  return render(
    [
      [0, 'apiVersion: aadpodidentity.k8s.io/v1'],
      [0, 'kind: AzureIdentity'],
      [0, 'metadata:'],
      [1, `name: ${sel}-identity`],
      ...(ns ? ([[1, `namespace: ${ns}`]] as Array<[number, string]>) : []),
      [0, 'spec:'],
      [1, `${f('type')}: 0`],
      [1, `${f('clientID')}: ${q(l, '11111111-2222-4333-8444-555555555555')}`],
    ],
    l,
  ) + '---' + (l.crlf ? '\r\n' : '\n') + render(
    [
      [0, 'apiVersion: aadpodidentity.k8s.io/v1'],
      [0, 'kind: AzureIdentityBinding'],
      [0, 'metadata:'],
      [1, `name: ${sel}-binding`],
      ...(ns ? ([[1, `namespace: ${ns}`]] as Array<[number, string]>) : []),
      [0, 'spec:'],
      [1, `${f('azureIdentity')}: ${sel}-identity`],
      [1, `${f('selector')}: ${q(l, sel)}`],
    ],
    l,
  );
}

function others(l: Layout, ns: string | undefined): string {
  const nsLine: Array<[number, string]> = ns ? [[1, `namespace: ${ns}`]] : [];
  return render([[0, 'apiVersion: keda.sh/v1alpha1'], [0, 'kind: TriggerAuthentication'], [0, 'metadata:'], [1, 'name: auth'], ...nsLine, [0, 'spec:'], [1, 'podIdentity:'], [2, `provider: ${q(l, 'azure')}`]], l) +
    `---${l.crlf ? '\r\n' : '\n'}` +
    render([[0, 'apiVersion: secrets-store.csi.x-k8s.io/v1'], [0, 'kind: SecretProviderClass'], [0, 'metadata:'], [1, 'name: kv'], ...nsLine, [0, 'spec:'], [1, 'provider: azure'], [1, 'parameters:'], [2, 'usePodIdentity: "true"']], l);
}

const workspace = fc
  .record({
    l: layout,
    workloads: fc.array(
      fc.record({
        kind: fc.constantFrom('Deployment', 'StatefulSet', 'CronJob'),
        sel: selector,
        ns: namespace,
        sa: fc.option(fc.constantFrom('app-sa', 'default'), { nil: undefined }),
        wiAnnotation: fc.boolean(),
        sameFile: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    identities: fc.array(fc.record({ sel: selector, ns: namespace, capitalised: fc.boolean() }), { maxLength: 3 }),
    withOthers: fc.boolean(),
  })
  .map(({ l, workloads, identities, withOthers }) => {
    const files = new Map<string, string>();
    const add = (path: string, text: string) => {
      const prev = files.get(path);
      files.set(path, prev === undefined ? (l.bom ? '\uFEFF' : '') + text : `${prev}---${l.crlf ? '\r\n' : '\n'}${text}`);
    };
    workloads.forEach((w, i) => add(w.sameFile ? 'apps.yaml' : `app-${i}.yaml`, workload(l, w.kind, `app-${i}`, w.ns, w.sel, { sa: w.sa, wiAnnotation: w.wiAnnotation })));
    identities.forEach((id, i) => add(`identity-${i}.yaml`, identity(l, id.sel, id.ns, id.capitalised)));
    if (withOthers) add('others.yaml', others(l, workloads[0].ns));
    return files;
  });

test('fix-all on generated workspaces: output parses, nothing fixable is left, and it is idempotent', () => {
  fc.assert(
    fc.property(workspace, (files) => {
      const project = new Project();
      for (const [p, t] of files) project.set(p, t);
      for (const p of project.paths) project.check(p);
      project.fixAll();
      for (const p of project.paths) {
        const broken = project.file(p)!.docs.filter((d) => d.errors.length);
        assert.deepEqual(broken.map((d) => d.errors[0].message), [], `${p} parses after fix-all:\n${project.text(p)}`);
        const left = project.check(p).filter((f) => f.fix);
        assert.deepEqual(left.map((f) => `${f.ruleId}: ${f.message}`), [], `${p}: nothing fixable left:\n${project.text(p)}`);
        const text = project.text(p)!;
        if (files.get(p)!.includes('\r\n')) assert.ok(!/[^\r]\n/.test(text), `${p} keeps CRLF line endings:\n${JSON.stringify(text)}`);
      }
      const again = new Project();
      for (const p of project.paths) again.set(p, project.text(p)!);
      assert.deepEqual([...again.fixAll().keys()], [], 'a second fix-all changes nothing');
    }),
    { numRuns: 150 },
  );
});

test('fix-all as labelled edits on generated workspaces: they compose to fixAll\'s text, and each group can be left out', () => {
  fc.assert(
    fc.property(workspace, (files) => {
      assertChangesCompose(files);
    }),
    { numRuns: 100 },
  );
});

test('checking arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('', 'kind: Deployment\n', 'kind: List\nitems:\n', '{{ .Values.x }}\n'), (junk, prefix) => {
      const project = new Project();
      project.set('junk.yaml', prefix + junk);
      project.check('junk.yaml');
      project.fixAll();
    }),
    { numRuns: 300 },
  );
});
