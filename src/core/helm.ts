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
  // The first action that ends after `start`, by bisection: a template of thousands of documents asks often.
  let lo = 0;
  let hi = actions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (actions[mid][1] <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < actions.length && actions[lo][0] < end;
}

/**
 * Control flow. `{{ if }}`, `{{ with }}`, `{{ range }}` (each may have `{{ else }}` / `{{ else if }}`
 * branches), `{{ define }}` and `{{ block }}` open a block that `{{ end }}` closes. A branch is the
 * text between two of its block's actions.
 */
export interface HelmBlock {
  keyword: string;
  /** The name a `define` or `block` gives its template. */
  name: string | undefined;
  branches: HelmBranch[];
}

export interface HelmBranch {
  /** Where the branch's text starts: the end of the action that opens it. */
  start: number;
  /** Where it ends: the start of the next action of its block (`else`, `end`). */
  end: number;
  blocks: HelmBlock[];
}

const OPENERS = new Set(['if', 'with', 'range', 'define', 'block']);

/** The words an action starts with (`else if` is `['else', 'if']`); none for a comment. */
function actionWords(action: string): string[] {
  const inner = action.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
  if (inner.startsWith('/*')) return [];
  return inner.split(/\s+/, 2);
}

/**
 * The block structure of a text with template actions, as the branch that is the whole text;
 * undefined when the actions do not nest (an `end` too many, a block left open): then nothing
 * is read as branches.
 */
export function helmBlocks(text: string, actions: ReadonlyArray<[number, number]>): HelmBranch | undefined {
  const root: HelmBranch = { start: 0, end: text.length, blocks: [] };
  const open: HelmBlock[] = [];
  const current = () => (open.length ? open[open.length - 1].branches.at(-1)! : root);
  for (const [start, end] of actions) {
    const [word, next] = actionWords(text.slice(start, end));
    if (word !== undefined && OPENERS.has(word)) {
      const block: HelmBlock = { keyword: word, name: /^"([^"]*)"/.exec(next ?? '')?.[1], branches: [{ start: end, end, blocks: [] }] };
      current().blocks.push(block);
      open.push(block);
    } else if (word === 'else' || word === 'end') {
      const block = open.at(-1);
      if (!block || (word === 'else' && (block.keyword === 'define' || block.keyword === 'block'))) return undefined;
      block.branches.at(-1)!.end = start;
      if (word === 'else') block.branches.push({ start: end, end, blocks: [] });
      else open.pop();
    }
  }
  return open.length === 0 ? root : undefined;
}

/**
 * One way a region of a template can render: the spans of the branches it leaves out. Each
 * `if`/`with`/`range` with `else` branches takes one of them; a block without `else` renders its
 * body, as the masking always read it.
 */
export type Alternative = ReadonlyArray<[number, number]>;

/** More alternatives than this in one document are not all read (see `alternativesOf`). */
const MAX_ALTERNATIVES = 32;

/**
 * The alternatives of the region `[start, end)` of a text whose blocks are `root`: only blocks
 * wholly inside the region choose a branch (a block around several documents renders its body).
 * `complete` is false when there were more than `MAX_ALTERNATIVES` combinations: then each
 * alternative takes the n-th branch of every block (or its last), so that every branch is read
 * once, but not every combination.
 */
export function alternativesOf(root: HelmBranch, start: number, end: number): { alternatives: Alternative[]; complete: boolean } {
  const inside = (b: HelmBlock) => b.branches[0].start > start && b.branches.at(-1)!.end < end;
  const blocksOf = (branch: HelmBranch): HelmBlock[] => overlapping(branch.blocks, start, end).flatMap((b) => (inside(b) ? [b] : b.branches.flatMap(blocksOf)));
  const count = (branch: HelmBranch): number => blocksOf(branch).reduce((n, b) => n * (b.branches.length > 1 ? b.branches.reduce((s, x) => s + count(x), 0) : count(b.branches[0])), 1);
  const top: HelmBranch = { start, end, blocks: blocksOf(root) };
  const total = count(top);
  if (total <= MAX_ALTERNATIVES) return { alternatives: combinations(top, blocksOf), complete: true };
  const widest = (branch: HelmBranch): number => Math.max(1, ...blocksOf(branch).map((b) => Math.max(b.branches.length, ...b.branches.map(widest))));
  const alternatives = Array.from({ length: widest(top) }, (_, n) => diagonal(top, n, blocksOf));
  return { alternatives, complete: false };
}

/**
 * The blocks of a branch (in order, one after another) whose text overlaps `[start, end)`, found
 * by bisection: a template of thousands of documents is not scanned once per document.
 */
function overlapping(blocks: readonly HelmBlock[], start: number, end: number): HelmBlock[] {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid].branches.at(-1)!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  const out: HelmBlock[] = [];
  for (let i = lo; i < blocks.length && blocks[i].branches[0].start < end; i++) out.push(blocks[i]);
  return out;
}

/** Every combination of branches below `branch`, each as the spans it leaves out. */
function combinations(branch: HelmBranch, blocksOf: (b: HelmBranch) => HelmBlock[]): Array<Array<[number, number]>> {
  let out: Array<Array<[number, number]>> = [[]];
  for (const block of blocksOf(branch)) {
    const choices = block.branches.flatMap((taken, i) => {
      const left = block.branches.filter((_, j) => j !== i).map((b): [number, number] => [b.start, b.end]);
      return combinations(taken, blocksOf).map((inner) => [...left, ...inner]);
    });
    out = out.flatMap((before) => choices.map((choice) => [...before, ...choice]));
  }
  return out.map((spans) => spans.sort((a, b) => a[0] - b[0]));
}

/** The combination that takes the n-th branch of every block (its last when it has fewer). */
function diagonal(branch: HelmBranch, n: number, blocksOf: (b: HelmBranch) => HelmBlock[]): Array<[number, number]> {
  return blocksOf(branch)
    .flatMap((block) => {
      const i = Math.min(n, block.branches.length - 1);
      return [...block.branches.filter((_, j) => j !== i).map((b): [number, number] => [b.start, b.end]), ...diagonal(block.branches[i], n, blocksOf)];
    })
    .sort((a, b) => a[0] - b[0]);
}

/** `masked` with the spans an alternative leaves out blanked (line breaks kept), so offsets stay true. */
export function hideBranches(masked: string, hidden: Alternative): string {
  if (hidden.length === 0) return masked;
  let out = '';
  let at = 0;
  for (const [start, end] of hidden) {
    out += masked.slice(at, start) + masked.slice(start, end).replace(/[^\r\n]/g, ' ');
    at = end;
  }
  return out + masked.slice(at);
}

/**
 * True when an edit of `[start, end)` changes text an alternative leaves out. An insertion at
 * either end of a left-out branch is inside it: it would render with that branch.
 */
export function isHidden(hidden: Alternative, start: number, end: number): boolean {
  return hidden.some(([a, b]) => (start === end ? a <= start && start <= b : a < end && start < b));
}

/** The `define` blocks of a helper file: Helm renders their bodies where they are included, and nothing else of the file. */
export function defineBodies(root: HelmBranch): Array<{ name: string; start: number; end: number }> {
  return root.blocks.flatMap((b) => (b.keyword === 'define' && b.name !== undefined ? [{ name: b.name, start: b.branches[0].start, end: b.branches[0].end }] : []));
}
