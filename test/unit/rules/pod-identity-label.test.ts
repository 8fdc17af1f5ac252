import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Project } from '../../../src/core/engine';
import { PLACEHOLDER_CLIENT_ID } from '../../../src/core/k8s';
import { dns1123 } from '../../../src/core/k8s';
import { podIdentityLabel } from '../../../src/core/rules/pod-identity-label';
import { ruleTester } from '../../support/rule-tester';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = '99999999-8888-7777-6666-555555555555';
const PLACEHOLDER = JSON.stringify(PLACEHOLDER_CLIENT_ID);

/** An identity and its binding for `selector`, in another file. */
const identity = (selector = 'api-id', extra = '') => `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: ${selector}-identity, namespace: shop}
spec:
  type: 0
  clientID: ${CLIENT}
${extra}---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: ${selector}-binding, namespace: shop}
spec:
  azureIdentity: ${selector}-identity
  selector: ${selector}
`;
const identityFiles = { 'identity.yaml': identity() };

/** A Deployment in namespace shop; `labels` and `spec` are the pod template's, already indented. */
const deployment = (labels: string, spec = '      containers:\n      - name: api\n        image: api\n', selector = '      app: api\n') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels:
${selector}  template:
    metadata:
      labels:
${labels}    spec:
${spec}`;

/** The ServiceAccount document the fix appends. */
const account = (name: string, clientId: string, opts: { namespace?: string; tenant?: string; step?: string; eol?: string } = {}) => {
  const s = opts.step ?? '  ';
  const lines = ['---', 'apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `${s}name: ${name}`];
  if (opts.namespace !== undefined) lines.push(`${s}namespace: ${opts.namespace}`);
  lines.push(`${s}annotations:`, `${s}${s}azure.workload.identity/client-id: ${clientId}`);
  if (opts.tenant) lines.push(`${s}${s}azure.workload.identity/tenant-id: ${opts.tenant}`);
  const eol = opts.eol ?? '\n';
  return lines.join(eol) + eol;
};
const shopAccount = (name = 'api-id', clientId = JSON.stringify(CLIENT)) => account(name, clientId, { namespace: 'shop' });

const serviceAccount = (name: string, metadataTail = '') => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: shop
${metadataTail}`;

const withSa = (name: string) => `      serviceAccountName: ${name}\n`;
const containers = '      containers:\n      - name: api\n        image: api\n';

