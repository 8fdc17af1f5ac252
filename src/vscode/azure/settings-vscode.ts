import * as vscode from 'vscode';
import { azureSettings, type AzureSettings } from './settings';

/** The `wiMigrate.azure.*` settings as the user has them, read and checked by `azureSettings`. */
export function configuredAzureSettings(): AzureSettings {
  const config = vscode.workspace.getConfiguration('wiMigrate.azure');
  return azureSettings({
    cloud: config.get<string>('cloud'),
    audience: config.get<string>('audience'),
    authentication: config.get<string>('authentication'),
    resourceManagerEndpoint: config.get<string>('resourceManagerEndpoint'),
    tenant: config.get<string>('tenant'),
    kedaOperatorServiceAccount: config.get<string>('kedaOperatorServiceAccount'),
    signInTimeoutSeconds: config.get<number>('signInTimeoutSeconds'),
  });
}
