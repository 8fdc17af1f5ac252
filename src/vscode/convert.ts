// The core's offsets become the editor's positions here, and nowhere else: diagnostics, related
// locations, workspace edits, and the ranges of the other modules (positionsIn, rangeIn).
import * as vscode from 'vscode';
import type { FileEdit } from '../core/edits';
import type { Finding, RelatedLocation, Severity } from '../core/rule';
import { LineIndex } from '../core/text';
import { loadCore } from './coreLoader';

/** Where the text of a workspace file comes from. */
export interface TextSource {
  /** The current text of a file of the workspace (open document first, then the index). */
  text(path: string): string | undefined;
}

export const DIAGNOSTIC_SOURCE = 'wi-migrate';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** Offsets of one text as positions, and positions as offsets. */
export interface Positions {
  position(offset: number): vscode.Position;
  range(start: number, end: number): vscode.Range;
  offset(position: vscode.Position): number;
}

/** The line index of the text last asked for: the offsets converted together mostly share a text. */
let lastLines: LineIndex | undefined;

/**
 * Where offsets become positions (and back), for an open document or a file's text: a document
 * answers from its own line table (VS Code keeps one per version), a text from a line-start table
 * built once for it.
 */
export function positionsIn(source: vscode.TextDocument | string): Positions {
  if (typeof source !== 'string') {
    const position = (offset: number) => source.positionAt(offset);
    return { position, range: (start, end) => new vscode.Range(position(start), position(end)), offset: (p) => source.offsetAt(p) };
  }
  if (lastLines?.text !== source) lastLines = new LineIndex(source);
  const lines = lastLines;
  const position = (offset: number) => {
    const p = lines.position(offset);
    return new vscode.Position(p.line, p.character);
  };
  return { position, range: (start, end) => new vscode.Range(position(start), position(end)), offset: (p) => lines.offset(p.line, p.character) };
}

/** The range of `start`…`end` (offsets) in a document or a file's text. */
export function rangeIn(source: vscode.TextDocument | string, start: number, end: number): vscode.Range {
  return positionsIn(source).range(start, end);
}

/**
 * What identifies a diagnostic when VS Code hands it back (code actions get copies, not the
 * objects published): rule, range and message.
 */
export function diagnosticKey(d: vscode.Diagnostic): string {
  const code = typeof d.code === 'object' ? String(d.code.value) : String(d.code);
  const r = d.range;
  return `${code} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.message}`;
}

const docsUris = new Map<string, vscode.Uri>();

function docsUri(ruleId: string): vscode.Uri {
  let uri = docsUris.get(ruleId);
  // A finding came from the analysis: it is loaded.
  if (!uri) docsUris.set(ruleId, (uri = vscode.Uri.parse(loadCore().docsUrl(ruleId))));
  return uri;
}

