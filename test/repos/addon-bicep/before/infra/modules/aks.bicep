// The shop's AKS cluster and the user-assigned identities its workloads use.
@description('The AKS cluster name.')
param clusterName string
param location string
param kubernetesVersion string = '1.29.4'

var shopNamespace = 'storefront'

resource ordersIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-shop-orders'
  location: location
}

resource paymentsIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-shop-payments'
  location: location
}

resource aks 'Microsoft.ContainerService/managedClusters@2023-08-01' = {
  name: clusterName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    kubernetesVersion: kubernetesVersion
    dnsPrefix: '${clusterName}-dns'
    enableRBAC: true
    agentPoolProfiles: [
      {
        name: 'system'
        count: 3
        vmSize: 'Standard_D4s_v5'
        osType: 'Linux'
        mode: 'System'
      }
    ]
    networkProfile: {
      networkPlugin: 'azure'
      networkPolicy: 'calico'
    }
    podIdentityProfile: {
      enabled: true
      userAssignedIdentities: [
        {
          name: 'orders'
          namespace: shopNamespace
          bindingSelector: 'orders-api'
          identity: {
            resourceId: ordersIdentity.id
            clientId: ordersIdentity.properties.clientId
            objectId: ordersIdentity.properties.principalId
          }
        }
        {
          name: 'payments'
          namespace: shopNamespace
          identity: {
            resourceId: paymentsIdentity.id
            clientId: paymentsIdentity.properties.clientId
            objectId: paymentsIdentity.properties.principalId
          }
        }
      ]
    }
  }
}

output oidcIssuerUrl string = aks.properties.oidcIssuerProfile.issuerURL
