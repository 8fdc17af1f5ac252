# The billing team's pod identity, created from Windows.
$ResourceGroup = 'shop-rg'
$ClusterName = 'shop-aks'
$IdentityId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shop-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/billing-identity'

az aks pod-identity add `
  --resource-group $ResourceGroup `
  --cluster-name $ClusterName `
  --namespace shop `
  --name billing `
  --identity-resource-id $IdentityId

Write-Host "Pod identity billing created."
