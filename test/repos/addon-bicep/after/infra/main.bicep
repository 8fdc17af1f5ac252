targetScope = 'resourceGroup'

@description('Environment name, used in resource names.')
param environment string = 'prod'
param location string = resourceGroup().location

module aks 'modules/aks.bicep' = {
  name: 'aks-${environment}'
  params: {
    clusterName: 'aks-shop-${environment}'
    location: location
  }
}

output oidcIssuerUrl string = aks.outputs.oidcIssuerUrl
