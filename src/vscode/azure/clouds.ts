/** The Azure clouds the commands know, and what each changes: endpoints, authority. */
export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface Cloud {
  name: CloudName;
  /** Resource Manager, where every SDK call goes (unless the endpoint setting overrides it). */
  resourceManagerEndpoint: string;
  /** The scope of Resource Manager tokens (the one Microsoft's own Azure extensions ask for). */
  managementScope: string;
  /** Microsoft Entra authority, for the @azure/identity fallbacks. */
  authorityHost: string;
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
    authProvider: 'microsoft',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    managementScope: 'https://management.core.usgovcloudapi.net/.default',
    authorityHost: 'https://login.microsoftonline.us',
    authProvider: 'microsoft-sovereign-cloud',
    sovereignEnvironment: 'USGovernment',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    managementScope: 'https://management.core.chinacloudapi.cn/.default',
    authorityHost: 'https://login.chinacloudapi.cn',
    authProvider: 'microsoft-sovereign-cloud',
    sovereignEnvironment: 'ChinaCloud',
  },
};

/**
 * The `aud` of the Kubernetes token a federated credential accepts, in every cloud: the token
 * exchanged on AKS is the projected service-account token, whose audience the workload identity
 * webhook sets (`DefaultAudience = "api://AzureADTokenExchange"`, azure-workload-identity
 * `pkg/webhook/consts.go`) unless it runs with `--audience`. `api://AzureADTokenExchangeUSGov` and
 * `…China` belong to Entra's "app trusts a managed identity" scenario, not to AKS: a credential
 * with them is accepted at creation and fails only at token exchange (AADSTS700212).
 */
export const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';

export function cloudNamed(name: string | undefined): Cloud {
  return CLOUDS[(name ?? '') as CloudName] ?? CLOUDS.AzureCloud;
}
