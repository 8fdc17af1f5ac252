import { POD_IDENTITY_KINDS } from '../k8s';
import { dirOf, joinPath, pathKey, relativePath } from '../paths';
import { SCRIPT_KINDS, scriptOf } from '../scripts';
import { commandHead } from '../scripts/script';
import { podIdentityCommandsOf } from '../scripts/commands';
import { parseDocument } from 'yaml';
import type { Fix, RelatedLocation, TextRule, TextRuleContext } from '../rule';
import { parseShell } from '../scripts/shell-parser';
import type { ScriptCommand } from '../scripts/script';
import type { WorkspaceIndex } from '../workspace';

const POD_IDENTITY_OBJECT = /^\s*apiVersion:\s*["']?aadpodidentity\.k8s\.io\//m;

/**
 * `kubectl apply|create -f` of a file (or a folder, or a here-document) that holds pod identity
 * objects: the pipeline keeps deploying them after the manifests are migrated ("if you are
 * deploying an AzureIdentityBinding in a DevOps pipeline, be sure to delete it as well"). Flagged
 * with the file it applies. Once the migration has removed every object of a file it applies (the
 * file holds nothing any more, and kubectl fails on it), the step is flagged again with its removal.
 */
export const scriptKubectlApply: TextRule = {
  id: 'script-kubectl-apply',
  description: 'A script or pipeline step applies pod identity objects with kubectl (a file, a folder or a here-document).',
  severity: 'warning',
  input: 'text',
  fileKinds: SCRIPT_KINDS,
  fixable: true,
  check(ctx) {
    const model = scriptOf(ctx.kind, ctx.text);
    for (const c of model ? podIdentityCommandsOf(model) : []) {
      if (c.kind !== 'apply') continue;
      const related: RelatedLocation[] = [];
      const applied: string[] = [];
      const emptied: string[] = [];
      for (const word of c.files) {
        if (word.value === undefined) continue;
        const named = appliedFiles(ctx.index, ctx.path, ctx.kind, word.value);
        for (const found of named.files.flatMap((p) => podIdentityObjectsOf(ctx.index, p))) {
          applied.push(found.path);
          related.push({ file: found.path, start: found.start, end: found.end, message: `${found.kinds.join(', ')} applied by this step` });
        }
        // A file (not a folder) the migration emptied: every object it held was a pod identity object it removed.
        if (named.file && holdsNothing(ctx.index, named.file)) emptied.push(named.file);
      }
      const heredoc = c.stdin && c.cmd.heredocs.some((h) => POD_IDENTITY_OBJECT.test(h.text));
      const name = (paths: string[]) => [...new Set(paths.map((path) => relativePath(dirOf(ctx.path), path)))].sort();
      if (applied.length === 0 && !heredoc) {
        // Every file it names holds no object any more: kubectl fails on it ("no objects passed to apply").
        const only = !c.stdin && emptied.length > 0 && emptied.length === c.files.length;
        const fix = only ? removeStep(ctx, c.cmd, `Remove the kubectl ${c.cmd.words[1].value} step of ${name(emptied).join(', ')}`) : undefined;
        if (only) {
          ctx.report({
            ...commandHead(ctx.text, c.cmd),
            ...(fix ? { fix } : {}),
            message:
              `kubectl ${c.cmd.words[1].value} applies ${name(emptied).join(', ')}, which ${emptied.length > 1 ? 'hold' : 'holds'} no object any more (the migration removed the pod identity objects): ` +
              `kubectl fails on ${emptied.length > 1 ? 'them' : 'it'} ("no objects passed to ${c.cmd.words[1].value}"), so remove this step${fix ? '' : ' by hand (it is not on a line of its own, so the fix leaves it)'}.`,
          });
        }
        continue;
      }
      // Named relative to the script, in order: never a URI, and the same in the editor and the CLI.
      const files = name(applied);
      const what = heredoc && files.length === 0 ? 'a here-document holding pod identity objects' : `${files.join(', ')}, which ${files.length > 1 ? 'hold' : 'holds'} pod identity objects`;
      ctx.report({
        ...commandHead(ctx.text, c.cmd),
        related,
        message: `kubectl ${c.cmd.words[1].value} applies ${what}: once the migration removes them, remove this step too, or it deploys them again.`,
      });
    }
  },
};

/**
 * The workspace files a `-f` path names: the file itself (`file`), or the files of a folder. The
 * path is read relative to the script's folder and its parents (a pipeline runs from the
 * repository's root, a workflow two folders above it).
 */
function appliedFiles(index: WorkspaceIndex, script: string, kind: string, path: string): { files: string[]; file?: string } {
  if (/^[a-z]+:\/\//i.test(path) || path.startsWith('/')) return { files: [] };
  const keys = new Map(index.paths.map((p) => [pathKey(p), p]));
  const bases = [dirOf(script)];
  for (let i = 0; i < (kind === 'github-workflow' ? 3 : 2); i++) bases.push(joinPath(bases[bases.length - 1], '..'));
  for (const base of bases) {
    const target = pathKey(joinPath(base, path.replace(/\/+$/, '')));
    if (keys.has(target)) return { files: [keys.get(target)!], file: keys.get(target)! };
    const named = [...keys].filter(([k]) => k.startsWith(`${target}/`)).map(([, p]) => p);
    if (named.length > 0) return { files: named };
  }
  return { files: [] };
}

/** The pod identity objects of a file, where the first is and their kinds; none when it holds none. */
function podIdentityObjectsOf(index: WorkspaceIndex, p: string): Array<{ path: string; start: number; end: number; kinds: string[] }> {
  const objects = index.file(p)?.docs.flatMap((d) => d.objects.filter((o) => POD_IDENTITY_KINDS.includes(o.kind)).map((o) => ({ o, d }))) ?? [];
  if (objects.length === 0) return [];
  const first = objects[0].d;
  return [{ path: p, start: first.start, end: first.end, kinds: [...new Set(objects.map(({ o }) => `${o.kind} ${o.name ?? ''}`.trim()))] }];
}

/** A plain manifest with nothing but comments, `---` lines and blank lines: what the migration leaves of a file whose every object it removed. */
function holdsNothing(index: WorkspaceIndex, p: string): boolean {
  const file = index.file(p);
  if (!file || file.kind !== 'manifest' || file.masked.actions.length > 0) return false;
  return file.text.split('\n').every((line) => /^\s*(#.*)?$/.test(line) || /^---\s*(#.*)?\r?$/.test(line));
}

/**
 * The step's removal: the command's whole lines, when it stands on lines of its own, as a
 * statement of its own (no pipe, list or continuation joins it to another, no block would be left
 * empty), and the script still parses without it; otherwise undefined.
 */
function removeStep(ctx: TextRuleContext, cmd: ScriptCommand, title: string): Fix | undefined {
  const { text } = ctx;
  const start = text.lastIndexOf('\n', cmd.start - 1) + 1;
  const nl = text.indexOf('\n', cmd.end);
  const end = nl < 0 ? text.length : nl + 1;
  if (text.slice(start, cmd.start).trim() !== '' || !/^[ \t]*(#.*)?\r?\n?$/.test(text.slice(cmd.end, end))) return undefined;
  const indent = text.slice(start, cmd.start);
  const lines = (from: string) => from.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  const before = lines(text.slice(0, start)).at(-1);
  const after = lines(text.slice(end))[0];
  const yaml = !SHELL_KINDS.includes(ctx.kind);
  // In a pipeline, the neighbours of the step's own block scalar, written at its indentation.
  const inBlock = (line: string | undefined) => line !== undefined && line.startsWith(indent) && !/^\s/.test(line.slice(indent.length));
  if (yaml && !inBlock(before) && !inBlock(after)) return undefined;
  if (before !== undefined && (!yaml || inBlock(before)) && /(\\|`|&&|\|\||\||\bthen|\bdo|\belse|\{|\(|\bin)\s*$/.test(before)) return undefined;
  if (after !== undefined && (!yaml || inBlock(after)) && /^\s*(fi|done|esac|;;|\}|\)|else|elif)\b/.test(after)) return undefined;
  const edited = text.slice(0, start) + text.slice(end);
  const parses = ctx.kind === 'shell-script' ? parseShell(edited) !== undefined : ctx.kind === 'powershell' ? true : scriptOf(ctx.kind, edited) !== undefined && parseDocument(edited).errors.length === 0;
  if (!parses) return undefined;
  return ctx.fix({ title, label: title, edits: [{ start, end, text: '' }] });
}

const SHELL_KINDS: readonly string[] = ['shell-script', 'powershell'];
