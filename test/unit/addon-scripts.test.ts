import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { clientIdsToRead } from '../../src/core/addon-client-ids';
import { Project } from '../../src/core/engine';
import { lookupIdentity } from '../../src/core/lookup';
import { addonDeclarationsOf } from '../../src/core/scripts/commands';
import { readPipeline } from '../../src/core/scripts/pipelines';
import { readPowerShell } from '../../src/core/scripts/powershell';
import { readShell } from '../../src/core/scripts/shell';
import type { ScriptModel } from '../../src/core/scripts/script';

const ROOT = join(__dirname, '..', '..', '..');

/** Each command as its words' values (`?` where the script does not spell the value out); a bare word's offsets point at its value in the file. */
function commandsOf(model: ScriptModel, text: string): string[][] {
  return model.commands.map((c) => {
    for (const w of c.words) if (w.value !== undefined && /^[\w./-]+$/.test(w.value) && !/["'$]/.test(w.text)) assert.equal(text.slice(w.start, w.end), w.value, 'a word\'s offsets point at it in the file');
    return c.words.map((w) => w.value ?? '?');
  });
}

describe('the shell reader', () => {
  test('reads commands over continuation lines, resolves variables assigned once, and leaves others out', () => {
    const text = 'RG=shop-rg\nexport NS="shop"\nN=a\nN=b\naz aks pod-identity add -g "$RG" \\\n  --namespace ${NS} --name $N --x "$(date)" \'lit\'\n';
    // The command inside $(…) is a command of its own.
    assert.deepEqual(commandsOf(readShell(text), text), [['az', 'aks', 'pod-identity', 'add', '-g', 'shop-rg', '--namespace', 'shop', '--name', '?', '--x', '?', 'lit'], ['date']]);
    const add = readShell(text).commands[0];
    assert.equal(text.slice(add.start, add.end), text.slice(text.indexOf('az aks'), text.lastIndexOf("'lit'") + 5));
    assert.equal(add.words[5].variable, 'RG');
  });

  test('offsets count UTF-16 units, not the parser\'s UTF-8 bytes', () => {
    const text = 'echo "héllo wörld 🚀"\naz aks pod-identity delete --name orders\n';
    const del = readShell(text).commands[1];
    assert.equal(text.slice(del.start, del.end), 'az aks pod-identity delete --name orders');
    assert.deepEqual(del.words.map((w) => w.text), ['az', 'aks', 'pod-identity', 'delete', '--name', 'orders']);
  });

  test('here-documents are read with the command that reads them; a script that does not parse has no commands', () => {
    const text = 'kubectl apply -f - <<EOF\nkind: AzureIdentity\nEOF\n';
    assert.deepEqual(readShell(text).commands[0].heredocs.map((h) => h.text), ['kind: AzureIdentity\n']);
    assert.deepEqual(readShell('if then fi\naz aks pod-identity add --name x\n').commands, []);
  });
});

describe('the PowerShell reader', () => {
  test('joins backtick continuations and resolves $Name = \'value\' assigned once, case-insensitively', () => {
    const text = "$RG = 'shop-rg'\n$Id = \"/sub/$rg/x\"\naz aks pod-identity add `\n  --resource-group $RG `\n  --identity-resource-id $ID --name 'it''s'\n";
    assert.deepEqual(commandsOf(readPowerShell(text), text), [['az', 'aks', 'pod-identity', 'add', '--resource-group', 'shop-rg', '--identity-resource-id', '/sub/shop-rg/x', '--name', "it's"]]);
  });

  test('gives up on a statement it cannot read rather than guess: sub-expressions, script blocks, here-strings, escapes', () => {
    const text = [
      'az aks pod-identity add --name $(Get-Name)',
      'if ($x) { az aks pod-identity delete --name a }',
      '$y = @"',
      'az aks pod-identity add --name inside-a-string',
      '"@',
      'az aks pod-identity add --name "a`tb"',
      'az aks show -n x; az aks pod-identity delete --name ok',
    ].join('\n');
    assert.deepEqual(commandsOf(readPowerShell(text), text), [['az', 'aks', 'pod-identity', 'add', '--name', '?'], ['az', 'aks', 'show', '-n', 'x'], ['az', 'aks', 'pod-identity', 'delete', '--name', 'ok']]);
  });
});

describe('the pipeline reader', () => {
  test('reads an AzureCLI@2 inlineScript block at file offsets, CRLF included; a folded block is not read', () => {
    const yaml = [
      'steps:',
      '  - task: AzureCLI@2',
      '    inputs:',
      '      scriptType: bash',
      '      inlineScript: |',
      '        az aks pod-identity add -g rg \\',
      '          --name orders --namespace shop',
      '  - bash: >',
      '      az aks pod-identity delete --name folded',
      '  - pwsh: az aks pod-identity delete --name fromPwsh',
      '',
    ];
    for (const eol of ['\n', '\r\n']) {
      const text = yaml.join(eol);
      assert.deepEqual(commandsOf(readPipeline('azure-pipelines', text), text), [
        ['az', 'aks', 'pod-identity', 'add', '-g', 'rg', '--name', 'orders', '--namespace', 'shop'],
        ['az', 'aks', 'pod-identity', 'delete', '--name', 'fromPwsh'],
      ]);
    }
  });

  test('GitHub Actions run steps (by their shell) and GitLab CI script lists', () => {
    const gh = 'jobs:\n  a:\n    steps:\n      - run: az aks pod-identity delete --name a\n      - shell: cmd\n        run: az aks pod-identity delete --name b\n';
    assert.deepEqual(commandsOf(readPipeline('github-workflow', gh), gh).map((c) => c[5]), ['a']);
    const gl = 'job:\n  before_script: [az aks pod-identity delete --name a]\n  script:\n    - echo hi\n    - az aks pod-identity delete --name b\n';
    assert.deepEqual(commandsOf(readPipeline('gitlab-ci', gl), gl), [['az', 'aks', 'pod-identity', 'delete', '--name', 'a'], ['echo', 'hi'], ['az', 'aks', 'pod-identity', 'delete', '--name', 'b']]);
  });
});

describe('the add-on\'s pod identities in the index', () => {
  const script = 'ID=/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id\naz aks pod-identity add -g rg --cluster-name c --namespace shop --name orders --binding-selector orders-app --identity-resource-id "$ID"\n';

  test('a script\'s az aks pod-identity add declares its binding selector, namespace and resource id', () => {
    assert.deepEqual(addonDeclarationsOf(readShell(script)).identities.map((i) => ({ ...i, start: 0, end: 0 })), [
      { name: 'orders', namespace: 'shop', bindingSelector: 'orders-app', resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id', cluster: { resourceGroup: 'rg', name: 'c' }, start: 0, end: 0 },
    ]);
  });

  test('a pod\'s label is followed to the command in its own namespace only; the CLI line reads the client id', () => {
    const project = new Project();
    project.set('ops/setup.sh', script);
    const found = lookupIdentity(project.index, 'orders-app', 'shop');
    assert.equal(found.identity?.resourceID, '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id');
    assert.equal(found.clientId, undefined);
    assert.match(found.problem!, /pod identity shop\/orders of the AKS add-on \(setup\.sh\) names its managed identity by resource id only/);
    assert.deepEqual(found.related.map((r) => [r.file, script.slice(r.start, r.end).split(' ').slice(0, 4).join(' ')]), [['ops/setup.sh', 'az aks pod-identity add']]);
    // The add-on binds in its own namespace: a pod elsewhere with that label is not its.
    assert.match(lookupIdentity(project.index, 'orders-app', 'other').problem!, /no AzureIdentityBinding with selector "orders-app"/);
    assert.equal(lookupIdentity(project.index, 'orders', 'shop').identity, undefined, 'the binding selector, not the name, selects');
    project.set('k8s/pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  labels:\n    aadpodidbinding: orders-app\nspec:\n  containers: [{name: c, image: i}]\n');
    assert.deepEqual(clientIdsToRead(project.index).map((r) => r.command), ['az identity show --ids /subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id --query clientId -o tsv']);
    project.set('ops/setup.sh', '');
    assert.deepEqual(clientIdsToRead(project.index), [], 'updated with the script');
  });
});

describe('fixed scripts still parse', () => {
  const scripts = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\/after\/.*\.(sh|bash)$|\.fixed\.(sh|bash)$/.test(`/${f}`)).map((f) => join(dir, f));
  const fixed = [...scripts(join(ROOT, 'test', 'repos')), ...scripts(join(ROOT, 'test', 'fixtures'))];

  test('every fixed shell script of the repositories and fixtures parses with the shell parser and bash -n', () => {
    assert.ok(fixed.length >= 3, `found ${fixed.length}`);
    for (const file of fixed) {
      const text = readFileSync(file, 'utf8');
      assert.ok(readShell(text).commands.length > 0, `${file} parses`);
      const bash = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      assert.equal(bash.status, 0, `bash -n ${file}: ${bash.stderr}`);
    }
  });
});

describe('removing a kubectl apply step of a file the migration emptied', () => {
  const stepsWithFix = (kind: string, script: string) => {
    const project = new Project();
    project.set('k8s/identity.yaml', '# emptied\n---\n');
    project.set('k8s/app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    project.set(kind, script);
    return project.check(kind).filter((f) => f.ruleId === 'script-kubectl-apply').map((f) => [script.slice(f.start, f.end), f.fix ? project.fixAll().get(kind) ?? script : undefined]);
  };

  test('a statement on lines of its own goes, and the script still passes bash -n', () => {
    const script = '#!/bin/bash\nset -e\nkubectl apply \\\n  -f k8s/identity.yaml   # identities\nkubectl apply -f k8s/app.yaml\n';
    const [[head, fixed]] = stepsWithFix('deploy.sh', script);
    assert.equal(head, 'kubectl apply');
    assert.equal(fixed, '#!/bin/bash\nset -e\nkubectl apply -f k8s/app.yaml\n');
    assert.equal(spawnSync('bash', ['-n'], { input: fixed, encoding: 'utf8' }).status, 0);
  });

  test('no fix where removing it would join, break or empty something; nor for a file that still holds an object', () => {
    for (const script of [
      'kubectl apply -f k8s/identity.yaml && echo done\n',
      'echo start &&\nkubectl apply -f k8s/identity.yaml\necho x\n',
      'if true; then\n  kubectl apply -f k8s/identity.yaml\nfi\n',
      'deploy() {\n  kubectl apply -f k8s/identity.yaml\n}\n',
      'kubectl apply -f k8s/identity.yaml -f k8s/app.yaml\n',
    ]) {
      const found = stepsWithFix('deploy.sh', script);
      assert.equal(found.length, script.includes('app.yaml') ? 0 : 1, script);
      if (found.length) assert.equal(found[0][1], undefined, `no fix: ${script}`);
    }
  });

  test('in a pipeline: a line of a block scalar with other lines goes and the file stays valid YAML; a one-line step or the block\'s only line stays', () => {
    const workflow = (run: string) => `on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`;
    const [[, fixed]] = stepsWithFix('.github/workflows/deploy.yml', workflow('|\n          kubectl apply -f k8s/identity.yaml\n          kubectl apply -f k8s/app.yaml'));
    assert.equal(fixed, workflow('|\n          kubectl apply -f k8s/app.yaml'));
    assert.deepEqual(stepsWithFix('.github/workflows/deploy.yml', workflow('kubectl apply -f k8s/identity.yaml')).map(([, f]) => f), [undefined]);
    assert.deepEqual(stepsWithFix('.github/workflows/deploy.yml', workflow('|\n          kubectl apply -f k8s/identity.yaml')).map(([, f]) => f), [undefined]);
  });
});
