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
  --enable-pod-identity

az aks pod-identity add \
  --resource-group "${RESOURCE_GROUP}" \
  --cluster-name "${CLUSTER_NAME}" \
  --namespace "${POD_IDENTITY_NAMESPACE}" \
  --name "${POD_IDENTITY_NAME}" \
  --identity-resource-id "${IDENTITY_RESOURCE_ID}"

kubectl apply -f k8s/
