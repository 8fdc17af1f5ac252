/**
 * A small, strict reader of Bicep: declarations (`param`, `var`, `resource`) and object literals,
 * with offsets. It reads what a managed cluster's properties are written with (objects, arrays,
 * strings, booleans, numbers) and keeps everything else (a call, a reference, an interpolated
 * string, a condition, a loop) as an opaque expression, so that a caller takes only literals and
 * never guesses. Text it cannot follow (an unclosed brace, a key without a colon) makes the
 * declaration unreadable: no value at all rather than a wrong one.
 */

type TokenType = 'ident' | 'string' | 'number' | 'punct' | 'newline';

interface Token {
  type: TokenType;
  start: number;
  end: number;
  /** The identifier, the punctuation, or the decoded value of a string without interpolation. */
  text: string;
  /** A string with `${…}` in it: its value is not known from the text. */
  interpolated?: boolean;
}

export type BicepValue =
  | { kind: 'object'; start: number; end: number; props: BicepProperty[]; children: BicepDeclaration[] }
  | { kind: 'array'; start: number; end: number; items: BicepValue[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'literal'; start: number; end: number; value: boolean | number | null }
  /** Anything whose value the text does not say: its source is `text`. */
  | { kind: 'expression'; start: number; end: number; text: string };

export interface BicepProperty {
  key: string;
  /** Offset of the key. */
  start: number;
  value: BicepValue;
}

export interface BicepDeclaration {
  keyword: 'resource' | 'param' | 'var';
  symbol: string;
  /** Offset of the keyword (decorators before it not included). */
  start: number;
  end: number;
  /** A resource's type string (`Microsoft.X/y@version`), when literal. */
  type?: string;
  existing?: boolean;
  /** The declared value: a resource's body, a param's default, a var's value. A conditional or looped resource has none. */
  value?: BicepValue;
  /** `= if (…)` or `= [for …]`: the resource may be deployed zero or many times. */
  conditional?: boolean;
  /** The resource this one is declared inside. */
  parent?: string;
}

class GiveUp extends Error {}

/** The tokens of a Bicep text; comments are dropped, newlines kept (they end properties). Throws `GiveUp` on an unclosed string or comment. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      out.push({ type: 'newline', start: i, end: i + 1, text: '\n' });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new GiveUp();
      i = end + 2;
    } else if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      if (end < 0) throw new GiveUp();
      out.push({ type: 'string', start: i, end: end + 3, text: text.slice(i + 3, end) });
      i = end + 3;
    } else if (c === "'") {
      const token = readString(text, i);
      out.push(token);
      i = token.end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256))!;
      out.push({ type: 'ident', start: i, end: i + m[0].length, text: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(?:\.[0-9]+)?/.exec(text.slice(i, i + 64))!;
      out.push({ type: 'number', start: i, end: i + m[0].length, text: m[0] });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      const op = ['==', '!=', '<=', '>=', '&&', '||', '??', '?.', '=~', '!~'].includes(two) ? two : c;
      out.push({ type: 'punct', start: i, end: i + op.length, text: op });
      i += op.length;
    }
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$' };

/** A single-quoted string from `start`: its decoded value, or `interpolated` when it holds `${…}`. */
function readString(text: string, start: number): Token {
  let value = '';
  let interpolated = false;
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") return { type: 'string', start, end: i + 1, text: value, interpolated };
    if (c === '\n') throw new GiveUp();
    if (c === '\\') {
      const e = text[i + 1];
      if (e === 'u' && text[i + 2] === '{') {
        const close = text.indexOf('}', i);
        if (close < 0) throw new GiveUp();
        value += String.fromCodePoint(parseInt(text.slice(i + 3, close), 16));
        i = close + 1;
        continue;
      }
      if (!(e in ESCAPES)) throw new GiveUp();
      value += ESCAPES[e];
      i += 2;
    } else if (c === '$' && text[i + 1] === '{') {
      interpolated = true;
      i = skipInterpolation(text, i + 2);
    } else {
      value += c;
      i++;
    }
  }
  throw new GiveUp();
}

