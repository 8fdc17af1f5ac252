import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getNodeValue, parseTree, type ParseError } from 'jsonc-parser';
import { runCli } from '../../src/cli/main';
import { Project } from '../../src/core/engine';
import { readArmTemplate } from '../../src/core/templates/arm';
import { readBicepTemplate } from '../../src/core/templates/bicep';
import { bicepDeclarations } from '../../src/core/templates/bicep-syntax';

const RULE = 'pod-identity-template';

function fixAll(files: Record<string, string>): { project: Project; out: Map<string, string> } {
  const project = new Project();
  for (const [path, text] of Object.entries(files)) project.set(path, text);
  return { project, out: project.fixAll() };
}

/** jsonc-parser's errors for a text: none means it parses. */
function jsonErrors(text: string): ParseError[] {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  return errors;
}

const BICEP_CRLF_TABS = [
  "resource webIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {",
  "\tname: 'id-web'",
  "\tlocation: 'westeurope'",
  '}',
  '',
  "resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {",
  "\tname: 'aks-front'",
  "\tlocation: 'westeurope'",
  '\tproperties: {',
  "\t\tdnsPrefix: 'front'",
  '\t\tsecurityProfile: {}',
  '\t\tpodIdentityProfile: {',
  '\t\t\tenabled: true',
  '\t\t\tuserAssignedIdentities: [',
  '\t\t\t\t{',
  "\t\t\t\t\tname: 'web'",
  "\t\t\t\t\tnamespace: 'front'",
  '\t\t\t\t\tidentity: {',
  '\t\t\t\t\t\tresourceId: webIdentity.id',
  '\t\t\t\t\t}',
  '\t\t\t\t}',
  '\t\t\t]',
  '\t\t}',
  '\t}',
  '}',
  '',
].join('\r\n');

// Pods of the identity's selector that already name their accounts: one credential for each.
const FRONT_PODS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: front
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, aadpodidbinding: web}
    spec:
      serviceAccountName: web-frontend
      containers: [{name: web, image: web:1}]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: sitemap
  namespace: front
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {aadpodidbinding: web}
        spec:
          serviceAccountName: sitemap
          restartPolicy: Never
          containers: [{name: job, image: job:1}]
