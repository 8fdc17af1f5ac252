// The cluster, deployed with the AKS-managed pod identity add-on: AKS creates an AzureIdentity
// and an AzureIdentityBinding for each entry of podIdentityProfile.userAssignedIdentities.
@description('The AKS cluster name.')
param clusterName string = 'aks-contoso-shop'
param location string = resourceGroup().location

resource shippingIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-shipping'
  location: location
}

resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {
  name: clusterName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: clusterName
    agentPoolProfiles: [
      {
        name: 'system'
        count: 3
        vmSize: 'Standard_D4s_v5'
        mode: 'System'
      }
    ]
    podIdentityProfile: {
      enabled: true
      userAssignedIdentities: [
        {
          name: 'shipping'
          namespace: 'shipping'
          identity: {
            resourceId: shippingIdentity.id
            clientId: shippingIdentity.properties.clientId
            objectId: shippingIdentity.properties.principalId
          }
        }
      ]
    }
  }
}

output oidcIssuerUrl string = aks.properties.oidcIssuerProfile.issuerURL
