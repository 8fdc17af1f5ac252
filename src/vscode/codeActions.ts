import * as vscode from 'vscode';
import type { Finding } from '../core/rule';
import { SUPPRESS_NEXT_LINE } from '../core/suppression';
import { COMMAND_IDS } from './commands';
import { DIAGNOSTIC_SOURCE, diagnosticKey, positionsIn, rangeIn, toWorkspaceEdit } from './convert';
import { loadCore, loadedCore } from './coreLoader';
import type { FixAllWorker } from './fixAll';
import type { Indexer } from './indexer';
import type { Linter, Published } from './linter';
import type { Settings } from './settings';

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('wiMigrate');
const AZURE_KIND = vscode.CodeActionKind.Refactor.append('wiMigrate').append('azure');
const CREDENTIAL_KINDS = new Set(['ServiceAccount', 'TriggerAuthentication', 'ClusterTriggerAuthentication']);
const FIX_ALL_TITLE = 'Fix all workload identity problems in this file';
// A placeholder client id with the comment that names its identity (core/addon-fill.ts writes it;
// matched here by text, so that the main bundle holds no core module for it).
const NAMED_PLACEHOLDER = /<managed-identity-client-id>["']?[ \t]+# client id of \/subscriptions\//i;

/** "Fix all … in this file" for one version of a document; its edit is computed when resolved. */
class FixAllAction extends vscode.CodeAction {
  constructor(readonly document: vscode.TextDocument, readonly version: number, kind: vscode.CodeActionKind) {
    super(FIX_ALL_TITLE, kind);
  }
}

/**
 * Quick fixes per finding, "disable for this line", and fix-all (also as `source.fixAll.wiMigrate`).
 * Actions are offered from what the linter published for the document's current version (the
 * check under way is awaited, never run again here); fix-all, which may take long on a big file,
 * is computed only when VS Code resolves it (the user picks it, or it runs on save).
 */
export class CodeActions implements vscode.CodeActionProvider<vscode.CodeAction> {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND, AZURE_KIND],
  };

  constructor(
    private readonly linter: Linter,
    private readonly indexer: Indexer,
    private readonly settings: () => Settings,
    private readonly fixer: FixAllWorker,
  ) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    // Findings for another version of the document are stale: offer nothing rather than a wrong edit.
    const published = await this.linter.current(document);
    if (!published) return [];
    if (context.only?.contains(FIX_ALL_KIND)) {
      const fixAll = this.fixAll(document, published, FIX_ALL_KIND);
      return fixAll ? [fixAll] : [];
    }
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const finding = published.byDiagnostic.get(diagnosticKey(diagnostic));
      if (!finding) continue;
      if (finding.fix) {
        const edit = toWorkspaceEdit(finding.fix.edits, document, this.linter, true);
        if (edit) {
          const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = edit;
          action.diagnostics = [diagnostic];
          action.isPreferred = !finding.fix.needsInput;
          actions.push(action);
        }
      }
      const sidecar = this.proxySidecar(document, finding, diagnostic);
      if (sidecar) actions.push(sidecar);
      actions.push(this.disableForLine(document, finding, diagnostic));
    }
    if (actions.some((a) => a.edit && !a.title.startsWith('Disable'))) {
      const fixAll = this.fixAll(document, published, vscode.CodeActionKind.QuickFix);
      if (fixAll) actions.push(fixAll);
    }
    const credential = this.createCredential(document, range, context);
    if (credential) actions.push(credential);
    const fill = this.fillClientIds(document, range, context);
    if (fill) actions.push(fill);
    return actions;
  }

  /**
   * A pod's migration that also asks for the workload identity proxy sidecar (containers that still
   * get tokens from IMDS): the rule run again on the finding's document with the `proxySidecar`
   * option. Shown disabled, with the reason, where the sidecar cannot run.
   */
  private proxySidecar(document: vscode.TextDocument, finding: Finding, diagnostic: vscode.Diagnostic): vscode.CodeAction | undefined {
    // A finding with a fix was published by the core, so it is loaded.
    const core = loadedCore();
    const file = core && this.indexer.core.parsedFile(document.uri.toString());
    const variant = file && core.proxySidecarVariant(file, this.indexer.core, finding, this.settings().options);
    if (!variant) return undefined;
    const edit = variant.fix && toWorkspaceEdit(variant.fix.edits, document, this.linter, true);
    const action = new vscode.CodeAction(variant.title, vscode.CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    if (edit) action.edit = edit;
    else {
      const why = /No fix: (.+?)\.(?: |$)/.exec(variant.message)?.[1];
      action.disabled = { reason: why ? `${why[0].toUpperCase()}${why.slice(1)}.` : 'The proxy sidecar cannot be added here.' };
    }
    return action;
  }

  /** On a ServiceAccount or KEDA TriggerAuthentication: create its federated credential in Azure. */
  private createCredential(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction | undefined {
    if (!vscode.workspace.isTrusted || (context.only && !context.only.contains(AZURE_KIND) && !AZURE_KIND.contains(context.only))) return undefined;
    const key = document.uri.toString();
    const offset = positionsIn(document).offset(range.start);
    // ServiceAccounts and TriggerAuthentications are never left to the pre-scan: the file as indexed
    // holds them (and the analysis is loaded: the pre-scan of a file that holds one loads it).
    const core = loadedCore();
    const obj = this.indexer.loaded
      ?.parsedFile(key)
      ?.docs.flatMap((d) => d.objects.map((o) => ({ o, r: core!.rangeOf(d, o.node) })))
      .find(({ o, r }) => CREDENTIAL_KINDS.has(o.kind) && r[0] <= offset && offset <= r[1])?.o;
    if (!obj) return undefined;
    const who = obj.kind === 'ServiceAccount' ? `ServiceAccount ${obj.name ?? ''}` : `the KEDA operator (${obj.kind} ${obj.name ?? ''})`;
    const action = new vscode.CodeAction(`Create federated credential in Azure for ${who}…`, AZURE_KIND);
    action.command = { title: action.title, command: COMMAND_IDS.createFederatedCredential, arguments: [{ file: key, offset }] };
    return action;
  }

  /** On a placeholder client id that names its managed identity: read the client ids from Azure. */
  private fillClientIds(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction | undefined {
    if (!vscode.workspace.isTrusted || (context.only && !context.only.contains(AZURE_KIND) && !AZURE_KIND.contains(context.only))) return undefined;
    if (!NAMED_PLACEHOLDER.test(document.lineAt(range.start.line).text)) return undefined;
    const action = new vscode.CodeAction('Fill in client ids from Azure…', AZURE_KIND);
    action.command = { title: action.title, command: COMMAND_IDS.fillClientIds };
    return action;
  }

  /** Fix-all, unresolved: offered when a finding of the file has a fix. */
  private fixAll(document: vscode.TextDocument, published: Published, kind: vscode.CodeActionKind): vscode.CodeAction | undefined {
    return published.findings.some((f) => f.fix) ? new FixAllAction(document, published.version, kind) : undefined;
  }

  /** Computes fix-all's edit (core `fixFileText`, off the extension host's thread). */
  async resolveCodeAction(action: vscode.CodeAction, token: vscode.CancellationToken): Promise<vscode.CodeAction> {
    if (!(action instanceof FixAllAction)) return action;
    const { document, version } = action;
    // The document changed since the action was offered: an edit for the old text would be wrong.
    if (document.isClosed || document.version !== version) return action;
    const text = document.getText();
    const fixed = await this.fixer.fixFileText(this.indexer.core, document.uri.toString(), text, this.settings().options, token);
    if (fixed === undefined || token.isCancellationRequested || document.version !== version) return action;
    const change = loadCore().diffEdit(text, fixed);
    action.edit = new vscode.WorkspaceEdit();
    if (change) action.edit.replace(document.uri, rangeIn(document, change.start, change.end), change.text);
    return action;
  }

  private disableForLine(document: vscode.TextDocument, finding: Finding, diagnostic: vscode.Diagnostic): vscode.CodeAction {
    const line = document.lineAt(positionsIn(document).position(finding.start).line);
    const indent = line.text.slice(0, line.firstNonWhitespaceCharacterIndex);
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const action = new vscode.CodeAction(`Disable ${finding.ruleId} for this line`, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.insert(document.uri, line.range.start, `${indent}# ${SUPPRESS_NEXT_LINE} ${finding.ruleId}${eol}`);
    action.diagnostics = [diagnostic];
    return action;
  }
}
