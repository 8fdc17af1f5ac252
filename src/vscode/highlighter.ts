import * as vscode from 'vscode';
import type { Highlight } from '../core/highlights';
import { HIGHLIGHT_KINDS } from '../core/highlightKinds';
import type { Steps } from '../core/steps';
import { rangeIn } from './convert';
import { loadedCore } from './coreLoader';
import type { Indexer } from './indexer';
import { isManifestDocument, type Linter } from './linter';
import type { Settings } from './settings';
import { runSliced } from './slices';

/** The highlights as tokens, a few hundred per step. */
function* pushSteps(builder: vscode.SemanticTokensBuilder, document: vscode.TextDocument, highlights: readonly Highlight[]): Steps<void> {
  for (const [i, h] of highlights.entries()) {
    builder.push(rangeIn(document, h.start, h.end), h.kind);
    if (i % 200 === 199) yield;
  }
}

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
    // The file as the linter indexed it: the documents the pre-scan skipped have nothing to colour, and are not parsed.
    let file = this.indexer.loaded?.parsedFile(key);
    if (file?.text !== document.getText() && document.version === version && !token.isCancellationRequested) {
      // The index is being rebuilt (a settings change): its check of this document follows.
      await this.indexer.ready;
      await this.linter.current(document);
      file = this.indexer.loaded?.parsedFile(key);
    }
    // Typed over meanwhile: VS Code keeps the tokens it has and asks again.
    const outdated = () => token.isCancellationRequested || document.version !== version;
    if (!core || outdated() || file?.text !== document.getText()) throw new vscode.CancellationError();
    // In time slices, like the check: a big file's thousands of documents never block the extension host.
    const highlights = await runSliced(core.highlightsSteps(file), outdated);
    const pushed = highlights && (await runSliced(pushSteps(builder, document, highlights.value), outdated));
    if (!pushed) throw new vscode.CancellationError();
    return builder.build();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
