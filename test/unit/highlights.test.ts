// The spans the editor colours (semantic tokens), computed by the core from the parsed model.
// Each case is a file whose expected spans are marked inline as «kind:text»; the markers are
// taken out and the highlights must be exactly the marked spans: every unmarked mention (a
// look-alike key, a value, a comment, a block scalar, a string, a document that is not a
// Kubernetes object) is a case that must stay uncoloured.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HIGHLIGHT_KINDS, highlightsOf, type HighlightKind } from '../../src/core/highlights';
import { parseManifestFile } from '../../src/core/model';

const ROOT = join(__dirname, '..', '..', '..');

const CODES: Record<string, HighlightKind> = {
  label: 'podIdentityLabel',
  annotation: 'podIdentityAnnotation',
  api: 'podIdentityApiVersion',
  kind: 'podIdentityKind',
  csi: 'podIdentityCsi',
  keda: 'podIdentityKedaProvider',
  wi: 'workloadIdentityKey',
};

/** The text without its markers, and the marked spans as `kind start-end text`. */
function unmark(marked: string): { text: string; expected: string[] } {
  let text = '';
  const expected: string[] = [];
  let last = 0;
  for (const m of marked.matchAll(/«(\w+):([^»]*)»/g)) {
    text += marked.slice(last, m.index);
    const kind = CODES[m[1]];
    assert.ok(kind, `unknown marker ${m[1]}`);
    expected.push(`${kind} ${text.length}-${text.length + m[2].length} ${m[2]}`);
    text += m[2];
    last = (m.index ?? 0) + m[0].length;
  }
  return { text: text + marked.slice(last), expected };
}

function assertHighlights(marked: string, path = 'file:///ws/manifest.yaml'): void {
  const { text, expected } = unmark(marked);
  const actual = highlightsOf(parseManifestFile(path, text)).map((h) => `${h.kind} ${h.start}-${h.end} ${text.slice(h.start, h.end)}`);
  assert.deepEqual(actual, expected);
}

describe('highlightsOf: AAD Pod Identity objects', () => {
  test('apiVersion and kind of the pod identity kinds, plain and quoted, and their annotations', () => {
    assertHighlights(`apiVersion: «api:aadpodidentity.k8s.io/v1»
kind: «kind:AzureIdentity»
metadata:
  name: orders-identity
  annotations:
    «annotation:aadpodidentity.k8s.io/Behavior»: namespaced
    aadpodidentity.k8s.io: x
    example.com/aadpodidentity.k8s.io: x
spec:
  type: 0
  resourceID: /subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders
  clientID: 00000000-0000-0000-0000-000000000000
---
apiVersion: "«api:aadpodidentity.k8s.io/v1»"
kind: '«kind:AzureIdentityBinding»'
spec:
  azureIdentity: orders-identity
  selector: orders
---
apiVersion: «api:aadpodidentity.k8s.io/v1»
kind: «kind:AzurePodIdentityException» # informational
---
"apiVersion": «api:aadpodidentity.k8s.io/v1»
"kind": "«kind:AzureAssignedIdentity»"
`);
  });

  test('the items of a List, block and flow', () => {
    assertHighlights(`# The chart renders identities as a List.
kind: List
items:
  - apiVersion: «api:aadpodidentity.k8s.io/v1»
    kind: «kind:AzureIdentityBinding»
  - {apiVersion: «api:aadpodidentity.k8s.io/v1», kind: «kind:AzureIdentity»}
  - {"kind":"«kind:AzureIdentity»"}
`);
  });

  test('look-alike kinds and groups, and mentions outside an object, are not coloured', () => {
    assertHighlights(`apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBindingList
---
apiVersion: aadpodidentity.k8s.io/v1
kind: MyAzureIdentity
---
apiVersion: aadpodidentity.k8s.io/v1
kind: azureidentity
---
apiVersion: example.com/aadpodidentity.k8s.io
kind: AzureIdentity
---
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    aadpodidentity.k8s.io/Behavior: namespaced
data:
  subkind: AzureIdentity
  group: aadpodidentity.k8s.io/v1
  config: |
    apiVersion: aadpodidentity.k8s.io/v1
    kind: AzureIdentity
    aadpodidbinding: orders
# kind: AzureIdentity
---
# No kind: not a Kubernetes object.
apiVersion: aadpodidentity.k8s.io/v1
spec:
  kind: AzureIdentity
`);
  });
});

