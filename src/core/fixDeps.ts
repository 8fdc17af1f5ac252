import { firstWhere } from './bisect';
import type { TextEdit } from './edits';
import { docFacts } from './facts';
import type { ManifestDoc, ManifestFile } from './model';
import type { WorkspaceIndex } from './workspace';

/*
 * What a round of fix-all changed, for the next round to know which documents to analyse again
 * (fixAll.ts): the edits of each file (to move the offsets of findings that stay), the documents
 * they changed, and the keys of what the index knows that changed with them. A document is analysed
 * again when it read one of those keys while it was analysed.
 */

/** The key that re-analyses everything: the round changed something this file does not follow. */
export const RECHECK_ALL = 'all';

/** Set on every change: the key of an index member `readsOf` does not know. */
const ANY = '*';

export interface Round {
  files: Map<string, FileChange>;
  keys: Set<string>;
}

/**
 * The keys an index read depends on: a ServiceAccount by name, the pods, the bindings, the
 * identities, the records of client ids, kustomize (and the namespaces it gives), a file's parse.
 */
function keysOf(member: string, args: unknown[]): string[] {
  switch (member) {
    case 'serviceAccount':
      return [`sa:${String(args[0])}/${String(args[1])}`];
    case 'serviceAccounts':
      return ['serviceAccounts'];
    case 'pods':
    case 'podsWithBindingLabel':
    case 'podsUsingServiceAccount':
    case 'podsMountingSecretProviderClass':
      return ['pods'];
    case 'bindings':
    case 'bindingsForSelector':
    case 'bindingAt':
      return ['bindings'];
    case 'identities':
    case 'identityForBinding':
    case 'identityAt':
      return ['identities'];
    case 'identitiesForSelector':
    case 'bindingsForIdentity':
      return ['bindings', 'identities'];
    case 'records':
      return ['records'];
    case 'kustomize':
    case 'namespaceOf':
    case 'namespacesOf':
      return ['kustomize'];
    case 'paths':
      return ['paths'];
    case 'labelledPods':
      return ['pods'];
    case 'file':
    case 'parsedFile':
    case 'heldFile':
    case 'textOf':
    case 'kindOf':
      return [`file:${String(args[0])}`];
    case 'serviceAccountObject':
      return [`file:${(args[0] as { file: string }).file}`];
    case 'defaultNamespace':
      return [];
    default:
      return [ANY];
  }
}

/**
 * What fix-all's readers worked out from the index through `WorkspaceIndex.derived` (a rule's
 * value of the whole workspace): each under a key of its own, which a round changed when the
 * value it gives after the round differs from the one before (`changedValues`).
 */
export class DerivedReads {
  private readonly known = new Map<object, { id: string; make: () => unknown }>();

  /** The key of a read of `derived(key, make)`. */
  idOf(key: object, make: () => unknown): string {
    let entry = this.known.get(key);
    if (!entry) this.known.set(key, (entry = { id: `derived:${this.known.size}`, make }));
    return entry.id;
  }

  /** Every derived value read so far, as the index gives it now (worked out if this state of it has not yet). */
  values(index: WorkspaceIndex): Map<string, unknown> {
    return new Map([...this.known].map(([key, { id, make }]) => [id, index.derived(key, make)]));
  }

  /** The keys of the values that differ now from `before` (taken with `values` before the round). */
  changedValues(index: WorkspaceIndex, before: Map<string, unknown>): string[] {
    const now = this.values(index);
    return [...before].filter(([id, value]) => !sameValue(value, now.get(id))).map(([id]) => id);
  }
}

/**
 * Equal as data: primitives, arrays, plain objects and regular expressions compared by content;
 * any other object only to itself (a parse tree is not compared, so a value holding one differs).
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a instanceof RegExp) return b instanceof RegExp && a.source === b.source && a.flags === b.flags;
  const plain = (o: object) => [Object.prototype, null].includes(Object.getPrototypeOf(o) as object | null);
  if (!plain(a) || !plain(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The index as rules see it, adding the key of every read to `reads` (a derived value's through `derived`, else `ANY`). */