const helm = (labelLine: string, spec = containers) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
  labels:
    {{- include "shop.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        {{- include "shop.labels" . | nindent 8 }}
${labelLine}
    spec:
${spec}`;

/** A Deployment with its own labels (none when empty), pod template labels and spec lines before the containers. */
const labelled = (own: string, podLabels: string, spec: string) =>
  deployment(`        app: api\n${podLabels}`, spec + containers).replace('  namespace: shop\n', `  namespace: shop\n${own ? `  labels:\n${own}` : ''}`);

/** A ReplicationController and a Job whose selectors use the label; `use` is the extra pod label line. */
const selectedBy = (use: string) => `apiVersion: v1
kind: ReplicationController
metadata:
  name: rc
  namespace: shop
spec:
  selector:
    aadpodidbinding: api-id
  template:
    metadata:
      labels:
        aadpodidbinding: api-id
${use}    spec:
      serviceAccountName: rc
      containers: []
---
apiVersion: batch/v1
kind: Job
metadata:
  name: job
  namespace: shop
spec:
  selector:
    matchExpressions:
    - {key: aadpodidbinding, operator: In, values: [api-id]}
  template:
    metadata:
      labels:
        aadpodidbinding: api-id
${use}    spec:
      serviceAccountName: rc
      containers: []
`;

const cronJob = (labels: string, sa: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
${labels}        spec:
${sa}          restartPolicy: OnFailure
          containers:
          - name: report
            image: report
`;

const listed = (label: string, sa: string) => `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    namespace: shop
    labels: {${label}}
  spec:
${sa}    containers: [{name: p, image: p}]
`;

/** Four-space indentation with indented sequences. */
const statefulSet = (label: string, sa: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
    name: db
    namespace: shop
spec:
    selector:
        matchLabels:
            app: db
    template:
        metadata:
            labels:
                app: db
                ${label}
        spec:
${sa}            containers:
                - name: db
                  image: db
`;

ruleTester(podIdentityLabel, {
  valid: [
    {
      name: 'migrated workload',
      code: deployment('        app: api\n        azure.workload.identity/use: "true"\n', withSa('api-id') + containers),
    },
    { name: 'no pod identity at all', code: deployment('        app: api\n') },
    { name: 'aadpodidbinding outside labels is not a label', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  aadpodidbinding: api-id\n' },
    {
      name: 'an annotation named aadpodidbinding is not a label',
      code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    aadpodidbinding: api-id\nspec:\n  containers: []\n',
    },
    {
      name: 'a binding selector is not a pod label',
      code: 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata:\n  name: b\nspec:\n  azureIdentity: i\n  selector: api-id\n',
    },
    {
      name: 'a Service selecting on another label',
      code: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector:\n    app: api\n',
    },
    {
      name: 'nodeSelector is not a label selector',
      code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  nodeSelector:\n    aadpodidbinding: x\n  containers: []\n',
    },
  ],
  invalid: [
    {
      name: 'Deployment: label replaced in place, own label removed, account created with client and tenant id',
      code: labelled('    app: api\n    aadpodidbinding: api-id   # copied here by mistake\n', '        aadpodidbinding: api-id   # binds the identity\n', ''),
      files: { 'identity.yaml': identity('api-id', `  tenantID: ${TENANT}\n`) },
      errors: [
        { line: 8, text: 'aadpodidbinding: api-id', message: /does nothing.*spec\.template\.metadata\.labels.*migration fix/ },
        { line: 17, text: 'aadpodidbinding: api-id', severity: 'warning', message: new RegExp(`AzureIdentity shop/api-id-identity \\(client id ${CLIENT}\\)`) },
      ],
      output:
        labelled('    app: api\n', '        azure.workload.identity/use: "true"   # binds the identity\n', withSa('api-id')) +
        account('api-id', JSON.stringify(CLIENT), { namespace: 'shop', tenant: JSON.stringify(TENANT) }),
    },
    {
      name: 'no identity in the workspace: placeholder client id',
      code: deployment('        aadpodidbinding: api-id\n', containers),
      errors: [{ line: 13, message: /no AzureIdentityBinding with selector "api-id".*could not be found.*placeholder/ }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount('api-id', PLACEHOLDER),
    },
    {
      name: 'the use label is already there: aadpodidbinding is removed',
      code: deployment('        azure.workload.identity/use: "true"\n        aadpodidbinding: api-id\n', containers),
      files: identityFiles,
      errors: [{ line: 14 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount(),
    },
    {
      name: 'selector uses the label: it stays on template and workload, use label added',
      code: deployment('        app: api\n        aadpodidbinding: api-id\n', containers, '      aadpodidbinding: api-id\n').replace(
        '  namespace: shop\n',
        '  namespace: shop\n  labels:\n    aadpodidbinding: api-id\n',
      ),
      files: identityFiles,
      errors: [
        { line: 7, message: /keeps it while the selector uses aadpodidbinding/ },
        { line: 16, message: /stays on the pod template because the Deployment's selector uses it/ },
      ],
      output:
        deployment('        app: api\n        aadpodidbinding: api-id\n        azure.workload.identity/use: "true"\n', withSa('api-id') + containers, '      aadpodidbinding: api-id\n').replace(
          '  namespace: shop\n',
          '  namespace: shop\n  labels:\n    aadpodidbinding: api-id\n',
        ) + shopAccount(),
    },
    {
      name: 'selector case, already migrated: still reported, nothing left to fix',
      code: deployment('        aadpodidbinding: api-id\n        azure.workload.identity/use: "true"\n', withSa('api-id') + containers, '      aadpodidbinding: api-id\n') + shopAccount(),
      files: identityFiles,
      errors: [{ line: 13, message: /already has the azure\.workload\.identity\/use label/ }],
      output: null,
    },
    {
      name: 'ReplicationController plain selector and matchExpressions count as selectors',
      code: selectedBy(''),
      files: { ...identityFiles, 'sa.yaml': serviceAccount('rc', `  annotations:\n    azure.workload.identity/client-id: ${CLIENT}\n`) },
      errors: [
        { line: 12, message: /ReplicationController's selector uses it/ },
        { line: 29, message: /Job's selector uses it/ },
      ],
      output: selectedBy('        azure.workload.identity/use: "true"\n'),
    },
    {
      name: 'existing account in another file without annotations: annotations added there',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers),
      files: { ...identityFiles, 'sa.yaml': serviceAccount('api-sa') },
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + containers),
      otherOutputs: { 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`) },
    },
    {
      name: 'existing account with other annotations: client and tenant id added to them',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers),
      files: { 'identity.yaml': identity('api-id', `  tenantID: ${TENANT}\n`), 'sa.yaml': serviceAccount('api-sa', '  annotations:\n    team: shop   # owner\n') },
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + containers),
      otherOutputs: {
        'sa.yaml': serviceAccount(
          'api-sa',
          `  annotations:\n    team: shop   # owner\n    azure.workload.identity/client-id: "${CLIENT}"\n    azure.workload.identity/tenant-id: "${TENANT}"\n`,
        ),
      },
    },
    {
      name: 'existing account with a different client id: replaced, quoting kept',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers),
      files: { ...identityFiles, 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: 'old-id'\n`) },
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + containers),
      otherOutputs: { 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: '${CLIENT}'\n`) },
    },
    {
      name: 'existing account already annotated: only the label changes',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers),
      files: { ...identityFiles, 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: ${CLIENT.toUpperCase()}\n`) },
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + containers),
      otherOutputs: { 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: ${CLIENT.toUpperCase()}\n`) },
    },
    {
      name: 'no identity found and the account already has a client id: it is kept, no placeholder',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers),
      files: { 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: ${CLIENT}\n`) },
      errors: [{ line: 13, message: /^(?!.*placeholder)/ }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + containers),
    },
    {
      name: 'existing account in the same file, flow-style metadata',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers) + '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api-sa, namespace: shop}\n',
      files: identityFiles,
      errors: [{ line: 13 }],
      output:
        deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + containers) +
        `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api-sa, namespace: shop, annotations: {azure.workload.identity/client-id: "${CLIENT}"}}\n`,
    },
    {
      name: 'a new account goes beside the workload, even when workloads in other files need it too',
      code: deployment('        aadpodidbinding: api-id\n', containers),
      files: { ...identityFiles, 'a.yaml': cronJob('            aadpodidbinding: api-id\n', '') },
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount(),
      otherOutputs: { 'a.yaml': cronJob('            aadpodidbinding: api-id\n', '') },
    },
    {
      name: 'serviceAccountName: default is replaced, quoting kept',
      code: deployment('        aadpodidbinding: api-id\n', "      serviceAccountName: 'default'\n" + containers),
      files: identityFiles,
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', "      serviceAccountName: 'api-id'\n" + containers) + shopAccount(),
    },
    {
      name: 'deprecated serviceAccount field naming an account is kept',
      code: deployment('        aadpodidbinding: api-id\n', '      serviceAccount: api-sa\n' + containers),
      files: { ...identityFiles, 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`) },
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', '      serviceAccount: api-sa\n' + containers),
    },
    {
      name: 'label value made a DNS-1123 name',
      code: deployment('        aadpodidbinding: My_App.Identity\n', containers),
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('my-app-identity') + containers) + shopAccount('my-app-identity', PLACEHOLDER),
    },
    {
      name: 'CronJob: the job template is migrated',
      code: cronJob('            aadpodidbinding: api-id\n', ''),
      files: identityFiles,
      errors: [{ line: 13, message: /pod template of CronJob report/ }],
      output: cronJob('            azure.workload.identity/use: "true"\n', '          serviceAccountName: api-id\n') + shopAccount(),
    },
    {
      name: 'Pod without namespace: account written without one, lookup in the default namespace',
      code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    aadpodidbinding: api-id\nspec:\n  containers:\n    - name: p\n      image: p\n',
      errors: [{ line: 6, message: /^Pod p binds/ }],
      output:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    azure.workload.identity/use: "true"\nspec:\n  serviceAccountName: api-id\n  containers:\n    - name: p\n      image: p\n' +
        account('api-id', PLACEHOLDER),
    },
    {
      name: 'a Pod that is an item of a List',
      code: listed('aadpodidbinding: api-id', ''),
      files: identityFiles,
      errors: [{ line: 9, text: 'aadpodidbinding: api-id' }],
      output: listed('azure.workload.identity/use: "true"', '    serviceAccountName: api-id\n') + shopAccount(),
    },
    {
      name: 'flow-style labels and pod spec are edited in flow style',
      code: deployment('        {app: a, aadpodidbinding: x}\n', '      {containers: [{name: a, image: a}]}\n').replace('      labels:\n        {', '      labels: {').replace('    spec:\n      {', '    spec: {'),
      errors: [{ line: 12, text: 'aadpodidbinding: x' }],
      output:
        deployment('        {app: a, azure.workload.identity/use: "true"}\n', '      {serviceAccountName: x, containers: [{name: a, image: a}]}\n')
          .replace('      labels:\n        {', '      labels: {')
          .replace('    spec:\n      {', '    spec: {') + shopAccount('x', PLACEHOLDER),
    },
    {
      name: 'label only on the workload: removed with its now empty labels map',
      code: deployment('        app: api\n', withSa('api-sa') + containers).replace('  namespace: shop\n', '  namespace: shop\n  labels:\n    aadpodidbinding: api-id\n'),
      errors: [{ line: 7, message: /does nothing.*Remove it/ }],
      output: deployment('        app: api\n', withSa('api-sa') + containers),
    },
    {
      name: 'templated label value: reported, identity unknown, no fix',
      code: helm('        aadpodidbinding: {{ .Values.podIdentity }}'),
      errors: [{ line: 15, text: 'aadpodidbinding: {{ .Values.podIdentity }}', message: /templated aadpodidbinding label.*No fix/ }],
      output: null,
    },
    {
      name: 'quoted templated value',
      code: helm('        aadpodidbinding: "{{ .Release.Name }}-identity"'),
      errors: [{ line: 15, message: /templated/ }],
      output: null,
    },
    {
      name: 'Helm template with a literal label: fixed around the template actions',
      code: helm('        aadpodidbinding: api-id', `      serviceAccountName: api-sa\n${containers}`),
      // The chart writes no namespace: the account is looked up in the default one.
      files: { ...identityFiles, 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`).replace('shop', 'default') },
      errors: [{ line: 15 }],
      output: helm('        azure.workload.identity/use: "true"', `      serviceAccountName: api-sa\n${containers}`),
    },
    {
      name: 'Helm template with a templated account name: labels fixed, account left to the chart',
      code: helm('        aadpodidbinding: api-id', `      serviceAccountName: {{ include "shop.serviceAccountName" . }}\n${containers}`),
      files: identityFiles,
      errors: [{ line: 15, message: new RegExp(`service account name is templated: annotate that account with azure.workload.identity/client-id "${CLIENT}"`) }],
      output: helm('        azure.workload.identity/use: "true"', `      serviceAccountName: {{ include "shop.serviceAccountName" . }}\n${containers}`),
    },
    {
      name: 'Helm template with a templated namespace: no fix',
      code: helm('        aadpodidbinding: api-id').replace('  labels:\n    {{-', '  namespace: {{ .Release.Namespace }}\n  labels:\n    {{-'),
      errors: [{ line: 16, message: /No fix: the namespace is templated/ }],
      output: null,
    },
    {
      name: 'Helm: a templated label on the workload itself stays, the pod template is still migrated',
      code: helm('        aadpodidbinding: api-id', `      serviceAccountName: api-sa\n${containers}`).replace('  labels:\n    {{-', '  labels:\n    aadpodidbinding: {{ .Values.podIdentity }}\n    {{-'),
      files: { 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`).replace('shop', 'default') },
      errors: [{ line: 6, message: /templated, so no fix removes it/ }, { line: 16 }],
      output: helm('        azure.workload.identity/use: "true"', `      serviceAccountName: api-sa\n${containers}`).replace(
        '  labels:\n    {{-',
        '  labels:\n    aadpodidbinding: {{ .Values.podIdentity }}\n    {{-',
      ),
    },
    {
      name: 'an edit that would land inside a multi-line template action of the account is refused',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + containers),
      files: { 'sa.yaml': serviceAccount('api-sa', '  annotations:\n    team: {{ .Values.team\n      | quote }}\n') },
      errors: [{ line: 13, message: /^(?!.*placeholder).*No fix: the manifest cannot be edited here without touching template text/ }],
      output: null,
    },
    {
      name: 'CRLF line endings are kept; the only workload label goes with its labels map',
      code: deployment('        aadpodidbinding: api-id\n', containers)
        .replace('  namespace: shop\n', '  namespace: shop\n  labels:\n    aadpodidbinding: api-id\n')
        .replace(/\n/g, '\r\n'),
      files: identityFiles,
      errors: [{ line: 7 }, { line: 15 }],
      output: (deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount()).replace(/\n/g, '\r\n'),
    },
    {
      name: '4-space indentation and indented sequences are kept',
      code: statefulSet('aadpodidbinding: api-id', ''),
      files: identityFiles,
      errors: [{ line: 14 }],
      output: statefulSet('azure.workload.identity/use: "true"', '            serviceAccountName: api-id\n') + account('api-id', JSON.stringify(CLIENT), { namespace: 'shop', step: '    ' }),
    },
    {
      name: 'file without a trailing newline',
      code: deployment('        aadpodidbinding: api-id\n', containers).replace(/\n$/, ''),
      files: identityFiles,
      errors: [{ line: 13 }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount(),
    },
    {
      name: 'byte order mark at the start of the file is kept',
      code: '\uFEFF' + deployment('        aadpodidbinding: api-id\n', containers),
      files: identityFiles,
      errors: [{ line: 13, text: 'aadpodidbinding: api-id' }],
      output: '\uFEFF' + deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount(),
    },
    {
      name: 'service principal identity: placeholder and the reason',
      code: deployment('        aadpodidbinding: api-id\n', containers),
      files: { 'identity.yaml': identity().replace('type: 0', 'type: 1') },
      errors: [{ line: 13, message: /service principal \(type 1\).*could not be found/ }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount('api-id', PLACEHOLDER),
    },
    {
      name: 'two identities for one selector: placeholder',
      code: deployment('        aadpodidbinding: api-id\n', containers),
      files: { ...identityFiles, 'second.yaml': identity().replace(/api-id-identity/g, 'other-identity').replace('api-id-binding', 'other-binding') },
      errors: [{ line: 13, message: /2 identities.*choose one/ }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers) + shopAccount('api-id', PLACEHOLDER),
    },
    {
      name: 'anchored labels are not edited through',
      code: deployment('        &labels\n        app: api\n        aadpodidbinding: api-id\n', containers, '      app: api\n'),
      files: identityFiles,
      errors: [{ line: 15, message: /No fix: .*anchor/ }],
      output: null,
    },
    {
      name: 'pod template not fixable (anchor): the label on the workload is still removed on its own',
      code: labelled('    aadpodidbinding: api-id\n', '        aadpodidbinding: api-id\n', '').replace('      labels:\n        app: api', '      labels: &labels\n        app: api'),
      files: identityFiles,
      errors: [{ line: 7, message: /does nothing.*Remove it\./ }, { line: 16, message: /No fix: .*anchor/ }],
      output: labelled('', '        aadpodidbinding: api-id\n', '').replace('      labels:\n        app: api', '      labels: &labels\n        app: api'),
    },
    {
      name: 'an empty label value cannot name an account',
      code: deployment('        aadpodidbinding:\n', containers),
      errors: [{ line: 13, message: /No fix: the label value cannot name a service account/ }],
      output: null,
    },
    {
      name: 'a hard-coded AZURE_CLIENT_ID is mentioned',
      code: deployment('        aadpodidbinding: api-id\n', withSa('api-sa') + '      containers:\n      - name: api\n        env:\n        - {name: AZURE_CLIENT_ID, value: "0000"}\n'),
      files: { ...identityFiles, 'sa.yaml': serviceAccount('api-sa', `  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`) },
      errors: [{ line: 13, message: /Container api hard-codes AZURE_CLIENT_ID "0000"/ }],
      output: deployment('        azure.workload.identity/use: "true"\n', withSa('api-sa') + '      containers:\n      - name: api\n        env:\n        - {name: AZURE_CLIENT_ID, value: "0000"}\n'),
    },
    {
      name: 'selectors naming the label get an info note, never a fix',
      code: `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    aadpodidbinding: api-id
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  podSelector:
    matchLabels:
      aadpodidbinding: api-id
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - key: aadpodidbinding
          operator: Exists
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pdb
spec:
  selector:
    matchLabels: {aadpodidbinding: api-id}
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  serviceAccountName: p
  topologySpreadConstraints:
  - labelSelector:
      matchLabels:
        aadpodidbinding: api-id
  containers: []
`,
      errors: [
        { line: 7, severity: 'info', text: 'aadpodidbinding', message: /This selector matches pods.*stops matching/ },
        { line: 16, severity: 'info' },
        { line: 21, severity: 'info', text: 'aadpodidbinding' },
        { line: 30, severity: 'info' },
        { line: 41, severity: 'info', message: /This labelSelector/ },
      ],
      output: null,
    },
  ],
});

