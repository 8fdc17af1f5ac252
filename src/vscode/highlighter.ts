import * as vscode from 'vscode';
import { HIGHLIGHT_KINDS } from '../core/highlightKinds';
import { rangeIn } from './convert';
import { loadedCore } from './coreLoader';
import type { Indexer } from './indexer';
import { isManifestDocument, type Linter } from './linter';
import type { Settings } from './settings';

/** One token type per highlight kind; package.json declares them and maps each to a TextMate scope. */
export const HIGHLIGHT_LEGEND = new vscode.SemanticTokensLegend([...HIGHLIGHT_KINDS], []);

/**
 * Semantic tokens for what the core highlights: the same documents as the checks (and within
 * them only Kubernetes objects of the kinds the rules read), so a file that gets no diagnostic
 * gets no colour either. The document is highlighted from the linter's parse of its current text.
 */
export class Highlighter implements vscode.DocumentSemanticTokensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeSemanticTokens = this.changed.event;

  constructor(private readonly indexer: Indexer, private settings: Settings, private readonly linter: Linter) {}

  /** The size limit may have changed: editors ask for their tokens again. */
  useSettings(settings: Settings): void {
    const resize = settings.maxFileSize !== this.settings.maxFileSize;
    this.settings = settings;
    if (resize) this.changed.fire();
  }

  async provideDocumentSemanticTokens(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.SemanticTokens> {
    const builder = new vscode.SemanticTokensBuilder(HIGHLIGHT_LEGEND);
    if (!isManifestDocument(document) || document.getText().length > this.settings.maxFileSize) return builder.build();
    const key = document.uri.toString();
    const version = document.version;
    // The linter parses the document in time slices and indexes it: its parse is the one
    // highlighted, so a big file is never parsed here in one go, blocking the extension host.
    await this.linter.current(document);
    // Not loaded: nothing of identity in this document (its check would have loaded the analysis), nothing to colour.
    const core = loadedCore();
    if (!core && document.version === version) return builder.build();
    let file = this.indexer.loaded?.file(key);
    if (file?.text !== document.getText() && document.version === version && !token.isCancellationRequested) {
      // The index is being rebuilt (a settings change): its check of this document follows.
      await this.indexer.ready;
      await this.linter.current(document);
      file = this.indexer.loaded?.file(key);
    }
    // Typed over meanwhile: VS Code keeps the tokens it has and asks again.
    if (!core || token.isCancellationRequested || document.version !== version || file?.text !== document.getText()) throw new vscode.CancellationError();
    for (const h of core.highlightsOf(file)) builder.push(rangeIn(document, h.start, h.end), h.kind);
    return builder.build();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
