/**
 * What the script readers (shell, PowerShell, pipeline steps) give the rules: the simple commands
 * of a script as words with file offsets, their literal values where the script spells them out
 * (variables assigned once in the same script resolved), and the here-documents they read.
 */

export type Dialect = 'sh' | 'pwsh';

export interface Word {
  /** File offsets of the word as written (quotes included). */
  start: number;
  end: number;
  /** The text as written. */
  text: string;
  /** Its value, when literal or made of variables assigned a literal in the same script. */
  value?: string;
  /** The variable, when the word is one variable and nothing else (`$ID`, `"${ID}"`). */
  variable?: string;
}

export interface ScriptCommand {
  dialect: Dialect;
  /** File offsets of the command, from its first word to the end of its last. */
  start: number;
  end: number;
  words: Word[];
  /** Bodies of the here-documents the command reads (`<<EOF`), file offsets. */
  heredocs: Array<{ start: number; end: number; text: string }>;
}

/** One script: its commands. A script that does not parse has none. */
export interface ScriptModel {
  commands: ScriptCommand[];
}

/** The arguments after the first `n` words, read as `--option value` / `--option=value` and flags. */
export interface Options {
  /** The word of an option's value (the word after it, or the part after `=`, as a word of its own). */
  get(...names: string[]): Word | undefined;
  /** The word of a flag (or option), whatever follows it. */
  flag(...names: string[]): Word | undefined;
}

export function optionsOf(cmd: ScriptCommand, from: number): Options {
  const words = cmd.words.slice(from);
  const find = (names: string[]) => words.findIndex((w) => names.some((n) => w.text === n || w.text.startsWith(`${n}=`)));
  return {
    get(...names) {
      const i = find(names);
      if (i < 0) return undefined;
      const w = words[i];
      const eq = w.text.indexOf('=');
      if (eq >= 0 && w.text.startsWith('-')) {
        const text = w.text.slice(eq + 1);
        const value = w.value?.startsWith(w.text.slice(0, eq + 1)) ? w.value.slice(eq + 1) : undefined;
        return { start: w.start + eq + 1, end: w.end, text, ...(value !== undefined ? { value } : {}) };
      }
      const next = words[i + 1];
      return next && !next.text.startsWith('-') ? next : undefined;
    },
    flag(...names) {
      const i = find(names);
      return i < 0 ? undefined : words[i];
    },
  };
}

/** True when the command's first words are these literals (`az aks pod-identity add`). */
export function isCommand(cmd: ScriptCommand, ...names: string[]): boolean {
  return names.every((n, i) => cmd.words[i]?.value === n);
}

/**
 * Where a finding on a command points: the command on its first line (a command continued over
 * several lines is reported where it starts, not as a whole block).
 */
export function commandHead(text: string, cmd: { start: number; end: number }): { start: number; end: number } {
  const lineEnd = text.indexOf('\n', cmd.start);
  let end = lineEnd < 0 || lineEnd > cmd.end ? cmd.end : lineEnd;
  // Not the line's continuation (`\` in a shell, a backtick in PowerShell) nor the space before it.
  while (end > cmd.start && /[\s\\`]/.test(text[end - 1])) end--;
  return { start: cmd.start, end };
}
