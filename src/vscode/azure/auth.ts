import { AzureCliCredential, DeviceCodeCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/identity';
import type { AzureSettings } from './settings';

/**
 * The one place that turns a sign-in into a TokenCredential, per tenant: the VS Code Microsoft
 * account (as Microsoft's own Azure extensions do), or an @azure/identity fallback chosen by
 * `wiMigrate.azure.authentication` for hosts without the Microsoft provider.
 */
export interface SignIn {
  /** How the user signs in, for the log ("VS Code Microsoft account", "Azure CLI"). */
  readonly method: string;
  /** A credential for the tenant (undefined: the account's home/organizations tenant). */
  credential(tenantId?: string): TokenCredential;
}

/** Gets an access token from VS Code's authentication API (auth-vscode.ts); never logged. */
export type SessionTokenSource = (scopes: string[], tenantId: string | undefined, options: GetTokenOptions | undefined) => Promise<string>;

export interface SignInSources {
  /** The VS Code account; required for the `vscode` setting. */
  vscode?: SessionTokenSource;
  /** Shows the device code message (device code setting). */
  showDeviceCode?(message: string): void;
}

/**
 * A TokenCredential over a VS Code session. VS Code does not say when the session's token expires
 * and refreshes it itself, so the token is reported as short-lived: the SDK asks again (cheaply,
 * from VS Code's cache) rather than keep a token VS Code has replaced.
 */
export function sessionCredential(source: SessionTokenSource, tenantId: string | undefined): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      const token = await source(Array.isArray(scopes) ? scopes : [scopes], tenantId, options);
      return { token, expiresOnTimestamp: Date.now() + 60_000, tokenType: 'Bearer' };
    },
  };
}

export function signInFor(settings: AzureSettings, sources: SignInSources): SignIn {
  const cache = new Map<string, TokenCredential>();
  const make = (tenantId: string | undefined): TokenCredential => {
    switch (settings.authentication) {
      case 'azureCli':
        return new AzureCliCredential(tenantId ? { tenantId } : {});
      case 'deviceCode':
        return new DeviceCodeCredential({
          ...(tenantId ? { tenantId } : {}),
          authorityHost: settings.cloud.authorityHost,
          userPromptCallback: (info) => sources.showDeviceCode?.(info.message),
        });
      case 'vscode':
        if (!sources.vscode) throw new Error('VS Code sign-in is not available here; set wiMigrate.azure.authentication to azureCli or deviceCode.');
        return sessionCredential(sources.vscode, tenantId);
    }
  };
  return {
    method: { vscode: 'the VS Code Microsoft account', azureCli: 'the Azure CLI (az login)', deviceCode: 'a device code' }[settings.authentication],
    credential(tenantId) {
      const key = tenantId ?? '';
      let credential = cache.get(key);
      if (!credential) {
        credential = make(tenantId);
        cache.set(key, credential);
      }
      return credential;
    },
  };
}
