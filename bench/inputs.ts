// The benchmark's inputs, generated deterministically: the same text on every call.
// The 4 000-document manifest itself is test/support/big-manifest.ts (the host tests use it too).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Words any of which may make a file take part in a finding; the no-identity inputs hold none. */
const IDENTITY_WORDS = ['aadpodid', 'podidentity', 'azureidentity', 'azure.workload.identity', 'serviceaccount', 'provider: azure', 'kustomiz', 'flexvolume', 'keyvault', '.values'];

/** True when `text` holds one of `IDENTITY_WORDS` (case-insensitive). */
export function hasIdentityWord(text: string): boolean {
  const lower = text.toLowerCase();
  return IDENTITY_WORDS.some((w) => lower.includes(w));
}

function plainDeployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: plain-app-${i}
  namespace: plain-${i % 10}
  labels:
    app.kubernetes.io/name: plain-app-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: plain-app-${i}
  template:
    metadata:
      labels:
        app: plain-app-${i}
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/plain/app:1.${i}.0
          ports:
            - containerPort: 8080
`;
}

function service(i: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: plain-svc-${i}
  namespace: plain-${i % 10}
spec:
  selector:
    app: plain-app-${i}
  ports:
    - port: 80
      targetPort: 8080
`;
}

function configMap(i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: plain-config-${i}
  namespace: plain-${i % 10}
data:
  app.properties: |
    # settings of plain-app-${i}
    server.port=8080
    log.level=info
  notes.txt: >
    Folded text that the
    parser joins into one line.
`;
}

/**
 * A manifest of plain Deployments, Services and ConfigMaps, with no pod or workload identity word
 * at all, at least `size` characters long (the size of the big manifest, for B3).
 */
export function noIdentityManifest(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const doc = [plainDeployment, service, configMap][i % 3](Math.floor(i / 3));
    parts.push(doc);
    length += doc.length + 4;
  }
  return parts.join('---\n');
}

/** An ordinary file of the tree: a Deployment, its Service and its ConfigMap. */
function ordinaryFile(i: number): string {
  return [plainDeployment(i), service(i), configMap(i)].join('---\n');
}

/** A file of the tree that uses pod identity: a labelled Deployment, its identity and binding. */
function podIdentityFile(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: pi-app-${i}
  namespace: pi-${i}
spec:
  selector:
    matchLabels:
      app: pi-app-${i}
  template:
    metadata:
      labels:
        app: pi-app-${i}
        aadpodidbinding: pi-id-${i}
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/pi/app:1.${i}.0
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: pi-identity-${i}
  namespace: pi-${i}
spec:
  type: 0
  resourceID: /subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/pi/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pi-identity-${i}
  clientID: 11111111-1111-4111-8111-${String(i).padStart(12, '0')}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: pi-binding-${i}
  namespace: pi-${i}
spec:
  azureIdentity: pi-identity-${i}
  selector: pi-id-${i}
`;
}

/**
 * Writes a tree of `files` YAML files (100 per folder) into `dir`, of which `identityFiles`,
 * spread evenly, use pod identity. Returns the paths of those, relative to `dir`.
 */
export function writeTree(dir: string, files = 10_000, identityFiles = 50): string[] {
  const step = Math.floor(files / identityFiles);
  const identity: string[] = [];
  for (let i = 0; i < files; i++) {
    const folder = `team-${String(Math.floor(i / 100)).padStart(3, '0')}`;
    if (i % 100 === 0) mkdirSync(join(dir, folder), { recursive: true });
    const path = join(folder, `app-${String(i).padStart(5, '0')}.yaml`);
    const usesIdentity = i % step === step - 1 && identity.length < identityFiles;
    if (usesIdentity) identity.push(path);
    writeFileSync(join(dir, path), usesIdentity ? podIdentityFile(i) : ordinaryFile(i));
  }
  return identity;
}

/**
 * A kustomize repository: a base (a Deployment labelled for pod identity, its AzureIdentity and
 * AzureIdentityBinding, a Service) and `overlays` overlays, each with a namespace, a JSON 6902
 * patch of the AzureIdentity and a strategic-merge patch of the Deployment. Paths to texts.
 */
export function kustomizeRepository(overlays = 50): Map<string, string> {
  const files = new Map<string, string>();
  files.set('base/kustomization.yaml', `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - identity.yaml
  - service.yaml
`);
  files.set('base/deployment.yaml', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  selector:
    matchLabels:
      app: orders
  template:
    metadata:
      labels:
        app: orders
        aadpodidbinding: orders-id
    spec:
      containers:
        - name: orders
          image: contoso.azurecr.io/orders:1.0.0
`);
  files.set('base/identity.yaml', `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: orders-identity
spec:
  type: 0
  resourceID: /subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders
  clientID: 11111111-1111-4111-8111-000000000000
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: orders-binding
spec:
  azureIdentity: orders-identity
  selector: orders-id
`);
  files.set('base/service.yaml', service(0));
  for (let i = 0; i < overlays; i++) {
    const env = `env-${String(i).padStart(2, '0')}`;
    files.set(`overlays/${env}/kustomization.yaml`, `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: orders-${env}
resources:
  - ../../base
patches:
  - path: deployment-patch.yaml
  - target:
      group: aadpodidentity.k8s.io
      version: v1
      kind: AzureIdentity
      name: orders-identity
    patch: |-
      - op: replace
        path: /spec/clientID
        value: 22222222-2222-4222-8222-${String(i).padStart(12, '0')}
`);
    files.set(`overlays/${env}/deployment-patch.yaml`, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: ${1 + (i % 3)}
  template:
    spec:
      containers:
        - name: orders
          image: contoso.azurecr.io/orders:1.${i}.0
`);
  }
  return files;
}
