import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkFile, DEFAULT_REGISTRY, Project, type Registry } from '../../src/core/engine';
import { FILE_KINDS, type FileKind } from '../../src/core/fileKinds';
import type { TextRule } from '../../src/core/rule';
import { WorkspaceIndex } from '../../src/core/workspace';

/** A text kind: shell scripts, never given to the YAML parser. */
const SHELL: FileKind = { id: 'shell-script', description: 'A shell script.', syntax: 'text', glob: '**/*.sh' };

/** A test rule over shell scripts: flags each `az aks pod-identity` call, and fixes `add` to nothing. */
const podIdentityCli: TextRule = {
  id: 'test-pod-identity-cli',
  description: 'A shell script calls az aks pod-identity, which workload identity replaces.',
  severity: 'warning',
  input: 'text',
  fileKinds: ['shell-script'],
  fixable: true,
  check(ctx) {
    for (const m of ctx.text.matchAll(/az aks pod-identity (\w+)[^\n]*\n?/g)) {
      const start = m.index ?? 0;
      const end = start + m[0].trimEnd().length;
      const fix = m[1] === 'add' ? { title: 'Remove the call', label: 'Remove pod-identity call', edits: [{ file: ctx.path, start, end: start + m[0].length, text: '' }] } : undefined;
      ctx.report({ start, end, message: `az aks pod-identity ${m[1]} is AAD Pod Identity.`, ...(fix ? { fix } : {}) });
    }
  },
};

// The shipped rules that read shell scripts are left out: this test is about the engine's dispatch.
const registry: Registry = { rules: [...DEFAULT_REGISTRY.rules.filter((r) => !r.fileKinds.includes('shell-script')), podIdentityCli], kinds: [SHELL, ...FILE_KINDS] };

// Not YAML at all: an unclosed flow sequence and a tab-indented block, which the YAML rules would report.
const SCRIPT = `#!/bin/sh
set -e
[ -n "$RG" ] || { echo "usage: RG=... $0"; exit 2; }
\taz aks pod-identity add --resource-group "$RG" --cluster-name c --namespace shop --name web --identity-resource-id "$ID"
az aks pod-identity list --resource-group "$RG" # wi-migrate-disable-line test-pod-identity-cli
az aks pod-identity delete --resource-group "$RG"
`;

describe('text rules', () => {
  test('a text rule reads a shell script through the engine, with offsets, and no YAML rule sees it', () => {
    const project = new Project({}, registry);
    const file = project.set('deploy/setup.sh', SCRIPT);
    assert.equal(file.kind, 'shell-script');
    assert.deepEqual(file.docs, [], 'the YAML parser never read the script');
    const findings = project.check('deploy/setup.sh');
    assert.deepEqual(
      findings.map((f) => [f.ruleId, SCRIPT.slice(f.start, f.end)]),
      [
        ['test-pod-identity-cli', 'az aks pod-identity add --resource-group "$RG" --cluster-name c --namespace shop --name web --identity-resource-id "$ID"'],
        ['test-pod-identity-cli', 'az aks pod-identity delete --resource-group "$RG"'],
      ],
      'every call but the suppressed one, and nothing from the YAML rules',
    );
    assert.equal(findings[0].severity, 'warning');
  });

  test('a text rule is not run on YAML, nor a YAML rule on text, and severity settings apply to both', () => {
    const project = new Project({ severities: { 'test-pod-identity-cli': 'error' } }, registry);
    project.set('deploy.yaml', 'a: [\n# az aks pod-identity add\n');
    project.set('setup.sh', SCRIPT);
    assert.deepEqual(project.check('deploy.yaml').map((f) => f.ruleId), ['unparsable-document']);
    assert.deepEqual(project.check('setup.sh').map((f) => `${f.ruleId}:${f.severity}`), ['test-pod-identity-cli:error', 'test-pod-identity-cli:error']);
    const off = new Project({ severities: { 'test-pod-identity-cli': 'off' } }, registry);
    off.set('setup.sh', SCRIPT);
    assert.deepEqual(off.check('setup.sh'), []);
  });

  test('fix-all applies a text rule\'s fixes, and checkFile dispatches by the file\'s kind', () => {
    const project = new Project({}, registry);
    project.set('setup.sh', SCRIPT);
    const fixed = project.fixAll().get('setup.sh');
    assert.ok(fixed !== undefined && !fixed.includes('pod-identity add') && fixed.includes('pod-identity delete'));
    assert.deepEqual(project.check('setup.sh').map((f) => f.fix), [undefined]);
    // checkFile runs a rule on the files of the kinds it reads, and on no other.
    const file = project.file('setup.sh')!;
    assert.deepEqual(checkFile(file, new WorkspaceIndex('default'), {}, [podIdentityCli]).length, 1);
    assert.deepEqual(checkFile({ ...file, kind: 'manifest' }, new WorkspaceIndex('default'), {}, [podIdentityCli]), []);
  });
});