`;

describe('pod-identity-template fixes', () => {
  test('Bicep: CRLF and tabs are kept, `{}` is filled, each account of the pods gets a credential, chained, and the output reads back without pod identity', () => {
    const { project, out } = fixAll({ 'infra/aks.bicep': BICEP_CRLF_TABS, 'k8s/front.yaml': FRONT_PODS });
    const fixed = out.get('infra/aks.bicep')!;
    assert.ok(fixed, 'the template was fixed');
    assert.doesNotMatch(fixed.replace(/\r\n/g, ''), /\n/, 'every line ends in CRLF');
    assert.doesNotMatch(fixed, /^ +/m, 'indented with tabs only');
    assert.ok(fixed.includes('\t\tsecurityProfile: {\r\n\t\t\tworkloadIdentity: {\r\n\t\t\t\tenabled: true\r\n\t\t\t}\r\n\t\t}\r\n'), fixed);
    assert.ok(fixed.includes('\t\toidcIssuerProfile: {\r\n\t\t\tenabled: true\r\n\t\t}\r\n\t}\r\n}'), fixed);
    assert.ok(!fixed.includes('podIdentityProfile'));
    // The account each pod names, in the identity's namespace; the second credential waits for the first.
    const decls = bicepDeclarations(fixed).filter((d) => d.type?.startsWith('Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@'));
    assert.deepEqual(decls.map((d) => d.symbol), ['webIdentityFederatedCredentialSitemap', 'webIdentityFederatedCredentialWebFrontend']);
    const subjects = [...fixed.matchAll(/subject: '([^']*)'/g)].map((m) => m[1]);
    assert.deepEqual(subjects, ['system:serviceaccount:front:sitemap', 'system:serviceaccount:front:web-frontend']);
    assert.match(fixed, /parent: webIdentity\r\n\tname: 'front-web-frontend'\r\n\tdependsOn: \[\r\n\t\twebIdentityFederatedCredentialSitemap\r\n\t\]/);
    assert.match(fixed, /issuer: aks\.properties\.oidcIssuerProfile\.issuerURL\r\n/);
    assert.match(fixed, /audiences: \[\r\n\t\t\t'api:\/\/AzureADTokenExchange'\r\n\t\t\]/);
    // What was before the cluster is byte for byte the same.
    assert.equal(fixed.slice(0, fixed.indexOf("resource aks")), BICEP_CRLF_TABS.slice(0, BICEP_CRLF_TABS.indexOf('resource aks')));
    assert.deepEqual(readBicepTemplate(fixed), { identities: [], exceptions: [] });
    assert.deepEqual(project.check('infra/aks.bicep'), []);
  });

  test('Bicep: an identity given by parameter stays in podIdentityProfile; the rest is done once, and then nothing is fixable', () => {
    const text = BICEP_CRLF_TABS.replace('resourceId: webIdentity.id', 'resourceId: webIdentityId').replace(/^/, 'param webIdentityId string\r\n');
    const { project, out } = fixAll({ 'aks.bicep': text });
    const fixed = out.get('aks.bicep')!;
    assert.ok(fixed.includes('podIdentityProfile: {') && fixed.includes('oidcIssuerProfile: {') && fixed.includes('workloadIdentity: {'));
    assert.ok(!fixed.includes('federatedIdentityCredentials'));
    const [finding] = project.check('aks.bicep');
    assert.equal(finding.ruleId, RULE);
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /The fix keeps podIdentityProfile: not carried over: web \(its identity is not a user-assigned identity declared in this file\)\.$/);
    assert.deepEqual([...project.fixAll().keys()], []);
  });

  test('Bicep: a one-line securityProfile with properties is not rewritten: no fix rather than a guess', () => {
    const text = BICEP_CRLF_TABS.replace('securityProfile: {}', "securityProfile: { defender: { logAnalyticsWorkspaceResourceId: 'x' } }");
    const project = new Project();
    project.set('aks.bicep', text);
    const findings = project.check('aks.bicep');
    assert.deepEqual(findings.map((f) => [f.ruleId, f.fix]), [[RULE, undefined]]);
  });

  test('ARM: the output parses, keeps its comments, CRLF and four-space indentation; a second fix-all changes nothing', () => {
    const text = `{
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    /* Deployed by the platform pipeline. */
    "parameters": { "identityName": { "type": "string", "defaultValue": "id-web" } },
    "resources": [
        {
            "type": "Microsoft.ContainerService/managedClusters",
            "apiVersion": "2023-08-01",
            "name": "aks-front", // the production cluster
            "location": "westeurope",
            "properties": {
                "dnsPrefix": "front",
                "securityProfile": {
                    // Defender stays as it is.
                    "defender": { "securityMonitoring": { "enabled": true } }
                },
                "podIdentityProfile": {
                    "enabled": true,
                    "userAssignedIdentities": [
                        {
                            "name": "web",
                            "namespace": "front",
                            "identity": { "resourceId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]" }
                        }
                    ],
                    "userAssignedIdentityExceptions": [ { "name": "probe", "namespace": "kube-system", "podLabels": { "app": "probe" } } ]
                }
            }
        }
    ],
    "outputs": {}
}
`.replace(/\n/g, '\r\n');
    assert.deepEqual(jsonErrors(text), []);
    const { project, out } = fixAll({ 'azuredeploy.json': text });
    const fixed = out.get('azuredeploy.json')!;
    assert.deepEqual(jsonErrors(fixed), [], 'the fixed template parses');
    for (const comment of ['/* Deployed by the platform pipeline. */', '// the production cluster', '// Defender stays as it is.']) assert.ok(fixed.includes(comment), comment);
    assert.doesNotMatch(fixed.replace(/\r\n/g, ''), /\n/, 'every line ends in CRLF');
    assert.ok(fixed.includes('\r\n                    "workloadIdentity": {\r\n                        "enabled": true\r\n                    }'), 'merged into securityProfile, four spaces a level');
    assert.ok(!fixed.includes('podIdentityProfile'), 'the exceptions need nothing: the profile goes');
    const template = JSON.parse(JSON.stringify(getNodeValue(parseTree(fixed)!))) as { resources: Array<Record<string, unknown>> };
    assert.deepEqual(template.resources[1], {
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
      apiVersion: '2023-01-31',
      name: "[format('{0}/{1}', parameters('identityName'), 'front-web')]",
      dependsOn: ["[resourceId('Microsoft.ContainerService/managedClusters', 'aks-front')]"],
      properties: {
        issuer: "[reference(resourceId('Microsoft.ContainerService/managedClusters', 'aks-front'), '2023-08-01').oidcIssuerProfile.issuerURL]",
        subject: 'system:serviceaccount:front:web',
        audiences: ['api://AzureADTokenExchange'],
      },
    });
    assert.deepEqual((template.resources[0].properties as Record<string, unknown>).oidcIssuerProfile, { enabled: true });
    assert.deepEqual(readArmTemplate(fixed), { identities: [], exceptions: [] });
    assert.deepEqual(project.check('azuredeploy.json'), []);
    assert.deepEqual([...project.fixAll().keys()], []);
  });

  test('ARM: an enabled switch that is an expression is no reading, and an old API version is named in the message', () => {
    const base = (enabled: string, apiVersion = '2021-05-01') =>
      `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [{"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "${apiVersion}", "name": "c", "properties": {"podIdentityProfile": {"enabled": ${enabled}}}}]}`;
    const project = new Project();
    project.set('main.json', base('"[parameters(\'on\')]"'));
    assert.deepEqual(project.check('main.json'), []);
    project.set('main.json', base('true'));
    const [finding] = project.check('main.json');
    assert.match(finding.message, /Its API version 2021-05-01 predates workload identity: use 2023-01-01 or later\./);
  });

  test('the CLI reads a JSON file as a template only when it names a deployment template schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-templates-'));
    const template = `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [{"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2023-08-01", "name": "c", "properties": {"podIdentityProfile": {"enabled": true}}}]}\n`;
    writeFileSync(join(dir, 'cluster.json'), template);
    writeFileSync(join(dir, 'notes.json'), template.replace('deploymentTemplate.json#', 'schema.json#'));
    const result = runCli(['check', '.', '--format', 'json'], dir);
    assert.deepEqual((JSON.parse(result.stdout) as Array<{ file: string; rule: string }>).map((f) => [f.file, f.rule]), [['cluster.json', RULE]]);
    runCli(['check', '.', '--fix'], dir);
    const fixed = readFileSync(join(dir, 'cluster.json'), 'utf8');
    assert.deepEqual(jsonErrors(fixed), []);
    assert.ok(!fixed.includes('podIdentityProfile') && fixed.includes('"workloadIdentity"'));
  });
});

