/**
 * The shell parser: mvdan-sh, shfmt's parser (POSIX, Bash and mksh) compiled to JavaScript. It is
 * large, so it is required on the first shell script checked, never on activation: the bundles
 * resolve `mvdan-sh` to their sibling `dist/shell-parser.js` (scripts/bundles.cjs).
 */

/** A node of mvdan-sh's syntax tree, as far as the script reader reads it (Go structs: fields are capitalised). */
export interface ShNode {
  Pos(): { Offset(): number };
  End(): { Offset(): number };
  [field: string]: unknown;
}

interface MvdanSh {
  syntax: {
    NewParser(...options: unknown[]): { Parse(text: string, name: string): ShNode };
    Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
    NodeType(node: ShNode): string;
  };
}

let loaded: MvdanSh | undefined;

function shell(): MvdanSh {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, kept out of the activation path
  return (loaded ??= require('mvdan-sh') as MvdanSh);
}

/** The type of a node (`CallExpr`, `Lit`, `DblQuoted`, …). */
export function nodeType(node: ShNode): string {
  return shell().syntax.NodeType(node);
}

/** The syntax tree of a Bash script, or undefined when it does not parse (then nothing is read of it). */
export function parseShell(text: string): { file: ShNode; walk: (visit: (node: ShNode, type: string) => void) => void } | undefined {
  const { syntax } = shell();
  let file: ShNode;
  try {
    file = syntax.NewParser().Parse(text, '');
  } catch {
    return undefined;
  }
  return {
    file,
    walk: (visit) =>
      syntax.Walk(file, (node) => {
        if (node) visit(node, syntax.NodeType(node));
        return true;
      }),
  };
}