describe('highlightsOf: the aadpodidbinding label', () => {
  test('on the pod template (plain and quoted keys) and in the selector', () => {
    assertHighlights(`apiVersion: apps/v1
kind: Deployment
spec:
  selector:
    matchLabels: {app: orders, «label:aadpodidbinding»: orders}
  template:
    metadata:
      labels:
        «label:aadpodidbinding»: orders
        "«label:aadpodidbinding»": orders
        '«label:aadpodidbinding»' : orders
`);
  });

  test('on a Pod, a workload\'s own labels, and the selectors of Services, NetworkPolicies and expressions', () => {
    assertHighlights(`apiVersion: v1
kind: Pod
metadata:
  labels: {«label:aadpodidbinding»: orders}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  labels:
    «label:aadpodidbinding»: orders
spec:
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            «label:aadpodidbinding»: orders
---
apiVersion: v1
kind: Service
metadata:
  labels:
    aadpodidbinding: orders
spec:
  selector:
    «label:aadpodidbinding»: orders
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
spec:
  podSelector:
    matchExpressions:
      - {key: «label:aadpodidbinding», operator: In, values: [orders]}
  ingress:
    - from:
        - podSelector:
            matchLabels:
              «label:aadpodidbinding»: orders
`);
  });

  test('look-alikes, values, comments, strings and block scalars are not coloured', () => {
    assertHighlights(`apiVersion: apps/v1
kind: Deployment
spec:
  template:
    metadata:
      labels:
        aadpodidbindings: x
        x-aadpodidbinding: x
        aadpodidbinding-old: x
        name: aadpodidbinding
        note: "aadpodidbinding: orders"
        # aadpodidbinding: orders
        app: orders # aadpodidbinding: orders
      annotations:
        aadpodidbinding: orders
        script: |
          aadpodidbinding: orders
    spec:
      containers:
        - name: app
          env:
            - {name: aadpodidbinding, value: orders}
          args: ["aadpodidbinding: orders"]
`);
  });

  test('a key with no space after the colon is no key: the document does not parse and nothing is coloured', () => {
    assertHighlights(`apiVersion: v1
kind: Pod
metadata:
  labels:
    app: orders
    aadpodidbinding:orders
`);
  });

  test('not in kinds the check does not read (a ConfigMap, a ServiceAccount)', () => {
    assertHighlights(`apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    aadpodidbinding: orders
---
apiVersion: v1
kind: ServiceAccount
metadata:
  labels:
    aadpodidbinding: orders
`);
  });
});

describe('highlightsOf: documents that are not Kubernetes objects', () => {
  test('a GitHub workflow: an env key and a run line', () => {
    assertHighlights(`name: deploy
on: push
env:
  aadpodidbinding: orders
  azure.workload.identity/use: "true"
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: kubectl label pod orders aadpodidbinding=orders
      - run: |
          echo "aadpodidbinding: orders"
`, 'file:///ws/.github/workflows/deploy.yml');
  });

  test('a compose file with the label', () => {
    assertHighlights(`services:
  api:
    image: orders-api:1.0
    labels:
      aadpodidbinding: orders
      azure.workload.identity/use: "true"
`, 'file:///ws/compose.yaml');
  });

  test('top-level sequences, and values documents', () => {
    assertHighlights(`- aadpodidbinding: orders
- - {aadpodidbinding: orders}
---
podLabels:
  aadpodidbinding: orders
  azure.workload.identity/use: "true"
serviceAccount:
  annotations:
    azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000
`);
  });
});

