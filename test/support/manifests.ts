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
