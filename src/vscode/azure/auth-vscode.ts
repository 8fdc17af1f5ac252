import * as vscode from 'vscode';
import type { SessionTokenSource } from './auth';
import type { Cloud } from './clouds';
import { networkFailureOf } from './errors';

/**
 * VS Code's own sign-in, as Microsoft's Azure extensions use it: a session of the `microsoft`
 * provider (`microsoft-sovereign-cloud` for US Government and China) for the management scope,
 * in a tenant when one is named (`VSCODE_TENANT:<id>`).
 */
export function vscodeSessionTokens(cloud: Cloud): SessionTokenSource {
  return async (scopes, tenantId) => {
    if (cloud.sovereignEnvironment) {
      const configured = vscode.workspace.getConfiguration('microsoft-sovereign-cloud').get<string>('environment');
      if (configured !== cloud.sovereignEnvironment) {
        throw new Error(`Signing in to ${cloud.name} needs the setting microsoft-sovereign-cloud.environment set to ${cloud.sovereignEnvironment} (it is ${configured ?? 'not set'}).`);
      }
    }
    const withTenant = tenantId ? [...scopes, `VSCODE_TENANT:${tenantId}`] : scopes;
    let session: vscode.AuthenticationSession;
    try {
      session = await vscode.authentication.getSession(cloud.authProvider, withTenant, { createIfNone: true });
    } catch (error) {
      // Not the sign-in method's fault: errors.ts words it as a network failure.
      if (networkFailureOf(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw Object.assign(new Error(`VS Code could not sign in with the ${cloud.authProvider} provider (${reason}). In a host without it, set wiMigrate.azure.authentication to azureCli or deviceCode.`), { name: 'AuthenticationError' });
    }
    return session.accessToken;
  };
}
