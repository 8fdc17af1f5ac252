/** The Azure clouds the commands know, and what each changes: endpoints, authority, audience. */
export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface Cloud {
  name: CloudName;
  /** Resource Manager, where every SDK call goes (unless the endpoint setting overrides it). */
  resourceManagerEndpoint: string;
  /** The scope of Resource Manager tokens (the one Microsoft's own Azure extensions ask for). */
  managementScope: string;
  /** Microsoft Entra authority, for the @azure/identity fallbacks. */
  authorityHost: string;
  /** The `aud` of the Kubernetes token a federated credential accepts. */
  tokenExchangeAudience: string;
  /** VS Code authentication provider that signs in to this cloud. */
  authProvider: 'microsoft' | 'microsoft-sovereign-cloud';
  /** What `microsoft-sovereign-cloud.environment` must say for this cloud. */
  sovereignEnvironment?: 'USGovernment' | 'ChinaCloud';
}

export const CLOUDS: Record<CloudName, Cloud> = {
  AzureCloud: {
    name: 'AzureCloud',
    resourceManagerEndpoint: 'https://management.azure.com',
    managementScope: 'https://management.core.windows.net/.default',
    authorityHost: 'https://login.microsoftonline.com',
    tokenExchangeAudience: 'api://AzureADTokenExchange',
    authProvider: 'microsoft',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    managementScope: 'https://management.core.usgovcloudapi.net/.default',
    authorityHost: 'https://login.microsoftonline.us',
    tokenExchangeAudience: 'api://AzureADTokenExchangeUSGov',
    authProvider: 'microsoft-sovereign-cloud',
    sovereignEnvironment: 'USGovernment',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    managementScope: 'https://management.core.chinacloudapi.cn/.default',
    authorityHost: 'https://login.chinacloudapi.cn',
    tokenExchangeAudience: 'api://AzureADTokenExchangeChina',
    authProvider: 'microsoft-sovereign-cloud',
    sovereignEnvironment: 'ChinaCloud',
  },
};

export function cloudNamed(name: string | undefined): Cloud {
  return CLOUDS[(name ?? '') as CloudName] ?? CLOUDS.AzureCloud;
}
