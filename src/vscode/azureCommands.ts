import * as vscode from 'vscode';
import type { AzureCommandHost, AzureModule } from './azure';
import { AZURE_COMMAND_IDS } from './commands';

/**
 * The Azure commands live in their own bundle (dist/azure.js, with the Azure SDKs) that is loaded
 * the first time one of them runs: activation never pays for the SDKs.
 */
export const AZURE_COMMANDS = AZURE_COMMAND_IDS;

let loaded: AzureModule | undefined;

function loadAzure(): AzureModule {
  // A plain require of the sibling bundle: esbuild leaves './azure' external (scripts/build.mjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously, from the bundle beside this one
  loaded ??= require('./azure') as AzureModule;
  return loaded;
}

export function registerAzureCommands(host: AzureCommandHost): vscode.Disposable[] {
  return AZURE_COMMANDS.map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('Azure commands are disabled in an untrusted workspace. Trust the workspace to use them.');
        return undefined;
      }
      return loadAzure().runCommand(id, host, ...args);
    }),
  );
}
