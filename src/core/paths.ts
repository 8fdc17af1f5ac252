/**
 * Paths of the workspace as the engine keys its files: relative or absolute file system paths
 * (the CLI, `/` or `\`) or URI strings (the editor, `file:///…`). What a kustomization names
 * (`../base`, `patch.yaml`) is resolved against them here, without a file system.
 */

/** The key's folder, without a trailing separator. */
export function dirOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? '.' : path.slice(0, cut);
}

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** `rel` (a kustomization's entry, `/`-separated) joined to folder `dir`, `.` and `..` resolved, in `dir`'s separator. */
export function joinPath(dir: string, rel: string): string {
  const uri = /^[a-z][a-z0-9+.-]*:\/\//i.exec(dir);
  const head = uri ? uri[0] : '';
  const rest = dir.slice(head.length);
  const sep = !uri && rest.includes('\\') && !rest.includes('/') ? '\\' : '/';
  const absolute = rest.startsWith('/') || rest.startsWith('\\');
  const parts: string[] = [];
  for (const segment of [...rest.split(/[\\/]/), ...rel.split('/')]) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(segment);
  }
  const joined = parts.join(sep);
  return head + (absolute ? sep : '') + (joined || (absolute ? '' : '.'));
}

/** A URI's scheme and `//`. */
const URI_HEAD = /^[a-z][a-z0-9+.-]*:\/\//i;
/** What `joinPath` would fold in a `/`-separated path: an empty, `.` or `..` segment, or a trailing `/`. */
const FOLDED = /\/\/|(^|\/)\.\.?(\/|$)|\/$/;

/** The key every spelling of the same path shares (separators and `./` folded). */
export function pathKey(path: string): string {
  // Most paths are their own key (a CLI walk's, an editor URI): checked with one search, not split and joined.
  if (!path.includes('\\')) {
    const rest = path.slice(URI_HEAD.exec(path)?.[0].length ?? 0);
    // A last separator at the start of `rest` (`/a.yaml`, `file:///a.yaml`) is folded too: the slow way.
    if (rest.lastIndexOf('/') > 0 && !FOLDED.test(rest)) return path;
  }
  return joinPath(dirOf(path), baseName(path)).replace(/\\/g, '/');
}

/** `to` relative to folder `from` with `/` separators, for writing into a kustomization. */
export function relativePath(from: string, to: string): string {
  const a = pathKey(joinPath(from, 'x')).split('/').slice(0, -1);
  const b = pathKey(to).split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}
