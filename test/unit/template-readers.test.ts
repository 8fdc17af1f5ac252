import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readArmTemplate } from '../../src/core/templates/arm';
import { readBicepTemplate } from '../../src/core/templates/bicep';
import { bicepDeclarations } from '../../src/core/templates/bicep-syntax';

/** The records without their offsets, and the text each offset range covers. */
const fields = <T extends { start: number; end: number }>(records: readonly T[]) =>
  records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'start' && k !== 'end')));

// Shaped like an AKS cluster module of the public AKS Bicep samples: params with decorators, a
// location from a function, a multi-line string, comments with braces and quotes in them, a
// property written `App : 'default'`, and the pod identity profile.
const MODULE = `// modules/aks.bicep: the cluster.
@description('The cluster name')
param clusterName string = 'aks-shop'
param location string = resourceGroup().location
@allowed([
  'azure'
  'kubenet'
])
param networkPlugin string = 'azure'
var shopNamespace = 'shop'
var banner = '''
not { a } literal's
'''

resource ordersIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders'
  location: location
}

resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {
  name: clusterName
  location: location
  tags: {
    'cost-center': '4711'
  }
  properties: {
    dnsPrefix: '\${clusterName}-dns' /* not } a brace */
    agentPoolProfiles: [
      {
        name: 'system'
        count: 3
        nodeLabels: {
          App : 'default'
        }
      }
    ]
    networkProfile: {
      networkPlugin: networkPlugin
      networkPolicy: networkPlugin == 'azure' ? 'azure' : 'calico'
    }
    podIdentityProfile: {
      enabled: true
      allowNetworkPluginKubenet: false
      userAssignedIdentities: [
        {
          name: 'orders'
          namespace: shopNamespace
          bindingSelector: 'orders-api'
          identity: {
            resourceId: ordersIdentity.id
            clientId: ordersIdentity.properties.clientId
            objectId: ordersIdentity.properties.principalId
          }
        }
        {
          name: 'billing'
          namespace: '\${shopNamespace}-billing'
          identity: {
            resourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-billing'
            clientId: '7c3e1b9a-1f0d-4b8e-9c2a-5d6e7f8a9b0c'
          }
        }
      ]
      userAssignedIdentityExceptions: [
        {
          name: 'probe'
          namespace: 'kube-system'
          podLabels: {
            app: 'probe'
            'app.kubernetes.io/part-of': 'health'
          }
        }
      ]
    }
  }
}

output issuer string = aks.properties.oidcIssuerProfile.issuerURL
`;

describe('the Bicep reader', () => {
  test('reads the pod identities and exceptions of a cluster module: literals, params with literal defaults, vars; leaves out what is not literal', () => {
    const reading = readBicepTemplate(MODULE);
    assert.deepEqual(fields(reading.identities), [
      { name: 'orders', namespace: 'shop', bindingSelector: 'orders-api', cluster: { name: 'aks-shop' } },
      // An interpolated namespace is left out, never guessed.
      {
        name: 'billing',
        resourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-billing',
        clientId: '7c3e1b9a-1f0d-4b8e-9c2a-5d6e7f8a9b0c',
        cluster: { name: 'aks-shop' },
      },
    ]);
    assert.deepEqual(fields(reading.exceptions), [{ name: 'probe', namespace: 'kube-system', podLabels: { app: 'probe', 'app.kubernetes.io/part-of': 'health' } }]);
    // Offsets cover each entry, braces included.
    const first = reading.identities[0];
    assert.match(MODULE.slice(first.start, first.end), /^\{\s+name: 'orders'[\s\S]*principalId\s+\}\s+\}$/);
  });

  test('gives up with no reading on a condition, a loop, a conditional resource, or text it cannot follow', () => {
    const cluster = (profile: string, head = "resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {") =>
      `param name string = ''\nparam on bool = true\n${head}\n  name: 'c'\n  properties: {\n    podIdentityProfile: {\n${profile}\n    }\n  }\n}\n`;
    const entry = "      userAssignedIdentities: [\n        {\n          name: 'a'\n          namespace: 'n'\n        }\n      ]";
    // The shape of a public sample: enabled only when a parameter is set.
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: empty(name)?false:true\n${entry}`)).identities, []);
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: on\n${entry}`)).identities, []);
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: true\n${entry}`, "resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = if (on) {")).identities, []);
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: true\n${entry}`, "resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' existing = {")).identities, []);
    // A looped list of identities: none read (the profile is not complete, see the rule's tests).
    assert.deepEqual(readBicepTemplate(cluster("      enabled: true\n      userAssignedIdentities: [for n in ['a', 'b']: {\n        name: n\n        namespace: 'n'\n      }]")).identities, []);
    // A key without a colon, an unclosed object or string: nothing read rather than half of it.
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: true\n      broken\n${entry}`)).identities, []);
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: true\n${entry}`).replace(/\}\n$/, '')).identities, []);
    assert.deepEqual(readBicepTemplate(cluster(`      enabled: true\n${entry}`).replace("name: 'a'", "name: 'a")).identities, []);
    // The same with enabled: true and nothing odd is read: the cases above fail for their reason.
    assert.deepEqual(fields(readBicepTemplate(cluster(`      enabled: true\n${entry}`)).identities), [{ name: 'a', namespace: 'n', cluster: { name: 'c' } }]);
  });

  test('declarations: nested child resources, decorators, one-line objects with commas, escapes', () => {
    const text = [
      "resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {",
      "  name: 'it\\'s'",
      '  @batchSize(1)',
      "  resource fic 'federatedIdentityCredentials@2023-01-31' = {",
      "    name: 'x'",
      "    properties: { subject: 'system:serviceaccount:a:b', audiences: [ 'api://AzureADTokenExchange' ] }",
      '  }',
      '}',
      '',
    ].join('\n');
    const decls = bicepDeclarations(text);
    assert.deepEqual(decls.map((d) => [d.keyword, d.symbol, d.type, d.parent]), [
      ['resource', 'fic', 'federatedIdentityCredentials@2023-01-31', 'id'],
      ['resource', 'id', 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31', undefined],
    ]);
    const id = decls[1].value;
    assert.ok(id?.kind === 'object');
    assert.deepEqual(id.props.map((p) => [p.key, p.value.kind === 'string' ? p.value.value : p.value.kind]), [['name', "it's"]]);
    const props = decls[0].value?.kind === 'object' ? decls[0].value.props.find((p) => p.key === 'properties')?.value : undefined;
    assert.ok(props?.kind === 'object');
    assert.deepEqual(props.props.map((p) => p.key), ['subject', 'audiences']);
  });

  test('a file that never names podIdentityProfile is not parsed at all', () => {
    assert.deepEqual(readBicepTemplate("resource x 'Microsoft.ContainerService/managedClusters@2023-08-01' = {"), { identities: [], exceptions: [] });
  });
});

