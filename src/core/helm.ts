/**
 * Helm templates are not YAML until rendered. To analyse them anyway, every template action
 * (`{{ … }}`) is masked with text of the same length, so that every offset of the masked text is the
 * offset of the same character in the real file:
 * - an action that is alone on its line (control flow, `include … | nindent`) becomes a comment;
 * - an action inside a line becomes a plain scalar of underscores.
 * Findings on masked text must check `isTemplated` before trusting a value.
 */
export interface MaskResult {
  text: string;
  /** Offset spans of the original actions, sorted. */
  actions: Array<[number, number]>;
}

const ACTION = /\{\{[\s\S]*?\}\}/g;

function hasTemplateActions(text: string): boolean {
  return text.includes('{{');
}

export function maskTemplates(text: string): MaskResult {
  if (!hasTemplateActions(text)) return { text, actions: [] };
  const chars = text.split('');
  const actions: Array<[number, number]> = [];
  for (const match of text.matchAll(ACTION)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    actions.push([start, end]);
    maskAction(text, chars, start, end);
  }
  return { text: chars.join(''), actions };
}

function maskAction(text: string, chars: string[], start: number, end: number): void {
  let pos = start;
  while (pos < end) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 || nl >= end ? end : nl;
    const segmentEnd = lineEnd > pos && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
    const nextNl = text.indexOf('\n', end - 1);
    const physicalEnd = nextNl === -1 ? text.length : nextNl;
    const before = text.slice(lineStart, pos);
    const after = lineEnd === end ? text.slice(end, physicalEnd).replace(/\r$/, '') : '';
    const aloneOnLine = before.trim() === '' && (lineEnd < end || after.trim() === '' || after.trim().startsWith('{{'));
    for (let i = pos; i < segmentEnd; i++) {
      chars[i] = aloneOnLine ? (i === pos ? '#' : ' ') : '_';
    }
    pos = lineEnd + 1;
  }
}

/** True when `[start, end)` overlaps a template action, i.e. its real text is not known. */
export function isTemplated(actions: ReadonlyArray<[number, number]>, start: number, end: number): boolean {
  for (const [a, b] of actions) {
    if (a < end && start < b) return true;
    if (a >= end) break;
  }
  return false;
}
