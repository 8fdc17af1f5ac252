import { isScalar, visit, type YAMLError } from 'yaml';
import { YAML_FILE_KINDS } from '../fileKinds';
import type { ManifestDoc, ManifestFile } from '../model';
import type { Rule } from '../rule';
import { LineIndex, lineEndAt, lineStartAt } from '../text';

/**
 * A document `yaml` cannot parse is not analysed at all, so it must not pass silently: one
 * finding per broken document, on the line where reading first failed. Other documents of the
 * file are analysed as usual. Duplicate keys are not parse errors here (`uniqueKeys: false`).
 */
export const unparsableDocument: Rule = {
  id: 'unparsable-document',
  description: 'A YAML document could not be parsed, so nothing in it was checked.',
  severity: 'warning',
  kinds: ['*'],
  // A chart's `_*.tpl` helpers are never rendered as a whole: text outside `define` is not YAML to parse.
  fileKinds: YAML_FILE_KINDS.filter((k) => k !== 'helm-helper'),
  fixable: false,
  check(ctx) {
    const { doc, file } = ctx;
    const first = doc.yaml.errors[0] as YAMLError | undefined;
    if (!first || doc.errors.length === 0) return;
    const [start, end] = lineRange(file.text, doc, errorOffset(doc, first));
    const notes = [`This YAML document could not be parsed (${firstLine(first.message)}); nothing in it was checked.`];
    const tab = tabIndentedLine(file.text, doc);
    if (tab !== undefined) {
      notes.push(`Line ${lineIndexOf(file).position(tab).line + 1} is indented with a tab: YAML allows only spaces for indentation.`);
    }
    // `${{ }}` is a GitHub Actions expression, not a Helm action.
    if (file.masked.actions.some(([start]) => file.text[start - 1] !== '$')) {
      notes.push('The file is a Helm template: its {{ }} actions were masked, and the analysis could only partly read it.');
    }
    ctx.report({ start, end, message: notes.join(' ') });
  },
};

function firstLine(message: string): string {
  return message.split(/\r?\n/)[0].trim().replace(/[.:]$/, '');
}

/**
 * Where to point. A missing closing quote is found at the end of the text the quote swallowed;
 * the line that opened the quote is the one to fix.
 */
function errorOffset(doc: ManifestDoc, error: YAMLError): number {
  const at = error.pos[0];
  if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) {
    let opened: number | undefined;
    visit(doc.yaml, {
      Scalar(_key, node) {
        if (isScalar(node) && node.type?.startsWith('QUOTE') && node.range?.[1] === at) opened = node.range[0];
      },
    });
    if (opened !== undefined) return doc.start + opened;
  }
  return doc.start + at;
}

/** The content of the offset's line; when that line is blank (the end of the text), the last non-blank line before it. */
function lineRange(text: string, doc: ManifestDoc, offset: number): [number, number] {
  let lineStart = lineStartAt(text, Math.min(offset, text.length));
  while (lineStart > doc.start && text.slice(lineStart, lineEndAt(text, lineStart)).trim() === '') {
    lineStart = lineStartAt(text, lineStart - 1);
  }
  const lineEnd = lineEndAt(text, lineStart);
  const content = text.slice(lineStart, lineEnd);
  const lead = content.length - content.trimStart().length;
  const trail = content.length - content.trimEnd().length;
  return lead === content.length ? [offset, offset] : [lineStart + lead, lineEnd - trail];
}

/** Offset of the document's first line that has content behind a tab in its indentation. */
function tabIndentedLine(text: string, doc: ManifestDoc): number | undefined {
  const match = /^ *\t[ \t]*[^\s#]/m.exec(text.slice(doc.start, doc.end));
  return match ? doc.start + match.index : undefined;
}

// One line index per file text, so a file of many broken documents is not rescanned for each.
const lineIndexes = new WeakMap<ManifestFile, LineIndex>();

function lineIndexOf(file: ManifestFile): LineIndex {
  let lines = lineIndexes.get(file);
  if (!lines) lineIndexes.set(file, (lines = new LineIndex(file.text)));
  return lines;
}