describe('highlightsOf: workload identity keys', () => {
  test('every key the webhook reads, plain, double- and single-quoted, on a ServiceAccount and a pod template', () => {
    assertHighlights(`apiVersion: v1
kind: ServiceAccount
metadata:
  annotations:
    «wi:azure.workload.identity/client-id»: "00000000-0000-0000-0000-000000000000"
    "«wi:azure.workload.identity/tenant-id»": 00000000-0000-0000-0000-000000000000
    '«wi:azure.workload.identity/service-account-token-expiration»': "3600"
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    metadata:
      labels:
        «wi:azure.workload.identity/use»: "true"
      annotations:
        «wi:azure.workload.identity/skip-containers»: "sidecar;istio-proxy"
        «wi:azure.workload.identity/inject-proxy-sidecar»: "true"
        «wi:azure.workload.identity/proxy-sidecar-port»: "8000"
    spec:
      serviceAccountName: orders
`);
  });

  test('flow mappings, JSON-style quoted keys, the workload\'s own labels and its selector', () => {
    assertHighlights(`apiVersion: v1
kind: ServiceAccount
metadata:
  annotations: {"«wi:azure.workload.identity/client-id»":"00000000-0000-0000-0000-000000000000"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {«wi:azure.workload.identity/use»: "true", app: orders}
spec:
  selector:
    matchLabels:
      «wi:azure.workload.identity/use»: "true"
  template:
    metadata:
      labels: {«wi:azure.workload.identity/use»: "true", app: orders}
`);
  });

  test('unknown keys of the group, other prefixes, values, comments, strings and block scalars are not coloured', () => {
    assertHighlights(`apiVersion: apps/v1
kind: Deployment
spec:
  template:
    metadata:
      labels:
        azure.workload.identity/client_id: x
        azure.workload.identity/use-proxy: "true"
        azure.workload.identity/client-ids: x
        x-azure.workload.identity/use: "true"
        example.azure.workload.identity/use: "true"
        note: azure.workload.identity/use
        note2: "azure.workload.identity/use: true"
        # azure.workload.identity/use: "true"
        app: orders # azure.workload.identity/use: "true"
        script: |
          azure.workload.identity/use: "true"
        after: the block scalar
        «wi:azure.workload.identity/use»: "true"
    spec:
      nodeSelector:
        azure.workload.identity/use: "true"
`);
  });

  test('not in kinds the checks do not read', () => {
    assertHighlights(`apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    azure.workload.identity/client-id: x
data:
  azure.workload.identity/use: "true"
`);
  });
});

describe('highlightsOf: Secrets Store CSI driver', () => {
  test('usePodIdentity "true" in a SecretProviderClass\'s parameters: the key and the value, in any quoting or case', () => {
    const spc = (parameters: string) => `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
spec:
  provider: azure
${parameters}`;
    assertHighlights(spc(`  parameters:
    «csi:usePodIdentity»: "«csi:true»"
`));
    assertHighlights(spc(`  parameters:
    '«csi:usePodIdentity»': '«csi:true»'
`));
    assertHighlights(spc(`  parameters:
    «csi:usePodIdentity»: "«csi:True»" # as the driver reads it
`));
    assertHighlights(spc(`  parameters:
    «csi:usePodIdentity»: «csi:true»
`));
    assertHighlights(spc(`  parameters: {«csi:usePodIdentity»: "«csi:true»", keyvaultName: kv}
`));
  });

  test('the workload identity form, look-alikes, comments and other places are not coloured', () => {
    for (const line of ['usePodIdentity: "false"', 'usePodIdentity: "trueish"', 'useVMManagedIdentity: "true"', 'clientID: "00000000-0000-0000-0000-000000000000"', '# usePodIdentity: "true"', 'note: usePodIdentity']) {
      assertHighlights(`apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
spec:
  provider: azure
  parameters:
    ${line}
`);
    }
    assertHighlights(`apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
spec:
  usePodIdentity: "true"
---
apiVersion: v1
kind: ConfigMap
spec:
  parameters:
    usePodIdentity: "true"
---
parameters:
  usePodIdentity: "true"
`);
  });
});

describe('highlightsOf: KEDA', () => {
  const auth = (spec: string, kind = 'TriggerAuthentication', apiVersion = 'keda.sh/v1alpha1') => `apiVersion: ${apiVersion}
kind: ${kind}
spec:
${spec}`;

  test('provider azure in a podIdentity block, in any quoting or case; not the key or the identity', () => {
    assertHighlights(auth(`  podIdentity:
    provider: «keda:azure»
    identityId: 00000000-0000-0000-0000-000000000000
  azureKeyVault:
    vaultUri: https://kv.vault.azure.net
    podIdentity:
      provider: "«keda:azure»"  # pod identity
`));
    assertHighlights(auth(`  podIdentity:
    provider: '«keda:Azure»'
`));
    assertHighlights(auth(`  podIdentity:
    provider:   «keda:AZURE»
`));
    assertHighlights(auth(`  podIdentity:
    "provider": «keda:azure»
`));
    assertHighlights(auth(`    podIdentity:
        provider: «keda:azure»
`, 'TriggerAuthentication', 'keda.k8s.io/v1alpha1'));
  });

  test('a ClusterTriggerAuthentication in flow style', () => {
    assertHighlights(auth(`  podIdentity: {provider: «keda:azure», identityId: x}
`, 'ClusterTriggerAuthentication'));
    assertHighlights(auth(`  podIdentity: {identityId: x, provider: «keda:Azure»}
`, 'ClusterTriggerAuthentication'));
  });

  test('workload identity and look-alikes are not coloured', () => {
    for (const line of [
      'provider: azure-workload', 'provider: "azure-workload"', 'provider: Azure-Workload', 'provider: azure workload', 'provider: azurex', 'provider: aws',
      'cloudprovider: azure', 'provider-name: azure', 'name: azure', 'note: "provider: azure"', '# provider: azure', 'identityId: x # provider: azure',
    ]) {
      assertHighlights(auth(`  podIdentity:
    ${line}
`));
    }
    assertHighlights(auth(`  podIdentity: {provider: azure-workload, identityId: x}
`));
  });

  test('provider: azure elsewhere is valid: SecretProviderClass, another API group, values of other charts', () => {
    assertHighlights(`apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
spec:
  provider: azure
---
apiVersion: example.com/v1
kind: TriggerAuthentication
spec:
  podIdentity:
    provider: azure
---
spec: {provider: azure}
---
spec:
  podIdentity:
    provider: azure
---
provider: azure
external-dns:
  provider: azure
velero:
  configuration:
    backupStorageLocation:
      - name: default
        provider: azure
        config:
          resourceGroup: backups
`);
  });
});