export function toDiagnostic(document: vscode.TextDocument, finding: Finding, source: TextSource): vscode.Diagnostic {
  const d = new vscode.Diagnostic(rangeIn(document, finding.start, finding.end), finding.message, SEVERITY[finding.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: finding.ruleId, target: docsUri(finding.ruleId) };
  if (finding.deprecated) d.tags = [vscode.DiagnosticTag.Deprecated];
  if (finding.related?.length) {
    d.relatedInformation = finding.related.flatMap((r) => {
      const location = toLocation(document, r, source);
      return location ? [new vscode.DiagnosticRelatedInformation(location, r.message)] : [];
    });
  }
  return d;
}

function toLocation(document: vscode.TextDocument, r: RelatedLocation, source: TextSource): vscode.Location | undefined {
  if (r.file === document.uri.toString()) return new vscode.Location(document.uri, rangeIn(document, r.start, r.end));
  const text = source.text(r.file);
  return text === undefined ? undefined : new vscode.Location(vscode.Uri.parse(r.file), rangeIn(text, r.start, r.end));
}

/** Snippet text for an edit whose placeholders become tab stops. */
function snippetOf(edit: FileEdit): vscode.SnippetString {
  const snippet = new vscode.SnippetString();
  let cursor = 0;
  for (const p of [...(edit.placeholders ?? [])].sort((a, b) => a.offset - b.offset)) {
    snippet.appendText(edit.text.slice(cursor, p.offset));
    snippet.appendPlaceholder(edit.text.slice(p.offset, p.offset + p.length));
    cursor = p.offset + p.length;
  }
  return snippet.appendText(edit.text.slice(cursor));
}

/**
 * A WorkspaceEdit for core edits. Placeholders in the current document become snippet tab stops
 * when `snippets` is set (an edit applied from the editor).
 */
export function toWorkspaceEdit(edits: readonly FileEdit[], document: vscode.TextDocument | undefined, source: TextSource, snippets = false): vscode.WorkspaceEdit | undefined {
  const edit = new vscode.WorkspaceEdit();
  const byFile = new Map<string, FileEdit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, fileEdits] of byFile) {
    const here = document && file === document.uri.toString();
    const text = here ? document.getText() : source.text(file);
    const uri = here ? document.uri : vscode.Uri.parse(file);
    if (text === undefined) {
      // A file the fix creates (a ServiceAccount beside a Helm template).
      if (!fileEdits.every((e) => e.start === 0 && e.end === 0)) return undefined;
      edit.createFile(uri, { ignoreIfExists: true });
      edit.insert(uri, new vscode.Position(0, 0), fileEdits.map((e) => e.text).join(''));
      continue;
    }
    const positions = positionsIn(here ? document : text);
    const range = (e: FileEdit) => positions.range(e.start, e.end);
    const compensated = here && snippets && fileEdits.some((e) => e.placeholders?.length) ? withoutSnippetIndent(text, fileEdits) : undefined;
    if (compensated) {
      edit.set(uri, compensated.map((e) => new vscode.SnippetTextEdit(range(e), snippetOf(e))));
    } else {
      edit.set(uri, fileEdits.map((e) => new vscode.TextEdit(range(e), e.text)));
    }
  }
  return edit;
}

/**
 * VS Code applies every edit of a document that gets a snippet edit as a snippet, and a snippet
 * engine indents each line after the first by the indentation of the line it is inserted on.
 * This takes that indentation out beforehand so the text written is exactly the core's. Where
 * a line does not start with it, undefined: the caller falls back to plain edits (no tab stops).
 */
/**
 * An insertion right after a line's indentation that ends with a line break and that indentation
 * (`serviceAccountName: x⏎      ` before `containers:`) is the same text inserted at the line's
 * start with the indentation first. The snippet engine leaves an empty last line unindented, so
 * the first form would lose the indentation of the text after it.
 */
function fromLineStart(text: string, e: FileEdit): FileEdit {
  const lineStart = text.lastIndexOf('\n', e.start - 1) + 1;
  const indent = text.slice(lineStart, e.start);
  const eol = e.text.endsWith(`\r\n${indent}`) ? '\r\n' : '\n';
  if (e.start !== e.end || indent === '' || !/^[ \t]+$/.test(indent) || !e.text.endsWith(`${eol}${indent}`)) return e;
  const placeholders = e.placeholders?.map((p) => ({ ...p, offset: p.offset + indent.length }));
  return { ...e, start: lineStart, end: lineStart, text: indent + e.text.slice(0, -indent.length), ...(placeholders ? { placeholders } : {}) };
}

function withoutSnippetIndent(text: string, edits: readonly FileEdit[]): FileEdit[] | undefined {
  const out: FileEdit[] = [];
  for (const e of edits.map((edit) => fromLineStart(text, edit))) {
    const lineStart = text.lastIndexOf('\n', e.start - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, e.start + 1))![0].slice(0, Math.max(0, e.start - lineStart));
    const lines = e.text.split('\n');
    if (lines.slice(1).some((l) => !l.startsWith(indent))) return undefined;
    let removed = 0;
    const placeholders = (e.placeholders ?? []).map((p) => ({ ...p }));
    const rebuilt = lines
      .map((line, i) => {
        if (i === 0 || indent === '') return line;
        const at = lines.slice(0, i).join('\n').length + 1 - removed;
        for (const p of placeholders) if (p.offset >= at) p.offset -= indent.length;
        removed += indent.length;
        return line.slice(indent.length);
      })
      .join('\n');
    out.push({ ...e, text: rebuilt, placeholders });
  }
  return out;
}
