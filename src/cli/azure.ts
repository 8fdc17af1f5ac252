// Entry of dist/cli-azure.js: `wi-migrate cluster --azure`'s federated-credential check, signed in
// with the Azure CLI's login (`az login`, never a prompt). The CLI requires this sibling bundle
// only for `--azure`, so that no other command loads the Azure SDKs. Never logs a token.
import { AzureCliCredential } from '@azure/identity';
import type { FederatedReport, FederatedRequest } from '../cluster/federated';
import type { Transport } from '../vscode/azure/clients';
import { checkFederatedLogged } from '../vscode/azure/federatedCheck';
import { azureSettings } from '../vscode/azure/settings';

export interface CliAzureOptions {
  /** AzureCloud, AzureUSGovernment or AzureChinaCloud. */
  cloud: string;
  tenant?: string;
  /** Overrides the cloud's Resource Manager endpoint (a custom cloud; the tests' local server). */
  resourceManagerEndpoint?: string;
  /** Tests: TLS trust and retry pacing of the SDK clients. */
  transport?: Transport;
}

/** The federated credentials of the request's workloads, through `az login`'s account. Never throws. */
export async function checkFederatedFromCli(request: FederatedRequest, options: CliAzureOptions): Promise<FederatedReport & { log: string[] }> {
  const settings = azureSettings({ cloud: options.cloud, tenant: options.tenant, authentication: 'azureCli', resourceManagerEndpoint: options.resourceManagerEndpoint });
  return checkFederatedLogged(request, {
    credential: new AzureCliCredential(settings.tenant ? { tenantId: settings.tenant } : {}),
    settings,
    transport: options.transport,
  });
}