test('pod-identity-label: the placeholder is marked for a human and the fix needs input', () => {
  const project = new Project();
  project.set('a.yaml', deployment('        aadpodidbinding: api-id\n', containers));
  const [finding] = project.check('a.yaml').filter((f) => f.ruleId === podIdentityLabel.id);
  assert.equal(finding.deprecated, true);
  assert.equal(finding.fix?.needsInput, true);
  const edit = finding.fix.edits.find((e) => e.placeholders)!;
  assert.deepEqual(edit.placeholders!.map((p) => edit.text.slice(p.offset, p.offset + p.length)), [PLACEHOLDER_CLIENT_ID]);
});

test('pod-identity-label: the client id found needs no input and names the binding and identity', () => {
  const project = new Project();
  project.set('identity.yaml', identity());
  project.set('a.yaml', deployment('        aadpodidbinding: api-id\n', containers));
  const [finding] = project.check('a.yaml').filter((f) => f.ruleId === podIdentityLabel.id);
  assert.equal(finding.fix?.needsInput, undefined);
  assert.ok(finding.fix!.edits.every((e) => !e.placeholders));
  assert.deepEqual(finding.related?.map((r) => [r.file, r.message]), [
    ['identity.yaml', 'AzureIdentityBinding shop/api-id-binding selects "api-id"'],
    ['identity.yaml', 'AzureIdentity shop/api-id-identity'],
  ]);
});

