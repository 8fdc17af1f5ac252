import { POD_IDENTITY_KINDS } from '../k8s';
import { dirOf, joinPath, pathKey, relativePath } from '../paths';
import { SCRIPT_KINDS, scriptOf } from '../scripts';
import { commandHead } from '../scripts/script';
import { podIdentityCommandsOf } from '../scripts/commands';
import type { RelatedLocation, TextRule } from '../rule';
import type { WorkspaceIndex } from '../workspace';

const POD_IDENTITY_OBJECT = /^\s*apiVersion:\s*["']?aadpodidentity\.k8s\.io\//m;

/**
 * `kubectl apply|create -f` of a file (or a folder, or a here-document) that holds pod identity
 * objects: the pipeline keeps deploying them after the manifests are migrated ("if you are
 * deploying an AzureIdentityBinding in a DevOps pipeline, be sure to delete it as well"). Flagged
 * with the file it applies; the step goes by hand once the migration has removed that file.
 */
export const scriptKubectlApply: TextRule = {
  id: 'script-kubectl-apply',
  description: 'A script or pipeline step applies pod identity objects with kubectl (a file, a folder or a here-document).',
  severity: 'warning',
  input: 'text',
  fileKinds: SCRIPT_KINDS,
  fixable: false,
  check(ctx) {
    const model = scriptOf(ctx.kind, ctx.text);
    for (const c of model ? podIdentityCommandsOf(model) : []) {
      if (c.kind !== 'apply') continue;
      const related: RelatedLocation[] = [];
      const applied: string[] = [];
      for (const word of c.files) {
        if (word.value === undefined) continue;
        for (const found of podIdentityFiles(ctx.index, ctx.path, ctx.kind, word.value)) {
          applied.push(found.path);
          related.push({ file: found.path, start: found.start, end: found.end, message: `${found.kinds.join(', ')} applied by this step` });
        }
      }
      const heredoc = c.stdin && c.cmd.heredocs.some((h) => POD_IDENTITY_OBJECT.test(h.text));
      if (applied.length === 0 && !heredoc) continue;
      // Named relative to the script, in order: never a URI, and the same in the editor and the CLI.
      const files = [...new Set(applied.map((path) => relativePath(dirOf(ctx.path), path)))].sort();
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
 * The workspace files (a file, or the files of a folder) a `-f` path names that hold pod identity
 * objects. The path is read relative to the script's folder and its parents (a pipeline runs from
 * the repository's root, a workflow two folders above it).
 */
function podIdentityFiles(index: WorkspaceIndex, script: string, kind: string, path: string): Array<{ path: string; start: number; end: number; kinds: string[] }> {
  if (/^[a-z]+:\/\//i.test(path) || path.startsWith('/')) return [];
  const keys = new Map(index.paths.map((p) => [pathKey(p), p]));
  const bases = [dirOf(script)];
  for (let i = 0; i < (kind === 'github-workflow' ? 3 : 2); i++) bases.push(joinPath(bases[bases.length - 1], '..'));
  for (const base of bases) {
    const target = pathKey(joinPath(base, path.replace(/\/+$/, '')));
    const named = keys.has(target) ? [keys.get(target)!] : [...keys].filter(([k]) => k.startsWith(`${target}/`)).map(([, p]) => p);
    if (named.length === 0) continue;
    return named.flatMap((p) => {
      const objects = index.file(p)?.docs.flatMap((d) => d.objects.filter((o) => POD_IDENTITY_KINDS.includes(o.kind)).map((o) => ({ o, d }))) ?? [];
      if (objects.length === 0) return [];
      const first = objects[0].d;
      return [{ path: p, start: first.start, end: first.end, kinds: [...new Set(objects.map(({ o }) => `${o.kind} ${o.name ?? ''}`.trim()))] }];
    });
  }
  return [];
}
