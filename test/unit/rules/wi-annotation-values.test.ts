import { wiAnnotationValues } from '../../../src/core/rules/wi-annotation-values';
import { ruleTester } from '../../support/rule-tester';

const ID = '11111111-2222-3333-4444-555555555555';

/** A ServiceAccount whose annotations are `annotations` (lines indented by 4). */
const sa = (annotations: string) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  annotations:
${annotations}`;

/** A Deployment whose pod template metadata is `podMeta` (lines indented by 4) and pod spec extra lines `spec`. */
const deploy = (podMeta: string, spec = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
${podMeta}    spec:
      serviceAccountName: api
${spec}      containers:
        - name: api
          image: api:1
        - name: envoy
          image: envoy:1
`;

const wiLabels = '      labels:\n        app: api\n        azure.workload.identity/use: "true"\n';

ruleTester(wiAnnotationValues, {
  valid: [
    {
      name: 'good ServiceAccount annotations',
      code: sa(`    azure.workload.identity/client-id: "${ID}"\n    azure.workload.identity/tenant-id: ${ID}\n    azure.workload.identity/service-account-token-expiration: "86400"\n`),
    },
    {
      name: 'good pod annotations',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/skip-containers: "envoy; api"\n        azure.workload.identity/inject-proxy-sidecar: "true"\n        azure.workload.identity/proxy-sidecar-port: "8080"\n`),
    },
    { name: 'Helm: templated values are unknown', code: sa('    azure.workload.identity/client-id: {{ .Values.clientId | quote }}\n    azure.workload.identity/service-account-token-expiration: {{ .Values.ttl }}\n') },
    {
      name: 'Helm: containers rendered by a template may hold the skipped names',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/skip-containers: "sidecar"\n`).replace(
        '      containers:\n',
        '      containers:\n        {{- include "api.extraContainers" . | nindent 8 }}\n',
      ),
    },
    { name: 'the use label is wi-use-label\'s concern', code: sa('    azure.workload.identity/use: true\n') },
    { name: 'other annotations are not looked at', code: sa('    prometheus.io/port: 8080\n') },
    { name: 'hostNetwork without the sidecar', code: deploy(wiLabels, '      hostNetwork: true\n') },
    {
      name: 'the sidecar on a pod off the host network',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "true"\n`, '      hostNetwork: false\n'),
    },
    { name: 'the shortest token lifetime', code: sa('    azure.workload.identity/service-account-token-expiration: "3600"\n') },
  ],
  invalid: [
    {
      name: 'the placeholder gets its own message',
      code: sa('    azure.workload.identity/client-id: "<managed-identity-client-id>"\n'),
      errors: [{ line: 6, text: '"<managed-identity-client-id>"', message: /^Replace the placeholder with the managed identity's client id/ }],
      output: null,
    },
    {
      name: 'client and tenant ids that are not GUIDs, and an empty one',
      code: sa('    azure.workload.identity/client-id: my-identity\n    azure.workload.identity/tenant-id: ""\n'),
      errors: [
        { line: 6, message: /client-id "my-identity" is not a GUID/ },
        { line: 7, message: /tenant-id is empty/ },
      ],
      output: null,
    },
    {
      name: 'token expiration out of range, or not a number: no fix',
      code: sa('    azure.workload.identity/service-account-token-expiration: 600\n') + '---\n' + sa('    azure.workload.identity/service-account-token-expiration: "1h"\n'),
      errors: [{ line: 6, message: /is "600".*3600 to 86400/ }, { line: 13, message: /is "1h"/ }],
      output: null,
    },
    {
      name: 'token expiration one second over the maximum',
      code: sa('    azure.workload.identity/service-account-token-expiration: "86401"\n'),
      errors: [{ line: 6, text: '"86401"' }],
      output: null,
    },
    {
      name: 'an unquoted number is quoted (CRLF)',
      code: sa(`    azure.workload.identity/client-id: "${ID}"\n    azure.workload.identity/service-account-token-expiration: 3600 # one hour\n`).replace(/\n/g, '\r\n'),
      errors: [{ line: 7, text: '3600', message: /not a string.*number.*Quote it: "3600"/ }],
      output: sa(`    azure.workload.identity/client-id: "${ID}"\n    azure.workload.identity/service-account-token-expiration: "3600" # one hour\n`).replace(/\n/g, '\r\n'),
    },
    {
      name: 'flow-style annotations are quoted in place',
      code: `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, annotations: {azure.workload.identity/client-id: "${ID}", azure.workload.identity/service-account-token-expiration: 7200}}\n`,
      errors: [{ line: 3, text: '7200' }],
      output: `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, annotations: {azure.workload.identity/client-id: "${ID}", azure.workload.identity/service-account-token-expiration: "7200"}}\n`,
    },
    {
      name: 'sidecar keys written as labels move to new annotations',
      code: deploy(`${wiLabels}        azure.workload.identity/inject-proxy-sidecar: "true"\n        azure.workload.identity/proxy-sidecar-port: 8080\n`),
      errors: [
        { line: 13, text: 'azure.workload.identity/inject-proxy-sidecar', message: /written as a label.*Move it/ },
        { line: 14, text: 'azure.workload.identity/proxy-sidecar-port' },
      ],
      // One fix moves both, so that two fixes never race to create `annotations:`.
      output: deploy(
        `${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "true"\n        azure.workload.identity/proxy-sidecar-port: "8080"\n`,
      ),
    },
    {
      name: 'a sidecar label beside existing annotations (4-space indent); unquoted values are quoted on the way',
      code: `apiVersion: v1
kind: Pod
metadata:
    name: api
    labels:
        azure.workload.identity/use: "true"
        azure.workload.identity/inject-proxy-sidecar: true
    annotations:
        team: a
spec:
    serviceAccountName: api
    containers:
        - name: api
          image: api:1
`,
      errors: [{ line: 7 }],
      output: `apiVersion: v1
kind: Pod
metadata:
    name: api
    labels:
        azure.workload.identity/use: "true"
    annotations:
        team: a
        azure.workload.identity/inject-proxy-sidecar: "true"
spec:
    serviceAccountName: api
    containers:
        - name: api
          image: api:1
`,
    },
    {
      name: 'labels that are all sidecar keys go as a whole; both land in the existing annotations',
      code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    azure.workload.identity/skip-containers: envoy\n    azure.workload.identity/proxy-sidecar-port: "9000"\n  annotations:\n    team: a\nspec:\n  containers: [{name: envoy, image: envoy}]\n',
      errors: [{ line: 6 }, { line: 7 }],
      output: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    team: a\n    azure.workload.identity/skip-containers: envoy\n    azure.workload.identity/proxy-sidecar-port: "9000"\nspec:\n  containers: [{name: envoy, image: envoy}]\n',
    },
    {
      name: 'a label whose annotation is already there is removed; flow style',
      code: deploy('      {labels: {app: api, azure.workload.identity/skip-containers: envoy}, annotations: {azure.workload.identity/skip-containers: envoy}}\n').replace('    metadata:\n      {', '    metadata: {'),
      errors: [{ line: 9, message: /already there/ }],
      output: deploy('      {labels: {app: api}, annotations: {azure.workload.identity/skip-containers: envoy}}\n').replace('    metadata:\n      {', '    metadata: {'),
    },
    {
      name: 'Helm: a sidecar label beside annotations a template renders into is reported without a fix',
      code: deploy(`${wiLabels}        azure.workload.identity/proxy-sidecar-port: "9000"\n      annotations:\n        team: a\n        {{- toYaml .Values.podAnnotations | nindent 8 }}\n`),
      errors: [{ line: 13 }],
      output: null,
    },
    {
      name: 'Helm: a sidecar label with a templated value is reported without a fix',
      code: deploy(`${wiLabels}        azure.workload.identity/proxy-sidecar-port: {{ .Values.port | quote }}\n`),
      errors: [{ line: 13 }],
      output: null,
    },
    {
      name: 'inject-proxy-sidecar: "false" still injects: the annotation is removed',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "false"\n        team: a\n`),
      errors: [{ line: 14, text: '"false"', message: /whenever the annotation is present/ }],
      output: deploy(`${wiLabels}      annotations:\n        team: a\n`),
    },
    {
      name: 'an unquoted false goes too, and with it the emptied annotations',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: false\n`),
      errors: [{ line: 14 }],
      output: deploy(wiLabels),
    },
    {
      name: 'the sidecar refuses hostNetwork pods: no fix',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "true"\n`, '      hostNetwork: true\n'),
      errors: [{ line: 17, text: 'true', message: /refuses hostNetwork pods/ }],
      output: null,
    },
    {
      name: 'skip-containers naming containers that do not exist',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/skip-containers: "envoy;istio-proxy; sidecar"\n`),
      errors: [{ line: 14, message: /"istio-proxy", "sidecar", which are not containers of this pod \(api, envoy\)/ }],
      output: null,
    },
    {
      name: 'a proxy port that is not a port',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/proxy-sidecar-port: "80000"\n`),
      errors: [{ line: 14, message: /from 1 to 65535/ }],
      output: null,
    },
    {
      name: 'a YAML 1.1 boolean on the pod: quoted as written',
      code: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: yes\n`),
      errors: [{ line: 14, message: /boolean/ }],
      output: deploy(`${wiLabels}      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "yes"\n`),
    },
  ],
});