describe('highlightsOf: Helm templates', () => {
  test('keys and values beside template actions are coloured; template text is not', () => {
    assertHighlights(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
  labels:
    {{- include "shop.labels" . | nindent 4 }}
    «label:aadpodidbinding»: {{ .Values.podIdentity | quote }}
spec:
  template:
    metadata:
      labels:
        «label:aadpodidbinding»: "{{ .Release.Name }}-identity"
        «wi:azure.workload.identity/use»: "true"
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
        «wi:azure.workload.identity/skip-containers»: {{ .Values.skip | quote }}
      {{- end }}
    spec:
      serviceAccountName: {{ .Values.serviceAccount.name }}
---
{{- if .Values.podIdentity.enabled }}
apiVersion: «api:aadpodidentity.k8s.io/v1»
kind: «kind:AzureIdentityBinding»
metadata:
  name: {{ .Release.Name }}-binding
spec:
  azureIdentity: {{ .Release.Name }}-identity
  selector: {{ .Values.podIdentity.selector }}
{{- end }}
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
spec:
  podIdentity:
    provider: {{ .Values.provider }}
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
spec:
  parameters:
    usePodIdentity: {{ .Values.usePodIdentity | quote }}
`, 'file:///ws/chart/templates/deployment.yaml');
  });
});

describe('highlightsOf: offsets', () => {
  test('CRLF line endings, a byte order mark and characters outside the BMP keep offsets in UTF-16 units of the text', () => {
    assertHighlights('\uFEFFapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: "🚀"\r\n  labels:\r\n    «label:aadpodidbinding»: orders\r\n');
  });
});


describe('semantic token contributions', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: {
      grammars?: unknown[];
      semanticTokenTypes?: Array<{ id: string; description: string }>;
      semanticTokenScopes?: Array<{ language?: string; scopes: Record<string, string[]> }>;
    };
  };

  test('package.json declares one token type per highlight kind, each mapped to the scope the former grammar gave it', () => {
    assert.deepEqual(manifest.contributes.semanticTokenTypes?.map((t) => t.id), [...HIGHLIGHT_KINDS]);
    for (const t of manifest.contributes.semanticTokenTypes ?? []) assert.match(t.description, /\.$/, `${t.id} description ends with a full stop`);
    const scopes = Object.assign({}, ...(manifest.contributes.semanticTokenScopes ?? []).map((s) => s.scopes)) as Record<string, string[]>;
    assert.deepEqual(scopes, {
      podIdentityLabel: ['invalid.deprecated.pod-identity.label.wi-migrate'],
      podIdentityAnnotation: ['invalid.deprecated.pod-identity.annotation.wi-migrate'],
      podIdentityApiVersion: ['invalid.deprecated.pod-identity.api-version.wi-migrate'],
      podIdentityKind: ['invalid.deprecated.pod-identity.kind.wi-migrate'],
      podIdentityCsi: ['invalid.deprecated.pod-identity.csi.wi-migrate'],
      podIdentityKedaProvider: ['invalid.deprecated.pod-identity.keda-provider.wi-migrate'],
      workloadIdentityKey: ['entity.name.tag.workload-identity.wi-migrate'],
    });
  });

  test('no TextMate grammar is contributed: it would colour files the checks do not read', () => {
    assert.equal(manifest.contributes.grammars, undefined);
  });
});