const ARM = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  // Comments are allowed in ARM templates.
  "parameters": {
    "clusterName": { "type": "string", "defaultValue": "aks-billing" },
    "identityName": { "type": "string", "defaultValue": "id-invoices" },
    "namespace": { "type": "string" },
    "location": { "type": "string", "defaultValue": "[resourceGroup().location]" }
  },
  "variables": { "ns": "billing", "selector": "[concat('invoices', '-worker')]" },
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2023-08-01",
      "name": "[parameters('clusterName')]",
      "properties": {
        "podIdentityProfile": {
          "enabled": true,
          "userAssignedIdentities": [
            {
              "name": "invoices",
              "namespace": "[variables('ns')]",
              "bindingSelector": "[variables('selector')]",
              "identity": {
                "resourceId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]",
                "clientId": "1b2c3d4e-0000-4000-8000-00000000000a"
              }
            },
            {
              "name": "[[literal",
              "namespace": "[parameters('namespace')]",
              "identity": { "resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-x" }
            }
          ],
          "userAssignedIdentityExceptions": [
            { "name": "probe", "namespace": "kube-system", "podLabels": { "app": "probe" } }
          ]
        }
      }
    },
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "nested",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "inner" },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": { "podNs": { "type": "string", "defaultValue": "jobs" } },
          "resources": [
            {
              "type": "Microsoft.ContainerService/managedClusters",
              "apiVersion": "2023-08-01",
              "name": "aks-jobs",
              "properties": {
                "podIdentityProfile": {
                  "enabled": true,
                  "userAssignedIdentities": [ { "name": "cron", "namespace": "[parameters('podNs')]", "identity": { "resourceId": "[parameters('identityName')]" } } ]
                }
              }
            }
          ]
        }
      }
    },
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2023-08-01",
      "name": "aks-off",
      "properties": { "podIdentityProfile": { "enabled": "[parameters('on')]", "userAssignedIdentities": [ { "name": "skipped" } ] } }
    }
  ]
}
`;

describe('the ARM reader', () => {
  test('reads literals, parameters with literal defaults and variables holding literals; leaves out other expressions', () => {
    const reading = readArmTemplate(ARM);
    assert.deepEqual(fields(reading.identities), [
      { name: 'invoices', namespace: 'billing', clientId: '1b2c3d4e-0000-4000-8000-00000000000a', cluster: { name: 'aks-billing' } },
      // `[[` escapes a literal that starts with `[`; a parameter without a default is left out.
      { name: '[literal', resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-x', cluster: { name: 'aks-billing' } },
      // A nested deployment with inner scope reads its own parameters; `[parameters('identityName')]` is the outer one's: left out.
      { name: 'cron', namespace: 'jobs', cluster: { name: 'aks-jobs' } },
    ]);
    assert.deepEqual(fields(reading.exceptions), [{ name: 'probe', namespace: 'kube-system', podLabels: { app: 'probe' } }]);
    assert.match(ARM.slice(reading.identities[0].start, reading.identities[0].end), /^\{\s+"name": "invoices"[\s\S]*\}$/);
  });

  test('no reading for JSON that is no deployment template, does not parse, or names pod identity elsewhere only', () => {
    assert.deepEqual(readArmTemplate('{ "$schema": "http://json-schema.org/draft-07/schema#", "podIdentityProfile": { "enabled": true } }').identities, []);
    assert.deepEqual(readArmTemplate(ARM.replace('"contentVersion": "1.0.0.0",', '"contentVersion": "1.0.0.0"')).identities, [], 'a syntax error: nothing read');
    assert.equal(readArmTemplate(ARM.replace(/"enabled": true/g, '"enabled": false')).identities.length, 0);
  });

  test('symbolic-name resources (languageVersion 2.0) are read too', () => {
    const text = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "resources": {
    "aks": {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2023-08-01",
      "name": "aks-sym",
      "properties": { "podIdentityProfile": { "enabled": true, "userAssignedIdentities": [ { "name": "web", "namespace": "front" } ] } }
    }
  }
}`;
    assert.deepEqual(fields(readArmTemplate(text).identities), [{ name: 'web', namespace: 'front', cluster: { name: 'aks-sym' } }]);
  });
});
