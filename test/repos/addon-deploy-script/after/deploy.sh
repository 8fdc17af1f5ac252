#!/usr/bin/env bash
# Sets up the shop's pod identities with the AKS-managed add-on, as the AKS docs showed it.
set -euo pipefail

export RESOURCE_GROUP="shop-rg"
export CLUSTER_NAME="shop-aks"
export POD_IDENTITY_NAME="orders"
export POD_IDENTITY_NAMESPACE="shop"
IDENTITY_RESOURCE_ID="$(az identity show -g "$RESOURCE_GROUP" -n orders-identity --query id -o tsv)"

az feature register --name EnablePodIdentityPreview --namespace Microsoft.ContainerService
az extension add --name aks-preview

az aks update \
  --resource-group "${RESOURCE_GROUP}" \
  --name "${CLUSTER_NAME}" \
  --enable-oidc-issuer --enable-workload-identity

az identity federated-credential create --name "${POD_IDENTITY_NAME}" \
  --identity-name "${IDENTITY_RESOURCE_ID##*/}" --resource-group "$(echo "$IDENTITY_RESOURCE_ID" | cut -d/ -f5)" \
  --issuer "$(az aks show --resource-group "${RESOURCE_GROUP}" --name "${CLUSTER_NAME}" --query oidcIssuerProfile.issuerUrl -o tsv)" \
  --subject "system:serviceaccount:${POD_IDENTITY_NAMESPACE}:orders" --audiences api://AzureADTokenExchange

kubectl apply -f k8s/
