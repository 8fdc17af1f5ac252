// Shared by the azure-*.test.ts unit tests: a test ARM server on the sample world, a workspace
// of manifest texts, a scripted UI, and a FlowContext whose SDK clients are the real ones,
// pointed at the server. Nothing around the SDK is replaced.
import type { TestContext } from 'node:test';
import { applyEdits, type FileEdit } from '../../src/core/edits';
import { parseManifestFile } from '../../src/core/model';
import { WorkspaceIndex } from '../../src/core/workspace';
import type { TokenCredential } from '@azure/identity';
import type { SignIn } from '../../src/vscode/azure/auth';
import { runFlow } from '../../src/vscode/azure/commands';
import type { FlowContext } from '../../src/vscode/azure/context';
import type { Log, Result } from '../../src/vscode/azure/result';
import { ScriptedUi, type ScriptedAnswer, type CancelTrigger } from '../../src/vscode/azure/scriptedUi';
import { azureSettings } from '../../src/vscode/azure/settings';
import { StaticTokenCredential } from '../arm/credentials';
import { sampleWorld } from '../arm/sampleWorld';
import { startArmServer, type ArmServer, type ArmServerOptions } from '../arm/server';

export const TOKEN = 'unit-test-arm-token';

export interface AzureRun {
  result: Result<unknown>;
  ui: ScriptedUi;
  log: string[];
}

export interface AzureHarness {
  server: ArmServer;
  credential: StaticTokenCredential;
  /** Workspace files by key; edits applied by a run land here. */
  files: Map<string, string>;
  /** Runs a command with scripted answers; `cursor` puts the cursor at the first match of text in a file. */
  run(
    command: string,
    answers: ScriptedAnswer[],
    options?: {
      cursor?: { file: string; at: string };
      args?: unknown[];
      cancel?: CancelTrigger;
      onUi?: (ui: ScriptedUi) => void;
      settings?: Parameters<typeof azureSettings>[0];
      /** The sign-in of the run (default: the harness's static token), by tenant. */
      credential?: (tenantId: string | undefined) => TokenCredential;
    },
  ): Promise<AzureRun>;
}

export async function azureHarness(t: TestContext, workspace: Record<string, string> = {}, options: ArmServerOptions = {}): Promise<AzureHarness> {
  const server = await startArmServer({ seed: sampleWorld(), acceptedTokens: [TOKEN], ...options, settings: { writeLatencyMs: 5, ...options.settings } });
  t.after(() => server.close());
  const credential = new StaticTokenCredential(TOKEN);
  const files = new Map(Object.entries(workspace));
  const index = () => {
    const built = new WorkspaceIndex('default');
    for (const [path, text] of files) built.update(parseManifestFile(path, text));
    return built;
  };
  return {
    server,
    credential,
    files,
    async run(command, answers, runOptions = {}) {
      const lines: string[] = [];
      const log: Log = {
        info: (m) => lines.push(`info: ${m}`),
        warn: (m) => lines.push(`warn: ${m}`),
        error: (m) => lines.push(`error: ${m}`),
      };
      const ui = new ScriptedUi(
        { answers, cancel: runOptions.cancel },
        {
          applyEdits: (edits: FileEdit[]) => {
            // All edits of a file at once, on its text before any of them (a workspace edit's offsets).
            for (const file of new Set(edits.map((e) => e.file))) files.set(file, applyEdits(files.get(file) ?? '', edits.filter((e) => e.file === file)));
            return Promise.resolve(true);
          },
        },
      );
      runOptions.onUi?.(ui);
      const signIn: SignIn = { method: 'a test token', credential: runOptions.credential ?? (() => credential) };
      const cursorFile = runOptions.cursor?.file;
      const context: FlowContext = {
        ui,
        log,
        settings: azureSettings({ resourceManagerEndpoint: server.url, ...runOptions.settings }),
        signIn,
        workspace: {
          index,
          text: (path) => files.get(path),
          cursor: cursorFile ? { file: cursorFile, offset: files.get(cursorFile)!.indexOf(runOptions.cursor!.at) } : undefined,
        },
        transport: {
          tlsOptions: { ca: server.cert },
          retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
          pollIntervalMs: 5,
          conflictRetryDelayMs: 10,
          runningOperationPollMs: 5,
        },
      };
      const result = await runFlow(command, context, runOptions.args ?? []);
      return { result, ui, log: lines };
    },
  };
}

/** The requests the server answered, as `METHOD path status`, optionally only those matching. */
export function requestsOf(server: ArmServer, pattern?: RegExp): string[] {
  return server.requests.map((r) => `${r.method} ${r.path} ${r.status}`).filter((line) => !pattern || pattern.test(line));
}
