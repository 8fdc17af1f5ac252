/** Manifests that many tests need, built the same way everywhere. */

export interface IdentityWithBinding {
  namespace: string;
  /** AzureIdentity name. */
  identity: string;
  /** AzureIdentityBinding name. */
  binding: string;
  selector: string;
  clientID: string;
  tenantID?: string;
}

/** An AzureIdentity (type 0) and the AzureIdentityBinding that selects it, as one file. */
export function identityWithBinding(o: IdentityWithBinding): string {
  return `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: ${o.identity}, namespace: ${o.namespace}}
spec:
  type: 0
  clientID: ${o.clientID}
${o.tenantID ? `  tenantID: ${o.tenantID}\n` : ''}---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: ${o.binding}, namespace: ${o.namespace}}
spec:
  azureIdentity: ${o.identity}
  selector: ${o.selector}
`;
}

/**
 * A big manifest of the shape issue 7 found slow: `perKind` each of Deployments labelled
 * aadpodidbinding (each selector its own identity, so each migration creates its own
 * ServiceAccount, and every new account lands at one spot: the end of the file), KEDA
 * TriggerAuthentications with provider azure, AzureIdentity/AzureIdentityBinding pairs, and
 * ConfigMaps with block scalars. `only: 'deployments'` leaves out the other kinds (then no identity
 * is found, and each new account holds the placeholder client id).
 */
export function bigManifest(perKind: number, only?: 'deployments'): string {
  const docs: string[] = [];
  for (let i = 0; i < perKind; i++) {
    const ns = `team-${i % 5}`;
    const clientID = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    docs.push(
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
        aadpodidbinding: id-${i}
    spec:
      containers:
        - name: app
          image: contoso.azurecr.io/app:${i}
`,
    );
    if (only) continue;
    docs.push(
      `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: keda-auth-${i}
  namespace: ${ns}
spec:
  podIdentity:
    provider: azure
`,
      identityWithBinding({ namespace: ns, identity: `identity-${i}`, binding: `binding-${i}`, selector: `id-${i}`, clientID }),
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-${i}
  namespace: ${ns}
data:
  script: |
    #!/bin/sh
    echo "aadpodidbinding is only text here"
    ---
    exit 0
  folded: >-
    one
    two
`,
    );
  }
  return docs.join('---\n');
}
