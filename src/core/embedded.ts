import { parseAllDocuments, type Document, type Node, type Scalar } from 'yaml';
import { rangeOf, type ManifestDoc } from './model';

/**
 * YAML written inside a string of a manifest: an Argo CD Application's `helm.values`, a Flux
 * Kustomization's inline `patch`. Parsed on its own; its node ranges are offsets into the string's
 * value, which `toFile` maps back to offsets of the real file, so findings point at the right
 * characters even inside a block scalar.
 */
export interface EmbeddedYaml {
  docs: Document.Parsed[];
  /** The file offset of a value offset; undefined where the value's text is not written as is. */
  toFile(offset: number): number | undefined;
}

export function embeddedYaml(doc: ManifestDoc, fileText: string, scalar: Scalar): EmbeddedYaml | undefined {
  if (typeof scalar.value !== 'string' || !scalar.range) return undefined;
  const value = scalar.value;
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(value, { prettyErrors: false, uniqueKeys: false, strict: false }) as Document.Parsed[];
  } catch {
    return undefined;
  }
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  const [start, end] = rangeOf(doc, scalar);
  const lines = valueLines(fileText.slice(start, end), scalar.type, value);
  return {
    docs,
    toFile(offset) {
      const line = lines.find((l) => offset >= l.value && offset <= l.value + l.length);
      return line ? start + line.source + (offset - line.value) : undefined;
    },
  };
}

/** Each line of the value that is written verbatim in the source: where it starts in both, and its length. */
export interface LineMap {
  value: number;
  source: number;
  length: number;
}

export function valueLines(source: string, type: Scalar['type'], value: string): LineMap[] {
  if (type === 'PLAIN' || type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') {
    // One line, without escapes: the value is the text between the quotes.
    const at = type === 'PLAIN' ? 0 : 1;
    return !value.includes('\n') && source.slice(at, at + value.length) === value ? [{ value: 0, source: at, length: value.length }] : [];
  }
  if (type !== 'BLOCK_LITERAL') return [];
  // A literal block keeps every line: after its header, each source line is the value's line with the block's indentation.
  const sourceLines: Array<{ start: number; text: string }> = [];
  for (let i = source.indexOf('\n') + 1, next: number; i > 0 && i < source.length; i = next) {
    next = source.indexOf('\n', i) + 1 || source.length;
    sourceLines.push({ start: i, text: source.slice(i, next).replace(/\r?\n$/, '') });
  }
  const indent = /^ */.exec(sourceLines.find((l) => l.text.trim() !== '')?.text ?? '')![0].length;
  const out: LineMap[] = [];
  let offset = 0;
  value.split('\n').forEach((line, i) => {
    const src = sourceLines[i];
    if (src && line !== '' && src.text.slice(indent) === line) out.push({ value: offset, source: src.start + indent, length: line.length });
    offset += line.length + 1;
  });
  return out;
}

/** A node's range in the file, when both its ends are written as is. */
export function fileRangeOf(embedded: EmbeddedYaml, node: Node): [number, number] | undefined {
  if (!node.range) return undefined;
  const start = embedded.toFile(node.range[0]);
  const end = embedded.toFile(node.range[1]);
  return start !== undefined && end !== undefined && end >= start ? [start, end] : undefined;
}
