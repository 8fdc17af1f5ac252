import type { AppliedPatch, Build, BuildObject } from './builds';
import { nameOf, namespaceIn } from './builds';

/**
 * Values of objects as a kustomize build renders them: the object's own text, then each patch
 * (strategic merge, JSON 6902, labels) in the order kustomize applies them, then vars.
 */

/** Each object's (or patch document's) plain data, made once per parse: values are read many times per check. */
const plain = new WeakMap<object, unknown>();
function dataOf(node: { toJSON(): unknown }): unknown {
  if (!plain.has(node)) plain.set(node, node.toJSON());
  return plain.get(node);
}

/** JSON pointer of a path of keys (`/` in a key is `~1`). */
function pointer(path: readonly string[]): string {
  return '/' + path.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function walk(data: unknown, path: readonly string[]): unknown {
  let at = data;
  for (const key of path) {
    if (!at || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** What a patch sets at `path` of its target: `{ value }` (undefined when it removes it), or undefined when it does not touch it. */
function patchedValue(applied: AppliedPatch, path: readonly string[]): { value: unknown } | undefined {
  if (applied.ops) {
    let result: { value: unknown } | undefined;
    const target = pointer(path);
    for (const op of applied.ops) {
      if (op.op === 'remove' && (target === op.path || target.startsWith(op.path + '/'))) result = { value: undefined };
      else if ((op.op === 'add' || op.op === 'replace') && (target === op.path || target.startsWith(op.path + '/'))) {
        const rest = target.slice(op.path.length).split('/').filter(Boolean).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
        const value = walk(op.value, rest);
        if (value !== undefined || rest.length === 0) result = { value };
      }
    }
    return result;
  }
  const data: unknown = applied.object ? dataOf(applied.object.node) : applied.data;
  const value = walk(data, path);
  return value === undefined ? undefined : { value };
}

/** The value at `path` of the object as the build renders it (patches applied in order), as a string. */
export function valueIn(bo: BuildObject, path: readonly string[], except?: AppliedPatch): string | undefined {
  let value: unknown = walk(dataOf(bo.obj.node), path);
  for (const applied of bo.patches) {
    if (applied === except) continue;
    const set = patchedValue(applied, path);
    if (set) value = set.value;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Which patch (if any) last sets the value at `path`. */
export function patchSetting(bo: BuildObject, path: readonly string[]): AppliedPatch | undefined {
  let last: AppliedPatch | undefined;
  for (const applied of bo.patches) if (patchedValue(applied, path)) last = applied;
  return last;
}

/** `$(VAR)` references in `value` resolved through the build's vars (a var names an object's field). */
export function resolveVars(build: Build, value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('$(')) return value;
  return value.replace(/\$\(([A-Za-z0-9_.-]+)\)/g, (whole, name: string) => {
    for (const k of build.members) {
      const v = k.vars.find((x) => x.name === name);
      if (!v) continue;
      const bo = build.objects.find((o) => (!v.kind || o.obj.kind === v.kind) && v.objectName !== undefined && o.names.includes(v.objectName));
      if (!bo) return whole;
      if (v.fieldPath === 'metadata.name') return nameOf(bo);
      if (v.fieldPath === 'metadata.namespace') return namespaceIn(bo) ?? whole;
      return valueIn(bo, v.fieldPath.split('.')) ?? whole;
    }
    return whole;
  });
}

/** True when a var or replacement of the build reads the object: removing it would break the build. */
export function referencedByBuild(build: Build, bo: BuildObject): boolean {
  for (const k of build.members) {
    if (k.vars.some((v) => (!v.kind || v.kind === bo.obj.kind) && v.objectName !== undefined && bo.names.includes(v.objectName))) return true;
    if (k.replacementSources.some((s) => (!s.kind || s.kind === bo.obj.kind) && s.name !== undefined && bo.names.includes(s.name))) return true;
  }
  return false;
}
