import * as vscode from 'vscode';
import { diffEdit } from '../core/edits';
import { fixFileText, SUPPRESS_NEXT_LINE } from '../core/engine';
import { rangeOf } from '../core/model';
import type { Finding } from '../core/rule';
import { DIAGNOSTIC_SOURCE, rangeIn, toWorkspaceEdit } from './convert';
import type { Indexer } from './indexer';
import type { Linter } from './linter';
import type { Settings } from './settings';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('wiMigrate');
export const AZURE_KIND = vscode.CodeActionKind.Refactor.append('wiMigrate').append('azure');
const CREDENTIAL_KINDS = new Set(['ServiceAccount', 'TriggerAuthentication', 'ClusterTriggerAuthentication']);
const FIX_ALL_TITLE = 'Fix all workload identity problems in this file';

/** Quick fixes per finding, "disable for this line", and fix-all (also as `source.fixAll.wiMigrate`). */
export class CodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND, AZURE_KIND],
  };

  constructor(private readonly linter: Linter, private readonly indexer: Indexer, private readonly settings: () => Settings) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    // Findings for another version of the document are stale: offer nothing rather than a wrong edit.
    const findings = this.linter.findings(document);
    if (!findings) return [];
    if (context.only?.contains(FIX_ALL_KIND)) {
      const fixAll = this.fixAll(document, findings, FIX_ALL_KIND);
      return fixAll ? [fixAll] : [];
    }
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const finding = findingOf(document, findings, diagnostic);
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
      actions.push(this.disableForLine(document, finding, diagnostic));
    }
    if (actions.some((a) => a.edit && !a.title.startsWith('Disable'))) {
      const fixAll = this.fixAll(document, findings, vscode.CodeActionKind.QuickFix);
      if (fixAll) actions.push(fixAll);
    }
    const credential = this.createCredential(document, range, context);
    if (credential) actions.push(credential);
    return actions;
  }

  /** On a ServiceAccount or KEDA TriggerAuthentication: create its federated credential in Azure. */
  private createCredential(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction | undefined {
    if (!vscode.workspace.isTrusted || (context.only && !context.only.contains(AZURE_KIND) && !AZURE_KIND.contains(context.only))) return undefined;
    const key = document.uri.toString();
    const offset = document.offsetAt(range.start);
    const obj = this.indexer.core
      .file(key)
      ?.docs.flatMap((d) => d.objects.map((o) => ({ o, r: rangeOf(d, o.node) })))
      .find(({ o, r }) => CREDENTIAL_KINDS.has(o.kind) && r[0] <= offset && offset <= r[1])?.o;
    if (!obj) return undefined;
    const who = obj.kind === 'ServiceAccount' ? `ServiceAccount ${obj.name ?? ''}` : `the KEDA operator (${obj.kind} ${obj.name ?? ''})`;
    const action = new vscode.CodeAction(`Create federated credential in Azure for ${who}…`, AZURE_KIND);
    action.command = { title: action.title, command: 'wiMigrate.createFederatedCredential', arguments: [{ file: key, offset }] };
    return action;
  }

  private fixAll(document: vscode.TextDocument, findings: readonly Finding[], kind: vscode.CodeActionKind): vscode.CodeAction | undefined {
    if (!findings.some((f) => f.fix)) return undefined;
    const key = document.uri.toString();
    const text = document.getText();
    const change = diffEdit(text, fixFileText(this.indexer.core, key, text, this.settings().options));
    if (!change) return undefined;
    const action = new vscode.CodeAction(FIX_ALL_TITLE, kind);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(document.uri, rangeIn(document, change.start, change.end), change.text);
    return action;
  }

  private disableForLine(document: vscode.TextDocument, finding: Finding, diagnostic: vscode.Diagnostic): vscode.CodeAction {
    const line = document.lineAt(document.positionAt(finding.start).line);
    const indent = line.text.slice(0, line.firstNonWhitespaceCharacterIndex);
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const action = new vscode.CodeAction(`Disable ${finding.ruleId} for this line`, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.insert(document.uri, line.range.start, `${indent}# ${SUPPRESS_NEXT_LINE} ${finding.ruleId}${eol}`);
    action.diagnostics = [diagnostic];
    return action;
  }
}

/** The finding a diagnostic was made from: same rule, same range, same message. */
function findingOf(document: vscode.TextDocument, findings: readonly Finding[], d: vscode.Diagnostic): Finding | undefined {
  const rule = typeof d.code === 'object' ? String(d.code.value) : String(d.code);
  const start = document.offsetAt(d.range.start);
  const end = document.offsetAt(d.range.end);
  return findings.find((f) => f.ruleId === rule && f.start === start && f.end === end && f.message === d.message);
}
