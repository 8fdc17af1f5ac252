// Entry of the Azure bundle (dist/azure.js). Loaded on the first Azure command only.
import * as vscode from 'vscode';
import type { WorkspaceIndex } from '../../core/workspace';
import { signInFor } from './auth';
import { vscodeSessionTokens } from './auth-vscode';
import { runFlow } from './commands';
import type { FlowContext } from './context';
import { positionsIn } from '../convert';
import { CancelledError, failed, FlowError, type Log, type Result } from './result';
import type { ScriptedEffects } from './scriptedUi';
import { configuredAzureSettings } from './settings-vscode';
import type { Ui, UiReports } from './ui';
import { applyFileEdits, VsCodeUi } from './ui-vscode';

/** What the extension hands to the Azure commands. */
export interface AzureCommandHost {
  output: vscode.OutputChannel;
  /** The live workspace index (service accounts, identities, pods). */
  index: () => WorkspaceIndex;
  /** Current text of a workspace file by its key (URI string): the open document first. */
  text: (path: string) => string | undefined;
  /** Host-test hooks (the test-only bundle dist/test-hooks.js); absent in normal use. */
  testing?: AzureTestHooks;
}

/** What host tests hook in: the real UI's reports, and a scripted UI in place of the user. */
export interface AzureTestHooks extends UiReports {
  /** A UI that answers this run from a script, or undefined; `finished` gets the run's output lines. */
  scriptedRun(command: string, effects: Required<ScriptedEffects>): { ui: Ui; finished(log: string[]): void } | undefined;
}

export interface AzureModule {
  runCommand(id: string, host: AzureCommandHost, ...args: unknown[]): Promise<unknown>;
}

/** Runs an Azure command; resolves with its Result (executeCommand callers and tests read it). */
export async function runCommand(id: string, host: AzureCommandHost, ...args: unknown[]): Promise<Result<unknown>> {
  // The palette hides the commands there (package.json enablement); executeCommand does not.
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!vscode.workspace.isTrusted) return failed('The Azure commands are disabled in an untrusted workspace.');
  if (folders.length > 0 && folders.every((f) => f.uri.scheme !== 'file')) {
    const message = 'The Azure commands need the workspace on a real file system; this is a virtual workspace.';
    void vscode.window.showWarningMessage(message);
    return failed(message);
  }
  const settings = configuredAzureSettings();
  const lines: string[] = [];
  const log = recording(host.output, lines);
  const scripted = host.testing?.scriptedRun(id, {
    applyEdits: (edits) => applyFileEdits(edits, host),
    copy: async (text) => vscode.env.clipboard.writeText(text),
    errors: { FlowError, CancelledError },
  });
  const ui: Ui = scripted?.ui ?? new VsCodeUi(host, host.testing);
  const context: FlowContext = {
    ui,
    log,
    settings,
    signIn: signInFor(settings, {
      vscode: vscodeSessionTokens(settings.cloud),
      showDeviceCode: (message) => {
        log.info(message);
        void vscode.window.showInformationMessage(message, { modal: false });
      },
    }),
    workspace: { index: host.index, text: host.text, cursor: cursorOf(vscode.window.activeTextEditor) },
  };
  const result = await runFlow(id, context, args);
  scripted?.finished(lines);
  return result;
}

function cursorOf(editor: vscode.TextEditor | undefined): FlowContext['workspace']['cursor'] {
  if (!editor) return undefined;
  return { file: editor.document.uri.toString(), offset: positionsIn(editor.document).offset(editor.selection.active) };
}

/** The output channel (a LogOutputChannel when the extension made one), lines kept for tests. */
function recording(channel: vscode.OutputChannel, lines: string[]): Log {
  const levelled = channel as Partial<vscode.LogOutputChannel>;
  const write = (level: 'info' | 'warn' | 'error') => (message: string) => {
    lines.push(`${level}: ${message}`);
    const method = levelled[level];
    if (typeof method === 'function') method.call(channel, message);
    else channel.appendLine(`[${level}] ${message}`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

// The cluster check's federated-credential part (src/vscode/clusterCommand.ts calls it): no picker, no sign-in prompt.
export { checkFederatedInEditor } from './federatedCheck/editor';
