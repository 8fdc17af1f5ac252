import * as vscode from 'vscode';
import { HIGHLIGHT_KINDS, highlightsOf } from '../core/highlights';
import { parseManifestFile } from '../core/model';
import { rangeIn } from './convert';
import type { Indexer } from './indexer';
import { isManifestDocument } from './linter';
import type { Settings } from './settings';

/** One token type per highlight kind; package.json declares them and maps each to a TextMate scope. */
export const HIGHLIGHT_LEGEND = new vscode.SemanticTokensLegend([...HIGHLIGHT_KINDS], []);

/**
 * Semantic tokens for what the core highlights: the same documents as the checks (and within
 * them only Kubernetes objects of the kinds the rules read), so a file that gets no diagnostic
 * gets no colour either. A document the linter has indexed at this text is not parsed again.
 */
export class Highlighter implements vscode.DocumentSemanticTokensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeSemanticTokens = this.changed.event;

  constructor(private readonly indexer: Indexer, private settings: Settings) {}

  /** The size limit may have changed: editors ask for their tokens again. */
  useSettings(settings: Settings): void {
    const resize = settings.maxFileSize !== this.settings.maxFileSize;
    this.settings = settings;
    if (resize) this.changed.fire();
  }

  provideDocumentSemanticTokens(document: vscode.TextDocument): vscode.SemanticTokens {
    const builder = new vscode.SemanticTokensBuilder(HIGHLIGHT_LEGEND);
    const text = document.getText();
    if (!isManifestDocument(document) || text.length > this.settings.maxFileSize) return builder.build();
    const key = document.uri.toString();
    const indexed = this.indexer.core.file(key);
    const file = indexed?.text === text ? indexed : parseManifestFile(key, text, indexed);
    for (const h of highlightsOf(file)) builder.push(rangeIn(document, h.start, h.end), h.kind);
    return builder.build();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
