import type { ScriptCommand, ScriptModel, Word } from './script';

/**
 * PowerShell command lines, read by a small strict tokenizer (there is no PowerShell parser for
 * JavaScript): words of bare text, '…' and "…" strings and `$variables`, statements ended by a line
 * break (unless the line ends with a backtick), `;` or `|`. A statement with anything else (script
 * blocks, sub-expressions, `@(…)`, escapes outside strings) is not read at all: the reader gives up
 * on it rather than guess. `$NAME = 'value'` assigned once in the script is resolved.
 */
export function readPowerShell(text: string): ScriptModel {
  const statements = tokenize(text);
  const assigned = new Map<string, Array<string | undefined>>();
  for (const s of statements) {
    const [target, eq, value] = s.tokens;
    if (target?.kind !== 'variable' || s.tokens.length < 2 || eq.raw !== '=') continue;
    const key = target.name!.toLowerCase();
    const list = assigned.get(key) ?? [];
    list.push(!s.bad && s.tokens.length === 3 && value.parts ? JSON.stringify(value.parts) : undefined);
    assigned.set(key, list);
  }
  const vars = new Map<string, string | undefined>();
  const variable = (name: string): string | undefined => {
    const key = name.toLowerCase();
    if (vars.has(key)) return vars.get(key);
    vars.set(key, undefined);
    const values = assigned.get(key);
    const value = values?.length === 1 && values[0] !== undefined ? resolve(JSON.parse(values[0]) as Part[], variable) : undefined;
    vars.set(key, value);
    return value;
  };
  const commands: ScriptCommand[] = [];
  for (const s of statements) {
    if (s.bad || s.tokens.length === 0 || s.tokens[0].kind !== 'bare' || s.tokens.some((t) => t.raw === '=')) continue;
    const words: Word[] = s.tokens.map((t) => {
      const value = t.parts ? resolve(t.parts, variable) : undefined;
      return { start: t.start, end: t.end, text: t.raw, ...(value !== undefined ? { value } : {}), ...(t.kind === 'variable' ? { variable: t.name } : {}) };
    });
    commands.push({ dialect: 'pwsh', start: words[0].start, end: words[words.length - 1].end, words, heredocs: [] });
  }
  return { commands };
}

/** Literal text, or a variable to resolve. */
type Part = string | { variable: string };

interface Token {
  start: number;
  end: number;
  raw: string;
  kind: 'bare' | 'variable' | 'mixed';
  name?: string;
  /** Undefined when the value cannot be known (an escape, `$env:X`, a sub-expression). */
  parts?: Part[];
}

interface Statement {
  tokens: Token[];
  bad: boolean;
}

function resolve(parts: Part[], variable: (name: string) => string | undefined): string | undefined {
  let out = '';
  for (const p of parts) {
    const v = typeof p === 'string' ? p : variable(p.variable);
    if (v === undefined) return undefined;
    out += v;
  }
  return out;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(text: string): Statement[] {
  const statements: Statement[] = [];
  let current: Statement = { tokens: [], bad: false };
  const end = () => {
    if (current.tokens.length || current.bad) statements.push(current);
    current = { tokens: [], bad: false };
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '`' && /^`[ \t]*\r?\n/.test(text.slice(i, i + 4))) i = text.indexOf('\n', i) + 1;
    else if (c === '\n' || c === ';' || c === '|') {
      end();
      i++;
    } else if (c === '<' && text[i + 1] === '#') {
      const close = text.indexOf('#>', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '@' && (text[i + 1] === '"' || text[i + 1] === "'") && /^[ \t]*\r?\n/.test(text.slice(i + 2, i + 4))) {
      // A here-string: its body is no command. Skipped to its closing line.
      const close = new RegExp(`\\n${text[i + 1]}@`, 'g');
      close.lastIndex = i;
      const m = close.exec(text);
      current.bad = true;
      i = m ? m.index + 3 : text.length;
    } else {
      const token = readToken(text, i);
      if (!token) {
        // Not a command line this reader knows: the statement is dropped, up to its line's end.
        current.bad = true;
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl;
      } else {
        current.tokens.push(token);
        i = token.end;
      }
    }
  }
  end();
  return statements;
}

/** One word at `i`: bare text, strings and variables with nothing between them; undefined for anything else. */
function readToken(text: string, start: number): Token | undefined {
  const parts: Part[] = [];
  let known = true;
  let i = start;
  let segments = 0;
  let name: string | undefined;
  while (i < text.length && !/[\s;|]/.test(text[i])) {
    const c = text[i];
    segments++;
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf("'", j);
        if (q < 0) return undefined;
        value += text.slice(j, q);
        if (text[q + 1] === "'") {
          value += "'";
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      parts.push(value);
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      let literal = '';
      for (;;) {
        if (j >= text.length) return undefined;
        const d = text[j];
        if (d === '"' && text[j + 1] === '"') {
          literal += '"';
          j += 2;
        } else if (d === '"') {
          j++;
          break;
        } else if (d === '`') {
          known = false;
          j += 2;
        } else if (d === '$') {
          const v = variableAt(text, j);
          if (v === undefined) {
            if (text[j + 1] === '(') return undefined;
            literal += '$';
            j++;
          } else {
            parts.push(literal, v.part ?? { variable: '' });
            if (!v.part) known = false;
            literal = '';
            j = v.end;
          }
        } else {
          literal += d;
          j++;
        }
      }
      parts.push(literal);
      i = j;
    } else if (c === '$') {
      const v = variableAt(text, i);
      if (!v) return undefined;
      if (v.part) parts.push(v.part);
      else known = false;
      name = v.part?.variable;
      i = v.end;
    } else if ('(){}@,`[]'.includes(c) || (c === '<' && text[i + 1] === '#')) {
      return undefined;
    } else {
      const m = /^[^\s;|'"$(){}@,`[\]]+/.exec(text.slice(i))!;
      parts.push(m[0]);
      i += m[0].length;
    }
  }
  const kind = segments === 1 && name ? 'variable' : segments === 1 && typeof parts[0] === 'string' && !'\'"'.includes(text[start]) ? 'bare' : 'mixed';
  return { start, end: i, raw: text.slice(start, i), kind, ...(kind === 'variable' ? { name } : {}), ...(known ? { parts } : {}) };
}

/** `$name`, `${name}` (a known variable), `$env:NAME` (unknown); undefined when `$` starts no variable. */
function variableAt(text: string, i: number): { part?: { variable: string }; end: number } | undefined {
  if (text[i + 1] === '{') {
    const close = text.indexOf('}', i + 2);
    if (close < 0) return undefined;
    const name = text.slice(i + 2, close);
    return NAME.test(name) && NAME.exec(name)![0] === name ? { part: { variable: name }, end: close + 1 } : { end: close + 1 };
  }
  const m = /^(?:env:)?[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
  if (!m) return undefined;
  return m[0].startsWith('env:') ? { end: i + 1 + m[0].length } : { part: { variable: m[0] }, end: i + 1 + m[0].length };
}
