import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { collectFiles } from '../../src/cli/files';
import { runCli } from '../../src/cli/main';
import { activationEvents, documentKindOf, FILE_KINDS, fileKindOf, globToRegExp, isOfKind, ourFileKinds, searchGlobs } from '../../src/core/fileKinds';
import { RULES } from '../../src/core/rules';

const kindOf = (path: string) => fileKindOf(path)?.id;

describe('file kinds', () => {
  test('a path is of the first kind whose glob matches it, with / or \\ separators, as a path or a URI', () => {
    assert.equal(kindOf('chart/templates/_helpers.tpl'), 'helm-helper');
    assert.equal(kindOf('file:///w/chart/templates/deployment.yaml'), 'helm-template');
    assert.equal(kindOf('chart/templates/sub/config.tpl'), 'helm-template');
    assert.equal(kindOf('C:\\w\\chart\\templates\\NOTES.yaml'), 'helm-template');
    assert.equal(kindOf('templates/ingress.yml'), 'helm-template');
    assert.equal(kindOf('overlays/prod/kustomization.yaml'), 'kustomization');
    assert.equal(kindOf('chart/values.yaml'), 'chart-values');
    assert.equal(kindOf('chart/values-prod.yml'), 'chart-values');
    assert.equal(kindOf('manifests/DEPLOY.YAML'), 'manifest');
    assert.equal(kindOf('.github/workflows/deploy.yml'), 'github-workflow');
    assert.equal(kindOf('.github/deploy.yml'), 'manifest');
    assert.equal(kindOf('ci/azure-pipelines.yml'), 'azure-pipelines');
    assert.equal(kindOf('.gitlab-ci.yml'), 'gitlab-ci');
    assert.equal(kindOf('deploy.sh'), 'shell-script');
    assert.equal(kindOf('scripts\\Setup.PS1'), 'powershell');
    assert.equal(kindOf('deploy.shx'), undefined);
    assert.equal(kindOf('infra/modules/aks.bicep'), 'bicep');
    assert.equal(kindOf('infra/azuredeploy.json'), 'arm-template');
  });

  test('testing only the kinds whose extensions a path ends in gives the kind that testing every glob gives', () => {
    const byGlobs = (path: string) => FILE_KINDS.find((k) => globToRegExp(k.glob).test(path.replace(/\\/g, '/')))?.id;
    const piece = fc.constantFrom('a', '/', '\\', 'templates', '_', '.', '.yaml', '.YML', '.tpl', '.json', '.bicep', '.sh', '.ps1', 'values', '-', 'kustomization', 'Kustomization', 'azure-pipelines', '.github/workflows', '.gitlab-ci', 'file://');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (pieces) => {
        const path = pieces.join('');
        assert.equal(kindOf(path), byGlobs(path), path);
      }),
      { numRuns: 3000 },
    );
  });

  test('a JSON file is an ARM template when its text names a deployment template schema, whatever its name', () => {
    const arm = FILE_KINDS.find((k) => k.id === 'arm-template')!;
    // The path makes a JSON file a candidate; the text decides, by a search and no parse.
    assert.equal(kindOf('chart/values.schema.json'), 'arm-template');
    assert.equal(isOfKind(arm, '{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object" }'), false);
    assert.equal(isOfKind(arm, '{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n  "resources": []\n}'), true);
    assert.equal(isOfKind(arm, '{ "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#" }'), true);
    // Kinds without a content test take every text.
    assert.equal(isOfKind(FILE_KINDS.find((k) => k.id === 'bicep')!, ''), true);
    // A text given lazily is read only for a kind with a content test.
    let reads = 0;
    const read = (text: string) => () => (reads++, text);
    assert.equal(isOfKind(FILE_KINDS.find((k) => k.id === 'manifest')!, read('')), true);
    assert.equal(reads, 0);
    assert.equal(isOfKind(arm, read('{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#" }')), true);
    assert.equal(reads, 1);
  });

  test('a .tpl outside a chart\'s templates/ is not ours, whatever its language', () => {
    assert.equal(kindOf('snippets/header.tpl'), undefined);
    assert.equal(kindOf('mytemplates/x.tpl'), undefined);
    assert.equal(documentKindOf('/w/snippets/header.tpl', 'helm'), undefined);
    assert.equal(documentKindOf('/w/chart/templates/_helpers.tpl', 'plaintext')?.id, 'helm-helper');
  });

  test('an editor document is of its path\'s kind when its language is ours, of its language\'s when its path names no kind', () => {
    assert.equal(documentKindOf('/w/deploy.yaml', 'yaml')?.id, 'manifest');
    assert.equal(documentKindOf('/w/chart/templates/web.yaml', 'helm')?.id, 'helm-template');
    assert.equal(documentKindOf('Untitled-1', 'yaml')?.id, 'manifest');
    assert.equal(documentKindOf('/w/deploy.yaml.j2', 'yaml')?.id, 'manifest');
    // VS Code gives compose.yaml a language of its own: it is no manifest.
    assert.equal(documentKindOf('/w/compose.yaml', 'dockercompose'), undefined);
    assert.equal(documentKindOf('/w/notes.txt', 'plaintext'), undefined);
  });

  test('globs read as VS Code reads them: ** any folders, * within a name, {a,b} either', () => {
    const re = globToRegExp('**/{values,values-*}.{yaml,yml}');
    assert.ok(re.test('values.yaml') && re.test('a/b/values-x.yml') && re.test('file:///a/values.yaml'));
    assert.ok(!re.test('a/myvalues.yaml') && !re.test('a/values.yaml/x') && !re.test('values-a/b.yaml'));
    // Case-insensitive, dot files included, ** in the middle of a path, ? one character of a name.
    assert.ok(re.test('A/VALUES.YML') && globToRegExp('**/*.yaml').test('.config/.app.yaml'));
    const templates = globToRegExp('**/templates/**/_*.{tpl,yaml,yml}');
    assert.ok(templates.test('/w/chart/templates/_helpers.tpl') && templates.test('templates/a/b/_x.yaml'));
    assert.ok(!templates.test('mytemplates/_x.tpl') && !templates.test('templates/x.tpl') && !templates.test('templates/a/_x.txt'));
    assert.ok(globToRegExp('a/?.yaml').test('a/1.yaml') && !globToRegExp('a/?.yaml').test('a/12.yaml') && !globToRegExp('a/?.yaml').test('a//.yaml'));
    assert.ok(globToRegExp('charts/**').test('charts') && globToRegExp('charts/**').test('charts/a/b') && !globToRegExp('charts/**').test('chartsx'));
    // Other regular expression characters are literal; glob syntax the kinds do not use is refused.
    assert.ok(globToRegExp('**/a+b(1).yaml').test('x/a+b(1).yaml') && !globToRegExp('**/a+b(1).yaml').test('x/aab1.yaml'));
    assert.throws(() => globToRegExp('**/[ab].yaml'), /Unsupported glob syntax/);
    assert.throws(() => globToRegExp('**/{a,{b,c}}.yaml'), /Unsupported glob syntax/);
  });

  test('the files that are ours are the kinds some rule reads; activation events follow from them', () => {
    assert.deepEqual(ourFileKinds(RULES).map((k) => k.id), FILE_KINDS.map((k) => k.id));
    // Templates activate the extension by the Bicep and ARM Tools languages and the usual template
    // names, never on every JSON document or every workspace with a JSON file.
    const events = activationEvents(ourFileKinds(RULES));
    for (const event of ['onLanguage:bicep', 'onLanguage:arm-template', 'workspaceContains:**/*.bicep', 'workspaceContains:**/{azuredeploy*,main,template,*.template,*.deploy}.json']) assert.ok(events.includes(event), event);
    assert.deepEqual(events.filter((e) => /json$/.test(e) && !e.includes('{')), []);
    assert.deepEqual(ourFileKinds([{ fileKinds: ['helm-helper'] }]).map((k) => k.id), ['helm-helper']);
    assert.deepEqual(activationEvents(ourFileKinds([{ fileKinds: ['manifest'] }])), ['onLanguage:yaml', 'workspaceContains:**/*.{yaml,yml}']);
    // The editor's index searches and watches with one glob over the extensions, then keeps what is of our kinds.
    // A kustomization may be named `Kustomization`, without an extension: its kind's glob is searched too.
    assert.deepEqual(searchGlobs(FILE_KINDS), ['**/*.{sh,bash,ps1,yml,yaml,tpl,bicep,json}', '**/{kustomization.yaml,kustomization.yml,Kustomization}']);
    assert.equal(fileKindOf('overlays/prod/Kustomization')?.id, 'kustomization');
    assert.deepEqual(searchGlobs([{ id: 'k', description: '', syntax: 'yaml', glob: '**/*.yaml' }, { id: 'k', description: '', syntax: 'yaml', glob: '**/Tiltfile' }]), ['**/*.{yaml}', '**/Tiltfile']);
  });

  test('the CLI walks into files of our kinds only, deciding templates/ on the absolute path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-kinds-'));
    mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
    mkdirSync(join(dir, 'snippets'));
    for (const f of ['chart/templates/_helpers.tpl', 'chart/templates/web.yaml', 'chart/values.yaml', 'snippets/header.tpl', 'deploy.sh', 'deploy.txt', 'README.md']) {
      writeFileSync(join(dir, f), 'aadpodidbinding: [\n');
    }
    assert.deepEqual(collectFiles(['.'], dir), [join('chart', 'templates', '_helpers.tpl'), join('chart', 'templates', 'web.yaml'), join('chart', 'values.yaml'), 'deploy.sh']);
    assert.deepEqual(collectFiles(['.'], join(dir, 'chart', 'templates')), ['_helpers.tpl', 'web.yaml']);
    // A file named on the command line is read whatever its name.
    assert.deepEqual(collectFiles(['snippets/header.tpl'], dir), ['snippets/header.tpl']);
    // Unparsable, so reported if read: walked into, it is not; named, it is.
    assert.equal(runCli(['check', '.', '--format', 'json'], join(dir, 'snippets')).stdout, '[]\n');
    assert.match(runCli(['check', 'header.tpl', '--format', 'json'], join(dir, 'snippets')).stdout, /unparsable-document/);
  });
});
