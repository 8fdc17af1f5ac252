# The billing team's pod identity, created from Windows.
$ResourceGroup = 'shop-rg'
$ClusterName = 'shop-aks'
$IdentityId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shop-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/billing-identity'

az identity federated-credential create --name billing `
  --identity-name "$(($IdentityId -split '/')[8])" --resource-group "$(($IdentityId -split '/')[4])" `
  --issuer "$(az aks show --resource-group $ResourceGroup --name $ClusterName --query oidcIssuerProfile.issuerUrl -o tsv)" `
  --subject "system:serviceaccount:shop:billing-sa" --audiences api://AzureADTokenExchange

Write-Host "Pod identity billing created."