/** The offset after the `}` that closes an interpolation opened before `from` (strings inside it skipped). */
function skipInterpolation(text: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") i = readString(text, i).end;
    else {
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return i + 1;
      else if (c === '\n') throw new GiveUp();
      i++;
    }
  }
  throw new GiveUp();
}

const OPENERS: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

class Parser {
  i = 0;
  readonly declarations: BicepDeclaration[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private is(type: TokenType, text?: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.type === type && (text === undefined || t.text === text);
  }

  private expect(type: TokenType, text?: string): Token {
    if (!this.is(type, text)) throw new GiveUp();
    return this.tokens[this.i++];
  }

  private skipNewlines(): void {
    while (this.is('newline')) this.i++;
  }

  /** The file's declarations, top-level and nested in resource bodies; one that cannot be read is left out. */
  file(): void {
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i];
      const lineStart = this.i === 0 || this.tokens[this.i - 1].type === 'newline';
      if (lineStart && t.type === 'ident' && ['resource', 'param', 'var'].includes(t.text) && this.is('ident', undefined, 1)) {
        const at = this.i;
        try {
          this.declaration(undefined);
          continue;
        } catch (e) {
          if (!(e instanceof GiveUp)) throw e;
          this.i = at + 1;
        }
      }
      const at = this.i;
      try {
        this.skipToken();
      } catch (e) {
        if (!(e instanceof GiveUp)) throw e;
        // An unclosed bracket: go on after it, declarations inside may still be whole.
        this.i = at + 1;
      }
    }
  }

  /** Skips one token, or a whole bracketed group. */
  private skipToken(): void {
    const t = this.tokens[this.i];
    if (t.type === 'punct' && OPENERS[t.text]) this.skipGroup();
    else this.i++;
  }

  /** Skips a bracketed group from its opener to its closer; throws when it is not closed. */
  private skipGroup(): void {
    const close = OPENERS[this.tokens[this.i].text];
    this.i++;
    while (!this.is('punct', close)) {
      if (this.i >= this.tokens.length || this.is('punct', '}') || this.is('punct', ']') || this.is('punct', ')')) throw new GiveUp();
      this.skipToken();
    }
    this.i++;
  }

  private declaration(parent: string | undefined): BicepDeclaration {
    const keyword = this.expect('ident').text as BicepDeclaration['keyword'];
    const start = this.tokens[this.i - 1].start;
    const symbol = this.expect('ident').text;
    const decl: BicepDeclaration = { keyword, symbol, start, end: start, ...(parent ? { parent } : {}) };
    if (keyword === 'resource') {
      const type = this.expect('string');
      if (!type.interpolated) decl.type = type.text;
      if (this.is('ident', 'existing')) {
        this.i++;
        decl.existing = true;
      }
      this.expect('punct', '=');
      if (this.is('ident', 'if')) {
        decl.conditional = true;
        this.i++;
        if (!this.is('punct', '(')) throw new GiveUp();
        this.skipGroup();
        this.skipNewlines();
        if (!this.is('punct', '{')) throw new GiveUp();
        this.skipGroup();
      } else if (this.is('punct', '[')) {
        decl.conditional = true;
        this.skipGroup();
      } else {
        if (!this.is('punct', '{')) throw new GiveUp();
        decl.value = this.object(symbol);
      }
    } else {
      // A param's type (`string`, `'a' | 'b'`, `object?`) up to its default, if any; a var's `=`.
      while (this.i < this.tokens.length && !this.is('newline') && !this.is('punct', '=')) this.skipToken();
      if (this.is('punct', '=')) {
        this.i++;
        decl.value = this.value();
      }
    }
    decl.end = this.tokens[this.i - 1].end;
    this.declarations.push(decl);
    return decl;
  }

  /** A value: an object, an array, a string, a literal, or (anything else, or any of those with more after them) an expression. */
  value(): BicepValue {
    const first = this.peek();
    if (!first || first.type === 'newline') throw new GiveUp();
    const at = this.i;
    let value: BicepValue | undefined;
    if (first.type === 'punct' && first.text === '{') value = this.object(undefined);
    else if (first.type === 'punct' && first.text === '[' && !this.is('ident', 'for', 1) && !(this.is('newline', undefined, 1) && this.nextIsFor())) value = this.array();
    else if (first.type === 'string' && !first.interpolated) {
      this.i++;
      value = { kind: 'string', start: first.start, end: first.end, value: first.text };
    } else if ((first.type === 'ident' && ['true', 'false', 'null'].includes(first.text)) || first.type === 'number') {
      this.i++;
      const v = first.type === 'number' ? Number(first.text) : first.text === 'null' ? null : first.text === 'true';
      value = { kind: 'literal', start: first.start, end: first.end, value: v };
    }
    if (value && this.atValueEnd()) return value;
    // An expression: everything up to the end of the line, a comma, or the closer of what holds it.
    this.i = at;
    while (!this.atValueEnd()) this.skipToken();
    const end = this.tokens[this.i - 1].end;
    return { kind: 'expression', start: first.start, end, text: this.text.slice(first.start, end) };
  }

  /** `[` newline `for …`: a loop written over lines. */
  private nextIsFor(): boolean {
    let j = this.i + 1;
    while (this.tokens[j]?.type === 'newline') j++;
    return this.tokens[j]?.type === 'ident' && this.tokens[j].text === 'for';
  }

  private atValueEnd(): boolean {
    const t = this.peek();
    return t === undefined || t.type === 'newline' || (t.type === 'punct' && [',', '}', ']', ')'].includes(t.text));
  }

  /** An object literal; `resource` declarations inside it are read as children of `owner`. */
  private object(owner: string | undefined): BicepValue {
    const open = this.expect('punct', '{');
    const props: BicepProperty[] = [];
    const children: BicepDeclaration[] = [];
    for (;;) {
      while (this.is('newline') || this.is('punct', ',')) this.i++;
      if (this.is('punct', '}')) break;
      const key = this.peek();
      if (!key) throw new GiveUp();
      if (owner && key.type === 'ident' && key.text === 'resource' && this.is('ident', undefined, 1)) {
        children.push(this.declaration(owner));
        continue;
      }
      if (key.type === 'punct' && key.text === '@') {
        // A decorator of a nested declaration: `@batchSize(1)` and the like.
        this.i++;
        this.expect('ident');
        if (this.is('punct', '(')) this.skipGroup();
        continue;
      }
      if (!(key.type === 'ident' || (key.type === 'string' && !key.interpolated))) throw new GiveUp();
      this.i++;
      this.expect('punct', ':');
      const value = this.value();
      if (props.some((p) => p.key === key.text)) throw new GiveUp();
      props.push({ key: key.text, start: key.start, value });
      if (!this.atValueEnd() || this.is('punct', ']') || this.is('punct', ')')) throw new GiveUp();
    }
    const close = this.expect('punct', '}');
    return { kind: 'object', start: open.start, end: close.end, props, children };
  }

  private array(): BicepValue {
    const open = this.expect('punct', '[');
    const items: BicepValue[] = [];
    for (;;) {
      while (this.is('newline') || this.is('punct', ',')) this.i++;
      if (this.is('punct', ']')) break;
      items.push(this.value());
      if (!this.atValueEnd() || this.is('punct', '}') || this.is('punct', ')')) throw new GiveUp();
    }
    const close = this.expect('punct', ']');
    return { kind: 'array', start: open.start, end: close.end, items };
  }
}

/** The declarations of a Bicep file (an unreadable one left out); none when the file cannot be tokenized. */
export function bicepDeclarations(text: string): BicepDeclaration[] {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof GiveUp) return [];
    throw e;
  }
  const parser = new Parser(text, tokens);
  parser.file();
  return parser.declarations;
}

/** The value of `key` in an object value. */
export function propOf(value: BicepValue | undefined, key: string): BicepProperty | undefined {
  return value?.kind === 'object' ? value.props.find((p) => p.key === key) : undefined;
}
