#!/usr/bin/env bash
# Sets up the catalog service's pod identity with the AKS-managed add-on (the 2021 docs' way).
set -euo pipefail

RG=shop-rg
CLUSTER=shop-aks
CATALOG_IDENTITY_ID="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/catalog-id"

az feature register --namespace Microsoft.ContainerService --name EnablePodIdentityPreview
az extension add --name aks-preview

az aks update --resource-group "$RG" --name "$CLUSTER" \
  --enable-pod-identity

az aks pod-identity add --resource-group "$RG" --cluster-name "$CLUSTER" \
  --namespace shop --name catalog \
  --identity-resource-id "$CATALOG_IDENTITY_ID"

kubectl apply -f ../manifests/identity/
kubectl apply -f catalog.yaml
