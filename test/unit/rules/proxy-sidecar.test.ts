import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { applyEdits } from '../../../src/core/edits';
import { checkDocumentAt, Project } from '../../../src/core/engine';
import { podIdentityLabel } from '../../../src/core/rules/pod-identity-label';
import type { Finding } from '../../../src/core/rule';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const IDENTITY = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: api-identity, namespace: shop}
spec: {type: 0, clientID: ${CLIENT}}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: api-binding, namespace: shop}
spec: {azureIdentity: api-identity, selector: api-id}
`;

/** A Deployment whose pod template has `metadata` (already indented under `template:`) and `spec`. */
const deployment = (metadata: string, spec = '      containers:\n      - name: api\n        image: api\n') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
${metadata}    spec:
${spec}`;

/** The pod label finding of `text` (in app.yaml beside the identity), as the lightbulb's variant computes it. */
function variant(text: string, proxySidecar = true): { finding: Finding; fixed?: string } {
  const project = new Project();
  project.set('identity.yaml', IDENTITY);
  const file = project.set('app.yaml', text);
  const plain = project.check('app.yaml').find((f) => f.ruleId === podIdentityLabel.id && text.slice(f.start, f.end).startsWith('aadpodidbinding'));
  assert.ok(plain, 'the pod template label is reported');
  const finding = checkDocumentAt(file, project.index, plain.start, { proxySidecar }, [podIdentityLabel]).find((f) => f.start === plain.start && f.end === plain.end);
  assert.ok(finding);
  const fixed = finding.fix && applyEdits(text, finding.fix.edits.filter((e) => e.file === 'app.yaml'));
  return { finding, fixed };
}

test('the proxy-sidecar variant migrates the pod and adds both annotations in a new annotations map', () => {
  const text = deployment('      labels:\n        app: api\n        aadpodidbinding: api-id  # bound\n');
  const { finding, fixed } = variant(text);
  assert.equal(finding.fix?.title, 'Migrate Deployment api to workload identity keeping IMDS: add the proxy sidecar');
  assert.equal(
    fixed,
    deployment(
      '      labels:\n        app: api\n        azure.workload.identity/use: "true"  # bound\n' +
        '      annotations:\n        azure.workload.identity/inject-proxy-sidecar: "true"\n        azure.workload.identity/proxy-sidecar-port: "8000"\n',
      '      serviceAccountName: api-id\n      containers:\n      - name: api\n        image: api\n',
    ) +
      `---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api-id\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: "${CLIENT}"\n`,
  );
  const [pod] = parseAllDocuments(fixed).map((d) => d.toJS() as { spec: { template: { metadata: { annotations: Record<string, string> } } } });
  assert.deepEqual(pod.spec.template.metadata.annotations, { 'azure.workload.identity/inject-proxy-sidecar': 'true', 'azure.workload.identity/proxy-sidecar-port': '8000' });
});

test('without the option the same finding migrates without the sidecar', () => {
  const text = deployment('      labels:\n        aadpodidbinding: api-id\n');
  const { finding, fixed } = variant(text, false);
  assert.equal(finding.fix?.title, 'Migrate Deployment api to workload identity');
  assert.ok(fixed && !fixed.includes('proxy-sidecar'));
});

test('existing annotations get the sidecar keys appended; a key already there is kept as written', () => {
  const text = deployment('      annotations:\n        prometheus.io/scrape: "true"\n        azure.workload.identity/proxy-sidecar-port: "9000"\n      labels:\n        aadpodidbinding: api-id\n');
  const { fixed } = variant(text);
  assert.ok(fixed);
  assert.ok(
    fixed.includes(
      '      annotations:\n        prometheus.io/scrape: "true"\n        azure.workload.identity/proxy-sidecar-port: "9000"\n        azure.workload.identity/inject-proxy-sidecar: "true"\n      labels:\n        azure.workload.identity/use: "true"\n',
    ),
    fixed,
  );
  assert.ok(!fixed.includes('"8000"'));
});

test('a pod on the host network gets no sidecar fix, and the finding says why', () => {
  const text = deployment('      labels:\n        aadpodidbinding: api-id\n', '      hostNetwork: true\n      containers:\n      - name: api\n        image: api\n');
  const { finding, fixed } = variant(text);
  assert.equal(finding.fix, undefined);
  assert.equal(fixed, undefined);
  assert.match(finding.message, /No fix: the pod runs on the host network \(hostNetwork: true\), where the workload identity proxy sidecar cannot run\./);
  // The plain migration is still offered for that pod.
  assert.ok(variant(text, false).finding.fix);
});

test('CRLF and a flow-style empty annotations map keep their shape', () => {
  const text = deployment('      annotations: {}\n      labels:\n        aadpodidbinding: api-id\n').replace(/\n/g, '\r\n');
  const { fixed } = variant(text);
  assert.ok(fixed);
  assert.ok(!/[^\r]\n/.test(fixed), 'only CRLF line ends');
  const [pod] = parseAllDocuments(fixed).map((d) => d.toJS() as { spec: { template: { metadata: { annotations: Record<string, string> } } } });
  assert.equal(pod.spec.template.metadata.annotations['azure.workload.identity/inject-proxy-sidecar'], 'true');
});
