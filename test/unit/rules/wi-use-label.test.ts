import { wiUseLabel } from '../../../src/core/rules/wi-use-label';
import { ruleTester } from '../../support/rule-tester';

/** A Deployment whose pod template metadata is `podMeta` (lines indented by 4). */
const deploy = (podMeta: string, own = '', selector = '      app: api\n') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
${own}spec:
  selector:
    matchLabels:
${selector}  template:
    metadata:
${podMeta}    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: api:1
`;

const sa = (meta: string) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
${meta}`;

/** A Job indented by 4 whose own labels hold the use label; `podMeta` is its pod template's metadata. */
const job = (podMeta: string) => `apiVersion: batch/v1
kind: Job
metadata:
    name: migrate
    labels:
        azure.workload.identity/use: "true"
spec:
    template:
${podMeta}        spec:
            serviceAccountName: migrate
            containers:
                - name: migrate
                  image: migrate:1
`;

/** A CronJob whose own labels hold the use label; `podLabels` is its pod template's flow-style labels. */
const cronJob = (podLabels: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  labels: {azure.workload.identity/use: "true"}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: ${podLabels}
        spec:
          serviceAccountName: nightly
          containers: [{name: n, image: n}]
`;

ruleTester(wiUseLabel, {
  valid: [
    { name: 'label "true" on the pod template', code: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "true"\n') },
    { name: 'single-quoted true', code: deploy("      labels:\n        app: api\n        azure.workload.identity/use: 'true'\n") },
    { name: 'an explicit opt-out is valid', code: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "false"\n') },
    { name: 'templated value is unknown', code: deploy('      labels:\n        app: api\n        azure.workload.identity/use: {{ .Values.wi | quote }}\n') },
    {
      name: 'workload labels beside pod template labels',
      code: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "true"\n', '  labels:\n    azure.workload.identity/use: "true"\n'),
    },
    {
      name: 'Helm: the pod labels come from an include that may hold the label',
      code: deploy('      labels:\n        {{- include "api.labels" . | nindent 8 }}\n', '  labels:\n    azure.workload.identity/use: "true"\n'),
    },
    { name: 'a ServiceAccount without it', code: sa('  annotations:\n    azure.workload.identity/client-id: "11111111-2222-3333-4444-555555555555"\n') },
    { name: 'other kinds are ignored', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    azure.workload.identity/use: true\n' },
  ],
  invalid: [
    {
      name: 'unquoted true is a boolean: quoted',
      code: deploy('      labels:\n        app: api\n        azure.workload.identity/use: true   # opt in\n'),
      errors: [{ line: 13, text: 'true', message: /Kubernetes rejects label values that are not strings. Quote it: "true"/ }],
      output: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "true"   # opt in\n'),
    },
    {
      name: 'YAML 1.1 booleans Kubernetes reads: yes becomes "true", off becomes "false"',
      code: deploy('      labels:\n        azure.workload.identity/use: yes\n') + '---\n' + deploy('      labels:\n        azure.workload.identity/use: off\n'),
      errors: [{ line: 12, text: 'yes' }, { line: 30, text: 'off', message: /Quote it: "false"/ }],
      output: deploy('      labels:\n        azure.workload.identity/use: "true"\n') + '---\n' + deploy('      labels:\n        azure.workload.identity/use: "false"\n'),
    },
    {
      name: 'ON, which YAML 1.2 reads as a string, is a boolean to Kubernetes',
      code: deploy('      labels:\n        azure.workload.identity/use: ON\n'),
      errors: [{ line: 12, text: 'ON', message: /boolean/ }],
      output: deploy('      labels:\n        azure.workload.identity/use: "true"\n'),
    },
    {
      name: 'a truthy spelling is corrected, keeping its quotes',
      code: deploy("      labels:\n        azure.workload.identity/use: 'True'\n"),
      errors: [{ line: 12, message: /is "True".*exactly "true"/ }],
      output: deploy("      labels:\n        azure.workload.identity/use: 'true'\n"),
    },
    {
      name: 'another value is reported without a fix',
      code: deploy('      labels:\n        azure.workload.identity/use: "enabled"\n'),
      errors: [{ line: 12, message: /is "enabled".*or remove the label/ }],
      output: null,
    },
    {
      name: 'a number is reported without a fix',
      code: deploy('      labels:\n        azure.workload.identity/use: 1\n'),
      errors: [{ line: 12, message: /as a number/ }],
      output: null,
    },
    {
      name: 'annotation moved to the existing labels',
      code: deploy('      labels:\n        app: api\n      annotations:\n        azure.workload.identity/use: "true"\n        prometheus.io/scrape: "true"\n'),
      errors: [{ line: 14, text: 'azure.workload.identity/use', message: /only as a label/ }],
      output: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "true"\n      annotations:\n        prometheus.io/scrape: "true"\n'),
    },
    {
      name: 'CRLF: the only annotation goes with its annotations: key, labels: is created',
      code: deploy('      annotations:\n        azure.workload.identity/use: "true"\n').replace(/\n/g, '\r\n'),
      errors: [{ line: 12 }],
      output: deploy('      labels:\n        azure.workload.identity/use: "true"\n').replace(/\n/g, '\r\n'),
    },
    {
      name: 'the label is already there: the annotation is removed',
      code: deploy('      labels:\n        azure.workload.identity/use: "true"\n      annotations:\n        azure.workload.identity/use: "true"\n        team: a\n'),
      errors: [{ line: 14, message: /already there/ }],
      output: deploy('      labels:\n        azure.workload.identity/use: "true"\n      annotations:\n        team: a\n'),
    },
    {
      name: 'an annotation that does not opt in is removed',
      code: deploy('      labels:\n        app: api\n      annotations:\n        azure.workload.identity/use: "false"\n        team: a\n'),
      errors: [{ line: 14, message: /Remove it/ }],
      output: deploy('      labels:\n        app: api\n      annotations:\n        team: a\n'),
    },
    {
      name: 'flow-style pod metadata is edited in flow style',
      code: deploy('      {labels: {app: api}, annotations: {azure.workload.identity/use: "true"}}\n').replace('    metadata:\n      {', '    metadata: {'),
      errors: [{ line: 10 }],
      output: deploy('      {labels: {app: api, azure.workload.identity/use: "true"}}\n').replace('    metadata:\n      {', '    metadata: {'),
    },
    {
      name: 'Helm: annotation beside templated labels is reported without a fix',
      code: deploy('      labels:\n        app: api\n        {{- include "api.labels" . | nindent 8 }}\n      annotations:\n        azure.workload.identity/use: "true"\n'),
      errors: [{ line: 15 }],
      output: null,
    },
    {
      name: 'Helm: a templated annotation value is reported without a fix',
      code: deploy('      labels:\n        app: api\n      annotations:\n        azure.workload.identity/use: {{ .Values.wi | quote }}\n'),
      errors: [{ line: 14, message: /Move it/ }],
      output: null,
    },
    {
      name: 'Helm: a boolean next to template actions is still quoted',
      code: deploy('      labels:\n        app: {{ .Chart.Name }}\n        azure.workload.identity/use: true\n'),
      errors: [{ line: 13 }],
      output: deploy('      labels:\n        app: {{ .Chart.Name }}\n        azure.workload.identity/use: "true"\n'),
    },
    {
      name: 'on the workload only (4-space indent): added to the pod template labels',
      code: job(''),
      errors: [{ line: 6, text: 'azure.workload.identity/use', message: /Job's own labels.*spec.template.metadata.labels/ }],
      output: job('        metadata:\n            labels:\n                azure.workload.identity/use: "true"\n'),
    },
    {
      name: 'on the workload as a boolean: quoted there and added to the pod template',
      code: deploy('      labels:\n        app: api\n', '  labels:\n    azure.workload.identity/use: true\n'),
      errors: [{ line: 6, text: 'azure.workload.identity/use' }, { line: 6, text: 'true' }],
      output: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "true"\n', '  labels:\n    azure.workload.identity/use: "true"\n'),
    },
    {
      name: 'CronJob: the pod template is under jobTemplate',
      code: cronJob('{app: nightly}'),
      errors: [{ line: 5, message: /jobTemplate.spec.template.metadata.labels/ }],
      output: cronJob('{app: nightly, azure.workload.identity/use: "true"}'),
    },
    {
      name: 'in the selector: reported, never fixed',
      code: deploy('      labels:\n        app: api\n        azure.workload.identity/use: "true"\n', '', '      app: api\n      azure.workload.identity/use: "true"\n'),
      errors: [{ line: 9, text: 'azure.workload.identity/use', message: /selector is immutable.*deleting and re-creating/ }],
      output: null,
    },
    {
      name: 'in matchExpressions and in a ReplicationController selector',
      code: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector:
    matchExpressions:
      - {key: azure.workload.identity/use, operator: In, values: ["true"]}
  template:
    metadata:
      labels: {azure.workload.identity/use: "true"}
    spec:
      serviceAccountName: db
      containers: [{name: db, image: db}]
---
apiVersion: v1
kind: ReplicationController
metadata: {name: old}
spec:
  selector:
    azure.workload.identity/use: "true"
  template:
    metadata:
      labels: {azure.workload.identity/use: "true"}
    spec:
      serviceAccountName: old
      containers: [{name: old, image: old}]
`,
      errors: [{ line: 7, text: 'azure.workload.identity/use' }, { line: 20 }],
      output: null,
    },
    {
      name: 'a Pod: annotation moved to its own labels',
      code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    azure.workload.identity/use: "true"\nspec:\n  serviceAccountName: p\n  containers: [{name: p, image: p}]\n',
      errors: [{ line: 6, message: /annotation/ }],
      output: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    azure.workload.identity/use: "true"\nspec:\n  serviceAccountName: p\n  containers: [{name: p, image: p}]\n',
    },
    {
      name: 'on a ServiceAccount: removed from labels and annotations',
      code: sa('  labels:\n    app: api\n    azure.workload.identity/use: "true"\n  annotations:\n    azure.workload.identity/use: "true"\n    azure.workload.identity/client-id: "11111111-2222-3333-4444-555555555555"\n'),
      errors: [
        { line: 7, message: /ServiceAccount's labels does nothing/ },
        { line: 9, message: /ServiceAccount's annotations does nothing/ },
      ],
      output: sa('  labels:\n    app: api\n  annotations:\n    azure.workload.identity/client-id: "11111111-2222-3333-4444-555555555555"\n'),
    },
    {
      name: 'on a flow-style ServiceAccount: the emptied labels go too',
      code: 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, labels: {azure.workload.identity/use: "true"}}\n',
      errors: [{ line: 3 }],
      output: 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api}\n',
    },
    {
      name: 'on a ServiceAccount with a templated value: reported without a fix',
      code: sa('  labels:\n    azure.workload.identity/use: {{ .Values.wi | quote }}\n'),
      errors: [{ line: 6 }],
      output: null,
    },
  ],
});