test('pod-identity-label: two workloads sharing a selector get one service account through fix-all', () => {
  const project = new Project();
  project.set('identity.yaml', identity());
  const second = deployment('        aadpodidbinding: api-id\n', containers).replace('name: api\n', 'name: worker\n');
  project.set('a.yaml', `${deployment('        aadpodidbinding: api-id\n', containers)}---\n${second}`);
  project.fixAll();
  const migrated = (name: string) => deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers).replace('name: api\n', `name: ${name}\n`);
  assert.equal(project.text('a.yaml'), `${migrated('api')}---\n${migrated('worker')}${shopAccount()}`);
  assert.deepEqual(project.check('a.yaml').filter((f) => f.ruleId === podIdentityLabel.id), []);
  assert.equal(project.fixAll().has('a.yaml'), false, 'idempotent');
});

test('pod-identity-label: selector case is idempotent through fix-all', () => {
  const project = new Project();
  project.set('identity.yaml', identity());
  project.set('a.yaml', deployment('        aadpodidbinding: api-id\n', containers, '      aadpodidbinding: api-id\n'));
  project.fixAll();
  const after = project.text('a.yaml');
  const left = project.check('a.yaml').filter((f) => f.ruleId === podIdentityLabel.id);
  assert.equal(left.length, 1);
  assert.equal(left[0].fix, undefined);
  assert.equal(project.fixAll().has('a.yaml'), false);
  assert.equal(project.text('a.yaml'), after);
});

