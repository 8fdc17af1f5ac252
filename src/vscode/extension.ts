import * as vscode from 'vscode';
import { registerAzureCommands } from './azureCommands';
import { checkCluster } from './clusterCommand';
import { CodeActions } from './codeActions';
import { COMMAND_IDS } from './commands';
import { FixAllWorker } from './fixAll';
import { HIGHLIGHT_LEGEND, Highlighter } from './highlighter';
import { Indexer } from './indexer';
import { Linter, manifestSelector, type CheckCounts } from './linter';
import { migrateWorkspace } from './migrate';
import type { MigrationView } from './migrationView';
import { registerMigrationView } from './migrationViewCommands';
import { readSettings, SECTION } from './settings';
import type { TestApi, TestHooks } from './testHooks';

/**
 * What `activate` returns: used by the integration tests to wait for the index and the checks.
 * In a host test run (WI_TEST_HOOKS), the test-only hooks of testHooks.ts come with it.
 */
export interface ExtensionApi extends Partial<TestApi> {
  ready(): Promise<void>;
  onDidCheck: vscode.Event<vscode.Uri>;
  onDidStartCheck: vscode.Event<vscode.Uri>;
  /** How many checks of a document were started, published, dropped, sliced (tests observe the linter's work). */
  checkCounts(uri: vscode.Uri): CheckCounts;
  /** The migration view (its model, tree items, context keys, and an event per new model). */
  migrationView: MigrationView;
  /** The files whose parse the index holds, and how many of the parses it had let go of were made again (undefined before the analysis loads). */
  indexParses(): { held: string[]; reparsed: number } | undefined;
}

/** The test-only bundle the host tests' harness names (dist/test-hooks.js); nothing else sets WI_TEST_HOOKS. */
function testHooks(): TestHooks | undefined {
  const bundle = process.env.WI_TEST_HOOKS;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle named at run time, by the host tests only
  return bundle ? (require(bundle) as typeof import('./testHooks')).createTestHooks() : undefined;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  let settings = readSettings();
  const isOpen = (key: string) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === key);
  const indexer = new Indexer(settings, isOpen);
  const linter = new Linter(indexer, settings);
  const highlighter = new Highlighter(indexer, settings, linter);
  const fixer = new FixAllWorker();
  const hooks = testHooks();
  context.subscriptions.push(indexer, linter, highlighter, fixer, ...(hooks ? [hooks] : []));

  const checkOpen = () => vscode.workspace.textDocuments.forEach((d) => linter.schedule(d, 0));
  checkOpen();
  void indexer.rebuild(settings);

  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => linter.schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => linter.schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      linter.forget(d);
      indexer.reload(d.uri);
    }),
    indexer.onDidChange(() => linter.recheckOthers()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('files.exclude')) void indexer.rebuild(settings).then(checkOpen);
      if (!e.affectsConfiguration(SECTION)) return;
      const previous = settings;
      settings = readSettings();
      linter.useSettings(settings);
      highlighter.useSettings(settings);
      const reindex =
        previous.options.defaultNamespace !== settings.options.defaultNamespace ||
        JSON.stringify([previous.include, previous.exclude, previous.maxFileSize]) !== JSON.stringify([settings.include, settings.exclude, settings.maxFileSize]);
      if (reindex) void indexer.rebuild(settings).then(checkOpen);
      else checkOpen();
    }),
    // The documents the providers answer for (each narrows them further with `isManifestDocument`).
    vscode.languages.registerCodeActionsProvider(manifestSelector(), new CodeActions(linter, indexer, () => settings, fixer), CodeActions.metadata),
    vscode.languages.registerDocumentSemanticTokensProvider(manifestSelector(), highlighter, HIGHLIGHT_LEGEND),
    vscode.commands.registerCommand(COMMAND_IDS.migrateWorkspace, () => migrateWorkspace(indexer, linter, settings)),
  );
  const output = vscode.window.createOutputChannel('Workload Identity', { log: true });
  context.subscriptions.push(output, ...registerAzureCommands({ output, index: () => indexer.core, text: (p) => linter.text(p), testing: hooks?.api.azureTesting }));
  // The cluster check: read-only, through the user's kubeconfig; its code (dist/cluster.js) loads on the first run.
  let clusterChannel: vscode.OutputChannel | undefined;
  const channel = () => (clusterChannel ??= vscode.window.createOutputChannel('Workload Identity: Cluster'));
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_IDS.checkCluster, () => checkCluster({ channel, index: () => indexer.core, indexReady: async () => void (await indexer.indexed()) })),
    { dispose: () => clusterChannel?.dispose() },
  );

  // The migration view, its status bar item and its commands (issue 11).
  const migration = registerMigrationView(indexer, linter, () => settings);
  context.subscriptions.push(...migration.disposables);

  return {
    migrationView: migration.view,
    ready: () => indexer.ready,
    onDidCheck: linter.onDidCheck,
    onDidStartCheck: linter.onDidStartCheck,
    checkCounts: (uri) => linter.checkCounts(uri),
    indexParses: () => {
      const index = indexer.loaded;
      return index && { held: index.heldPaths, reparsed: index.reparsed };
    },
    ...hooks?.api,
  };
}
