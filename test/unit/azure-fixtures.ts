// Workspace manifests and a seed for the Azure unit tests: a shop/web workload on pod identity
// (its AzureIdentity names app-identity of the sample world) and a KEDA TriggerAuthentication.
import { APP_CLIENT_ID, SUBSCRIPTION_ID, sampleWorld } from '../arm/sampleWorld';
import type { ArmSeed } from '../arm/state';

export const KEDA_CLIENT_ID = '7d6c5b4a-3f2e-4d1c-9b8a-0f1e2d3c4b5a';
export const APP_IDENTITY_ID = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity`;

export const SHOP = 'file:///ws/shop.yaml';
export const IDENTITY = 'file:///ws/identity.yaml';
export const KEDA = 'file:///ws/keda.yaml';

export const SHOP_YAML = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        aadpodidbinding: app-identity
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: contoso.azurecr.io/shop/web:1.0.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: probe
  namespace: shop
spec:
  selector:
    matchLabels:
      app: probe
  template:
    metadata:
      labels:
        app: probe
    spec:
      containers:
        - name: probe
          image: contoso.azurecr.io/shop/probe:1.0.0
`;

export const IDENTITY_YAML = `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: app-identity
  namespace: shop
spec:
  type: 0
  resourceID: ${APP_IDENTITY_ID}
  clientID: ${APP_CLIENT_ID}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: app-identity-binding
  namespace: shop
spec:
  azureIdentity: app-identity
  selector: app-identity
`;

export const KEDA_YAML = `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: queue-auth
  namespace: shop
spec:
  podIdentity:
    provider: azure-workload
    identityId: ${KEDA_CLIENT_ID}
`;

export const WORKSPACE = { [SHOP]: SHOP_YAML, [IDENTITY]: IDENTITY_YAML, [KEDA]: KEDA_YAML };

/** The sample world with a known client id on keda-identity. */
export function seed(): ArmSeed {
  const world = sampleWorld();
  world.identities = world.identities!.map((i) => (i.name === 'keda-identity' ? { ...i, clientId: KEDA_CLIENT_ID } : i));
  return world;
}

/** Answers that sign in to Contoso's subscription (the account has two tenants). */
export const SIGN_IN = [{ pick: 'Contoso', expect: 'tenant' }, { pick: 'Contoso Production', expect: 'subscription' }];
