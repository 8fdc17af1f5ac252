// The editor's door to the federated-credential check (exported by dist/azure.js): the settings,
// the existing sign-in without a prompt, and the check. Called by `Check cluster`
// (src/vscode/clusterCommand.ts) after the cluster is read, never in an untrusted workspace.
import * as vscode from 'vscode';
import { AzureCliCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import { FEDERATED, federatedForAll, type FederatedReport, type FederatedRequest } from '../../../cluster/federated';
import type { Cloud } from '../clouds';
import type { AzureSettings } from '../settings';
import { configuredAzureSettings } from '../settings-vscode';
import { checkFederatedLogged } from './index';

/** Thrown by a credential when nobody is signed in: the check is skipped, not failed. */
class NotSignedInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSignedInError';
  }
}

/**
 * A credential over the sign-in the user already has, which never prompts: VS Code's session asked
 * for silently, or the Azure CLI's `az login`. A device code sign-in cannot be silent: it counts as
 * not signed in.
 */
function existingSignIn(settings: AzureSettings): TokenCredential {
  switch (settings.authentication) {
    case 'azureCli':
      return new AzureCliCredential(settings.tenant ? { tenantId: settings.tenant } : {});
    case 'deviceCode':
      return { getToken: () => Promise.reject(new NotSignedInError('A device code sign-in asks each time.')) };
    case 'vscode':
      return silentSession(settings.cloud, settings.tenant);
  }
}

function silentSession(cloud: Cloud, tenantId: string | undefined): TokenCredential {
  return {
    async getToken(scopes): Promise<AccessToken> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      let session: vscode.AuthenticationSession | undefined;
      try {
        session = await vscode.authentication.getSession(cloud.authProvider, tenantId ? [...list, `VSCODE_TENANT:${tenantId}`] : list, { silent: true });
      } catch (error) {
        // No such provider in this host (code-server, VSCodium): nobody can be signed in through it.
        throw new NotSignedInError(`No ${cloud.authProvider} session: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!session) throw new NotSignedInError(`No ${cloud.authProvider} session.`);
      return { token: session.accessToken, expiresOnTimestamp: Date.now() + 60_000, tokenType: 'Bearer' };
    },
  };
}

/** What the cluster command gets back: the answers, and the Azure calls made (never a token). */
export type EditorFederatedReport = FederatedReport & { log: string[] };

export async function checkFederatedInEditor(request: FederatedRequest): Promise<EditorFederatedReport> {
  if (!vscode.workspace.isTrusted) {
    return { ...federatedForAll(request, FEDERATED.untrusted, 'The workspace is not trusted: Azure is not asked.', false), log: [] };
  }
  const settings = configuredAzureSettings();
  return checkFederatedLogged(request, { credential: existingSignIn(settings), settings });
}