describe('a template identity given as a literal resource id (another resource group)', () => {
  const ID = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-shared-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ingest';
  const bicep = `resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {\n  name: 'aks-data'\n  location: 'westeurope'\n  properties: {\n    podIdentityProfile: {\n      enabled: true\n      userAssignedIdentities: [\n        {\n          name: 'ingest'\n          namespace: 'data'\n          identity: {\n            resourceId: '${ID}'\n          }\n        }\n      ]\n    }\n  }\n}\n`;
  const arm = JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.ContainerService/managedClusters',
          apiVersion: '2023-08-01',
          name: 'aks-data',
          location: 'westeurope',
          properties: { podIdentityProfile: { enabled: true, userAssignedIdentities: [{ name: 'ingest', namespace: 'data', identity: { resourceId: ID } }] } },
        },
      ],
    },
    null,
    2,
  );
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ingest\n  namespace: data\n  labels: {aadpodidbinding: ingest}\nspec:\n  serviceAccountName: ingest\n  containers: [{name: c, image: i}]\n';

  for (const [path, text] of [['infra/aks.bicep', bicep], ['infra/azuredeploy.json', arm]] as const) {
    test(`${path}: no credential resource and the profile stays; the message says why and how to create the credential`, () => {
      const { project, out } = fixAll({ [path]: text, 'k8s/pod.yaml': pod });
      const fixed = out.get(path) ?? text;
      assert.ok(!/federatedIdentityCredentials/.test(fixed), 'no credential resource');
      assert.ok(fixed.includes('podIdentityProfile'), 'the profile stays');
      const [finding] = project.check(path).filter((f) => f.ruleId === RULE);
      assert.match(
        finding.message,
        new RegExp(
          `not carried over: ingest \\(its identity is the literal resource id ${ID.replace(/\./g, '\\.')}, whose federated credential is deployed to resource group rg-shared-identities of subscription 11111111-2222-3333-4444-555555555555, ` +
            'which a resource of this template cannot target .*az identity federated-credential create --subscription 11111111-2222-3333-4444-555555555555 --resource-group rg-shared-identities --identity-name id-ingest for system:serviceaccount:data:ingest\\)',
        ),
      );
    });
  }
});