export function readsOf(index: WorkspaceIndex, reads: Set<string>, derived?: DerivedReads): WorkspaceIndex {
  const methods = new Map<string, (...args: unknown[]) => unknown>();
  const keys = (member: string, args: unknown[]) => (member === 'derived' && derived ? [derived.idOf(args[0] as object, args[1] as () => unknown)] : keysOf(member, args));
  return new Proxy(index, {
    get(target, member) {
      const value: unknown = Reflect.get(target, member, target);
      if (typeof member !== 'string') return value;
      if (typeof value !== 'function') {
        for (const k of keys(member, [])) reads.add(k);
        return value;
      }
      let method = methods.get(member);
      if (!method) {
        method = (...args: unknown[]): unknown => {
          for (const k of keys(member, args)) reads.add(k);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
        methods.set(member, method);
      }
      return method;
    },
  });
}

/**
 * A change the keys follow: a plain manifest without template text (not a chart's values or
 * templates, not its Chart.yaml, not a kustomization), or a file of text. Other changes reach
 * documents other ways (a chart's values render its templates' fields).
 */
function followed(f: ManifestFile | undefined): boolean {
  return !f || ((f.kind === 'manifest' || f.docs.length === 0) && f.masked.actions.length === 0 && !/(^|[/\\])Chart\.ya?ml$/.test(f.path));
}

/**
 * The keys a round changed: those of the facts of every document it changed (before and after),
 * each changed file's parse, the records of client ids; `RECHECK_ALL` when a change is not
 * `followed`, or the workspace has kustomizations (whose builds read the manifests they list).
 * The facts are those of the changed documents alone (`docFacts`, kept per parse of a document):
 * for a followed change they are what the index holds of them, without grouping the whole index.
 */
export function keysChanged(index: WorkspaceIndex, changes: readonly FileChange[], pathsChanged: boolean): Set<string> {
  const keys = new Set([ANY, 'records', ...changes.map((c) => `file:${c.path}`)]);
  if (pathsChanged) keys.add('paths');
  const kustomize = index.paths.some((p) => index.kindOf(p) === 'kustomization');
  if (kustomize || changes.some((c) => !followed(c.old) || !followed(c.now))) return new Set([RECHECK_ALL]);
  for (const change of changes) {
    const changed = [...change.changedDocs('old').map((doc) => ({ file: change.old!, doc })), ...change.changedDocs('now').map((doc) => ({ file: change.now, doc }))];
    for (const { file, doc } of changed) {
      const facts = docFacts(file, doc, index.defaultNamespace);
      if (facts.identities.length) keys.add('identities');
      if (facts.bindings.length) keys.add('bindings');
      if (facts.pods.length) keys.add('pods');
      for (const sa of facts.serviceAccounts) keys.add('serviceAccounts').add(`sa:${sa.namespace}/${sa.name}`);
    }
  }
  return keys;
}

/**
 * One file's change in a round: its parse before (none for a file the round created) and after,
 * and the edits between them. A document is unchanged when no edit changes its text and the new
 * parse has a document of that same text where it moved to.
 */
export class FileChange {
  readonly path: string;
  private readonly edits: TextEdit[];
  /** Per edit, how much the text up to its end grew. */
  private readonly grown: number[];
  private readonly changedOldDocs: ManifestDoc[] = [];
  private readonly changedNowDocs: ManifestDoc[] = [];
  /** Start now to start before the round, of each unchanged document. */
  private readonly unchanged = new Map<number, number>();

  constructor(
    readonly old: ManifestFile | undefined,
    readonly now: ManifestFile,
    edits: readonly TextEdit[],
  ) {
    this.path = now.path;
    this.edits = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
    let grown = 0;
    this.grown = this.edits.map((e) => (grown += e.text.length - (e.end - e.start)));
    const moved = new Map<number, ManifestDoc>();
    for (const doc of old?.docs ?? []) {
      if (this.changes(doc.start, doc.end)) this.changedOldDocs.push(doc);
      else moved.set(doc.start + this.grownUpTo(doc.start), doc);
    }
    for (const doc of now.docs) {
      const was = moved.get(doc.start);
      if (was && was.source === doc.source && doc.end - doc.start === was.end - was.start) this.unchanged.set(doc.start, was.start);
      else this.changedNowDocs.push(doc);
    }
    for (const start of this.unchanged.keys()) moved.delete(start);
    this.changedOldDocs.push(...moved.values());
  }

  /** The start before the round of an unchanged document that starts at `start` now. */
  oldStartOf(start: number): number | undefined {
    return this.unchanged.get(start);
  }

  /** The documents the round changed: of the file before it (`old`) or after it (`now`). */
  changedDocs(when: 'old' | 'now'): readonly ManifestDoc[] {
    return when === 'old' ? this.changedOldDocs : this.changedNowDocs;
  }

  /** True when an edit replaces text inside the range, or inserts text strictly inside it. */
  private changes(start: number, end: number): boolean {
    for (let j = this.firstEndingAfter(start); j < this.edits.length && this.edits[j].start <= end; j++) {
      const e = this.edits[j];
      if (e.start < end && start < e.end) return true;
      if (e.start === e.end && start < e.start && e.start < end) return true;
    }
    return false;
  }

  /** How much the text up to `offset` grew: the edits that end at or before it. */
  private grownUpTo(offset: number): number {
    const i = this.firstEndingAfter(offset);
    return i === 0 ? 0 : this.grown[i - 1];
  }

  /** Index of the first edit that ends after `offset` (edits do not overlap: their ends are in order). */
  private firstEndingAfter(offset: number): number {
    return firstWhere(this.edits.length, (i) => this.edits[i].end > offset);
  }
}