test('pod-identity-label: dns1123 names', () => {
  assert.equal(dns1123('My_App.Identity'), 'my-app-identity');
  assert.equal(dns1123('--x--'), 'x');
  assert.equal(dns1123('a'.repeat(70)), 'a'.repeat(63));
  assert.equal(dns1123('!!!'), '');
});

test('pod-identity-label: workloads in two files sharing an account get one copy of it through fix-all', () => {
  const project = new Project();
  project.set('identity.yaml', identity());
  project.set('b.yaml', deployment('        aadpodidbinding: api-id\n', containers));
  project.set('a.yaml', cronJob('            aadpodidbinding: api-id\n', ''));
  project.fixAll();
  // The first file by path (not by the order the files were added) creates the account beside its
  // workload; the other reuses it.
  assert.equal(project.text('a.yaml'), cronJob('            azure.workload.identity/use: "true"\n', '          serviceAccountName: api-id\n') + shopAccount());
  assert.equal(project.text('b.yaml'), deployment('        azure.workload.identity/use: "true"\n', withSa('api-id') + containers));
});

test('pod-identity-label: in a Helm template the new ServiceAccount gets a template file of its own beside it', () => {
  const project = new Project();
  project.set('identity.yaml', identity());
  const template = [
    '{{- if .Values.enabled }}',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}-api',
    '  namespace: shop',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    '        aadpodidbinding: api-id',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: "{{ .Values.image }}"',
    '{{- end }}',
    '',
  ].join('\n');
  project.set('chart/templates/deployment.yaml', template);
  const [finding] = project.check('chart/templates/deployment.yaml').filter((f) => f.ruleId === 'pod-identity-label');
  assert.ok(finding?.fix, 'fix offered');
  const created = finding.fix.edits.find((e) => e.file === 'chart/templates/api-id-serviceaccount.yaml');
  assert.ok(created, 'the account goes to a new file beside the template');
  const changed = project.fixAll();
  assert.equal(
    changed.get('chart/templates/api-id-serviceaccount.yaml'),
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api-id\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`,
  );
  const fixed = project.text('chart/templates/deployment.yaml')!;
  assert.ok(fixed.endsWith('          image: "{{ .Values.image }}"\n{{- end }}\n'), 'nothing appended after the template block');
  assert.match(fixed, /azure\.workload\.identity\/use: "true"\n {4}spec:\n {6}serviceAccountName: api-id\n/);
});

test('an account with `annotations: {}` gets the client and tenant id as a block (one edit, not two inserts into the braces)', () => {
  const project = new Project();
  project.set('identity.yaml', identity('api-id', `  tenantID: ${TENANT}\n`));
  project.set('sa.yaml', serviceAccount('api-sa', '  annotations: {}  # filled in by the migration\n'));
  project.set('deploy.yaml', deployment('        aadpodidbinding: api-id\n', '      serviceAccountName: api-sa\n      containers:\n      - name: api\n        image: api\n'));
  project.fixAll();
  assert.equal(
    project.text('sa.yaml'),
    serviceAccount('api-sa', `  annotations:  # filled in by the migration\n    azure.workload.identity/client-id: "${CLIENT}"\n    azure.workload.identity/tenant-id: "${TENANT}"\n`),
  );
});
