import { nodeType, parseShell, type ShNode } from './shell-parser';
import type { ScriptCommand, ScriptModel, Word } from './script';

/**
 * A shell script's simple commands, read with a real shell parser (mvdan-sh): continuation lines,
 * quoting and here-documents as Bash reads them. A variable assigned a literal exactly once in the
 * script (`NAME=orders`, `export NAME=orders`) is resolved; any other expansion leaves the value out.
 */
export function readShell(text: string): ScriptModel {
  const tree = parseShell(text);
  if (!tree) return { commands: [] };
  const at = offsetsOf(text);
  const assigned = new Map<string, Array<ShNode | 'empty' | 'unknown'>>();
  const stmts: ShNode[] = [];
  tree.walk((node, type) => {
    if (type === 'Stmt') stmts.push(node);
    const assigns = type === 'CallExpr' && (node.Args as ShNode[]).length === 0 ? (node.Assigns as ShNode[]) : type === 'DeclClause' ? (node.Args as ShNode[]) : [];
    for (const a of assigns) {
      const name = (a.Name as ShNode | null)?.Value as string | undefined;
      if (!name || a.Naked) continue;
      const list = assigned.get(name) ?? [];
      list.push(a.Append || a.Array || a.Index ? 'unknown' : ((a.Value as ShNode | null) ?? 'empty'));
      assigned.set(name, list);
    }
  });
  const vars = new Map<string, string | undefined>();
  const variable = (name: string): string | undefined => {
    if (vars.has(name)) return vars.get(name);
    vars.set(name, undefined); // a variable defined by itself stays unknown
    const values = assigned.get(name);
    const only = values?.length === 1 ? values[0] : 'unknown';
    const value = only === 'unknown' ? undefined : only === 'empty' ? '' : wordValue(only, variable);
    vars.set(name, value);
    return value;
  };
  const commands: ScriptCommand[] = [];
  for (const stmt of stmts) {
    const cmd = stmt.Cmd as ShNode | null;
    if (!cmd || typeof cmd.Args !== 'object' || (cmd.Args as ShNode[]).length === 0 || !('Assigns' in cmd)) continue;
    const words: Word[] = (cmd.Args as ShNode[]).map((w) => {
      const start = at(w.Pos().Offset());
      const end = at(w.End().Offset());
      const value = wordValue(w, variable);
      const name = simpleVariable(w);
      return { start, end, text: text.slice(start, end), ...(value !== undefined ? { value } : {}), ...(name ? { variable: name } : {}) };
    });
    const heredocs = (stmt.Redirs as ShNode[]).flatMap((r) => {
      const body = r.Hdoc as ShNode | null;
      if (!body) return [];
      const start = at(body.Pos().Offset());
      // The body's end as the parser gives it takes in the closing delimiter's line: cut it off.
      const end = start + text.slice(start, at(body.End().Offset())).lastIndexOf('\n') + 1;
      return [{ start, end, text: text.slice(start, end) }];
    });
    commands.push({ dialect: 'sh', start: words[0].start, end: words[words.length - 1].end, words, heredocs });
  }
  return { commands: commands.sort((a, b) => a.start - b.start) };
}

/** The word's value when every part is literal or a simple expansion of a known variable. */
function wordValue(word: ShNode, variable: (name: string) => string | undefined): string | undefined {
  let out = '';
  for (const part of word.Parts as ShNode[]) {
    const value = partValue(part, variable);
    if (value === undefined) return undefined;
    out += value;
  }
  return out;
}

function partValue(part: ShNode, variable: (name: string) => string | undefined): string | undefined {
  const type = nodeType(part);
  if (type === 'DblQuoted') {
    // "…": literal text and simple expansions.
    if (part.Dollar) return undefined;
    let out = '';
    for (const inner of part.Parts as ShNode[]) {
      const value = partValue(inner, variable);
      if (value === undefined) return undefined;
      out += value;
    }
    return out;
  }
  if (type === 'SglQuoted') return part.Dollar ? undefined : (part.Value as string); // $'…' has escapes
  if (type === 'ParamExp') {
    const name = simpleParam(part);
    return name ? variable(name) : undefined;
  }
  if (type === 'Lit') {
    const value = part.Value as string;
    return value.includes('\\') || /[*?[]/.test(value) ? undefined : value;
  }
  return undefined;
}

/** The name of `$NAME` / `${NAME}` with no operator. */
function simpleParam(p: ShNode): string | undefined {
  if (p.Excl || p.Length || p.Width || p.Index || p.Slice || p.Repl || p.Names || p.Exp) return undefined;
  const name = (p.Param as ShNode | null)?.Value as string | undefined;
  return name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : undefined;
}

/** The variable of a word that is one simple expansion, bare or double-quoted. */
function simpleVariable(word: ShNode): string | undefined {
  let parts = word.Parts as ShNode[];
  if (parts.length === 1 && nodeType(parts[0]) === 'DblQuoted' && !parts[0].Dollar) parts = parts[0].Parts as ShNode[];
  return parts.length === 1 && nodeType(parts[0]) === 'ParamExp' ? simpleParam(parts[0]) : undefined;
}

/** mvdan-sh counts UTF-8 bytes; the editor counts UTF-16 units. */
function offsetsOf(text: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex -- ASCII: bytes and units agree
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const units: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) units.push(i);
    if (code >= 0x10000) i++;
  }
  return (b) => (b >= units.length ? text.length : units[b]);
}
