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
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
    }
  }
}

resource ordersIdentityFederatedCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: ordersIdentity
  name: 'storefront-orders'
  properties: {
    issuer: aks.properties.oidcIssuerProfile.issuerURL
    subject: 'system:serviceaccount:storefront:orders'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

resource paymentsIdentityFederatedCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: paymentsIdentity
  name: 'storefront-payments'
  properties: {
    issuer: aks.properties.oidcIssuerProfile.issuerURL
    subject: 'system:serviceaccount:storefront:payments'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

output oidcIssuerUrl string = aks.properties.oidcIssuerProfile.issuerURL
