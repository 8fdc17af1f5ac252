/**
 * The big manifest of issue 7: 4 000 documents (about 1.26 MB), a quarter each of Deployments
 * labelled `aadpodidbinding`, KEDA TriggerAuthentications with `provider: azure`, AzureIdentity /
 * AzureIdentityBinding pairs, and ConfigMaps with block scalars. Deterministic: the same text on
 * every call, so the host tests and the benchmark measure the same file.
 *
 * Names live in namespaces of their own (`bulk-<n>`), so a workspace holding this file keeps the
 * findings of its other files.
 */
export const BIG_MANIFEST_DOCUMENTS = 4000;

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bulk-app-${i}
  namespace: bulk-${i % 10}
  labels:
    app.kubernetes.io/name: bulk-app-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: bulk-app-${i}
  template:
    metadata:
      labels:
        app: bulk-app-${i}
        aadpodidbinding: bulk-id-${i % 250}
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/bulk/app:1.${i}.0
`;
}

function triggerAuthentication(i: number): string {
  return `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: bulk-trigger-auth-${i}
  namespace: bulk-${i % 10}
spec:
  podIdentity:
    provider: azure
    identityId: 00000000-0000-4000-8000-${String(i).padStart(12, '0')}
  secretTargetRef:
    - parameter: connection
      name: bulk-secret-${i}
      key: connection-string
`;
}

/** Two documents: the identity and the binding that selects it. */
function identityPair(i: number): string {
  return `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: bulk-identity-${i}
  namespace: bulk-${i % 10}
spec:
  type: 0
  resourceID: /subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/bulk/providers/Microsoft.ManagedIdentity/userAssignedIdentities/bulk-identity-${i}
  clientID: 11111111-1111-4111-8111-${String(i).padStart(12, '0')}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: bulk-binding-${i}
  namespace: bulk-${i % 10}
spec:
  azureIdentity: bulk-identity-${i}
  selector: bulk-id-${i % 250}
`;
}

function configMap(i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: bulk-config-${i}
  namespace: bulk-${i % 10}
data:
  app.properties: |
    # settings of bulk-app-${i}
    server.port=8080
    log.level=info
  notes.txt: >
    Folded text that the
    parser joins into one line.
`;
}

/** The text of the big manifest (LF line ends, `---` between documents). */
export function bigManifest(documents = BIG_MANIFEST_DOCUMENTS): string {
  const parts: string[] = [];
  // Groups of eight documents: two of each kind (an identity pair is two documents).
  for (let i = 0; i < Math.ceil(documents / 8); i++) {
    parts.push(deployment(2 * i), triggerAuthentication(2 * i), identityPair(i), configMap(2 * i));
    parts.push(deployment(2 * i + 1), triggerAuthentication(2 * i + 1), configMap(2 * i + 1));
  }
  return parts.join('---\n');
}
