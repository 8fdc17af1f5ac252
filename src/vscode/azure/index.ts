// Entry of the Azure bundle (dist/azure.js). Loaded on the first Azure command only.
import type * as vscode from 'vscode';
import type { WorkspaceIndex } from '../../core/workspace';

/** What the extension hands to the Azure commands. */
export interface AzureCommandHost {
  output: vscode.OutputChannel;
  /** The live workspace index (service accounts, identities, pods). */
  index(): WorkspaceIndex;
  /** Current text of a workspace file by its key (URI string): the open document first. */
  text(path: string): string | undefined;
}

export interface AzureModule {
  runCommand(id: string, host: AzureCommandHost, ...args: unknown[]): Promise<unknown>;
}

export async function runCommand(id: string, host: AzureCommandHost, ...args: unknown[]): Promise<unknown> {
  void host;
  void args;
  throw new Error(`Azure command ${id} is not available yet`);
}
