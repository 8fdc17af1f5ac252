import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFile, Project } from '../../../src/core/engine';
import { parseManifestFile } from '../../../src/core/model';
import { kedaPodIdentityProvider } from '../../../src/core/rules/keda-pod-identity-provider';
import { unparsableDocument } from '../../../src/core/rules/unparsable-document';
import { WorkspaceIndex } from '../../../src/core/workspace';
import { ruleTester } from '../../support/rule-tester';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  currency: EUR\n';

const kedaAuth = `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: queue-auth
spec:
  podIdentity:
    provider: azure
`;

ruleTester(unparsableDocument, {
  valid: [
    // Nothing of pod or workload identity in it: the pre-scan leaves it unparsed, so it is not reported.
    { name: 'a broken document the pre-scan skips', code: 'apiVersion: v1\nkind: ConfigMap\ndata:\n\tcurrency: EUR\n' },
    { name: 'a manifest', code: configMap },
    { name: 'an empty file', code: '' },
    { name: 'a file of only comments', code: '# nothing here yet\n# really\n' },
    { name: 'an empty document between markers', code: `---\n---\n${configMap}` },
    { name: 'Helm values', code: 'image:\n  repository: contoso.azurecr.io/web\n  tag: "2.3"\npodIdentity: shop-web\n' },
    { name: 'a GitHub workflow with ${{ }} expressions', code: 'on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n' },
    { name: 'docker-compose', code: 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n' },
    { name: 'duplicate keys parse (the document is still analysed)', code: `${configMap}data:\n  currency: USD\n` },
    { name: 'a Helm template that parses once masked', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include "labels" . | nindent 4 }}\n' },
  ],
  invalid: [
    {
      name: 'an unclosed quote is reported where the quote opens',
      code: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: "settings\ndata:\n  currency: EUR\n',
      errors: [{ line: 4, text: 'name: "settings', message: /^This YAML document could not be parsed \(Missing closing "quote\); nothing in it was checked\.$/ }],
      output: null,
    },
    {
      name: 'bad indentation: one finding for several errors',
      code: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: settings\n    labels: x\n  y: : z\n',
      errors: [{ line: 4, message: /Nested mappings are not allowed in compact mappings/ }],
      output: null,
    },
    {
      name: 'items not aligned',
      code: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: settings\n labels: x\n',
      errors: [{ line: 5, text: 'labels: x', message: /All mapping items must start at the same column/ }],
      output: null,
    },
    {
      name: 'a tab as indentation is named',
      code: 'apiVersion: v1\nkind: ServiceAccount\ndata:\n\tcurrency: EUR\n',
      errors: [{ line: 4, text: 'currency: EUR', message: /Tabs are not allowed as indentation.*Line 4 is indented with a tab: YAML allows only spaces/ }],
      output: null,
    },
    {
      name: 'a Helm template that still fails after masking says so',
      code: 'apiVersion: v1\nkind: ServiceAccount\ndata:\n  key: {{ .Values.a }}: {{ .Values.b }}\n',
      errors: [{ line: 4, message: /could not be parsed.*The file is a Helm template.*could only partly read it/ }],
      output: null,
    },
    {
      name: 'a broken GitHub workflow is not called a Helm template',
      code: 'on: [push]\njobs:\n  build:\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n     - run: ls\n',
      errors: [{ line: 6, message: /^(?!.*Helm).*could not be parsed/ }],
      output: null,
    },
    {
      name: 'an unclosed flow map',
      code: 'apiVersion: v1\nkind: ServiceAccount\ndata: {currency: EUR\n',
      errors: [{ line: 3, text: 'data: {currency: EUR' }],
      output: null,
    },
    {
      name: 'only the broken documents of a file, each once; CRLF',
      code: `${configMap}---\nkind: AzureIdentity\n  x: : y\n---\n${configMap}---\nkind: ServiceAccount\nname: "open\n`.replace(/\n/g, '\r\n'),
      errors: [{ line: 8, text: 'kind: AzureIdentity' }, { line: 19, text: 'name: "open' }],
      output: null,
    },
    {
      name: 'flow style document cut short, 4-space indentation around it',
      code: `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n    name: settings\n---\n{apiVersion: v1, kind: ServiceAccount, metadata: {name: x}\n`,
      errors: [{ line: 6 }],
      output: null,
    },
  ],
});

test('unparsable-document: the other documents of the file are still analysed', () => {
  const project = new Project();
  project.set('mixed.yaml', `apiVersion: v1\nkind: ServiceAccount\ndata:\n\tcurrency: EUR\n---\n${kedaAuth}`);
  const findings = project.check('mixed.yaml').filter((f) => f.ruleId === unparsableDocument.id || f.ruleId === kedaPodIdentityProvider.id);
  assert.deepEqual(findings.map((f) => f.ruleId), [unparsableDocument.id, kedaPodIdentityProvider.id]);
});

test('unparsable-document: a chart helper (templates/_*.tpl) is never rendered as a whole, so its text is not reported', () => {
  const helper = 'Notes for maintainers: key: value: broken\n\t- not yaml\n{{- define "shop.labels" }}\napp: shop\n{{- end }}\n';
  const project = new Project();
  project.set('chart/templates/_helpers.tpl', helper);
  project.set('chart/templates/broken.yaml', helper);
  assert.deepEqual(project.check('chart/templates/_helpers.tpl').map((f) => f.ruleId), []);
  assert.deepEqual(project.check('chart/templates/broken.yaml').map((f) => f.ruleId), ['unparsable-document']);
});

test('unparsable-document: never offers a fix and is not deprecated', () => {
  const project = new Project();
  project.set('bad.yaml', 'aadpodidbinding: "open\n');
  const [finding] = project.check('bad.yaml').filter((f) => f.ruleId === unparsableDocument.id);
  assert.equal(finding.fix, undefined);
  assert.equal(finding.deprecated, undefined);
  assert.equal(finding.severity, 'warning');
});

test('unparsable-document: 20,000 documents, one broken, do not crash', () => {
  const docs = Array.from({ length: 20000 }, (_, i) => (i === 12345 ? 'kind: ServiceAccount\ndata:\n\tbroken: yes\n' : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n`));
  const file = parseManifestFile('huge.yaml', docs.join('---\n'));
  const index = new WorkspaceIndex();
  index.update(file);
  const findings = checkFile(file, index, {}, [unparsableDocument, kedaPodIdentityProvider]);
  assert.equal(findings.length, 1);
  assert.equal(file.text.slice(findings[0].start, findings[0].end), 'broken: yes');
});

test('unparsable-document: 20,000 broken documents give 20,000 findings', () => {
  const file = parseManifestFile('huge.yaml', Array.from({ length: 20000 }, (_, i) => `kind: ServiceAccount\ndata:\n\tn: "${i}"\n`).join('---\n'));
  const findings = checkFile(file, new WorkspaceIndex(), {}, [unparsableDocument]);
  assert.equal(findings.length, 20000);
  assert.match(findings[19999].message, /Line 79999 is indented with a tab/);
});
