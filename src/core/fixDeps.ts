import type { TextEdit } from './edits';
import type { Located } from './facts';
import type { ManifestFile } from './model';
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
    case 'file':
      return [`file:${String(args[0])}`];
    default:
      return [ANY];
  }
}

/** The index as rules see it, adding the key of every read to `reads`. */
export function readsOf(index: WorkspaceIndex, reads: Set<string>): WorkspaceIndex {
  const methods = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy(index, {
    get(target, member) {
      const value: unknown = Reflect.get(target, member, target);
      if (typeof member !== 'string') return value;
      if (typeof value !== 'function') {
        for (const k of keysOf(member, [])) reads.add(k);
        return value;
      }
      let method = methods.get(member);
      if (!method) {
        method = (...args: unknown[]): unknown => {
          for (const k of keysOf(member, args)) reads.add(k);
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
 */
export function keysChanged(index: WorkspaceIndex, changes: readonly FileChange[], before: Facts, pathsChanged: boolean): Set<string> {
  const keys = new Set([ANY, 'records', ...changes.map((c) => `file:${c.path}`)]);
  if (pathsChanged) keys.add('paths');
  const kustomize = index.paths.some((p) => index.parsedFile(p)?.kind === 'kustomization');
  if (kustomize || changes.some((c) => !followed(c.old) || !followed(c.now))) return new Set([RECHECK_ALL]);
  const byPath = new Map(changes.map((c) => [c.path, c]));
  const add = (facts: readonly Located[], key: (f: Located) => string[], when: 'old' | 'now') => {
    for (const f of facts) if (byPath.get(f.file)?.changedAt(f.start, when)) key(f).forEach((k) => keys.add(k));
  };
  for (const [when, facts] of [['old', before], ['now', snapshot(index)]] as const) {
    add(facts.identities, () => ['identities'], when);
    add(facts.bindings, () => ['bindings'], when);
    add(facts.pods, () => ['pods'], when);
    add(facts.serviceAccounts, (f) => ['serviceAccounts', `sa:${(f as Located & { namespace: string }).namespace}/${(f as Located & { name: string }).name}`], when);
  }
  return keys;
}

export interface Facts {
  identities: readonly Located[];
  bindings: readonly Located[];
  pods: readonly Located[];
  serviceAccounts: readonly Located[];
}

/** The index's facts as they are now (the arrays are replaced, never changed, on an update). */
export function snapshot(index: WorkspaceIndex): Facts {
  return { identities: index.identities, bindings: index.bindings, pods: index.pods, serviceAccounts: index.serviceAccounts };
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
  private readonly changedOld: Array<[number, number]> = [];
  private readonly changedNow: Array<[number, number]> = [];
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
    const moved = new Map<number, { start: number; end: number; source: string }>();
    for (const doc of old?.docs ?? []) {
      if (this.changes(doc.start, doc.end)) this.changedOld.push([doc.start, doc.end]);
      else moved.set(doc.start + this.grownUpTo(doc.start), doc);
    }
    for (const doc of now.docs) {
      const was = moved.get(doc.start);
      if (was && was.source === doc.source && doc.end - doc.start === was.end - was.start) this.unchanged.set(doc.start, was.start);
      else this.changedNow.push([doc.start, doc.end]);
    }
    for (const start of this.unchanged.keys()) moved.delete(start);
    for (const doc of moved.values()) this.changedOld.push([doc.start, doc.end]);
    this.changedOld.sort((a, b) => a[0] - b[0]);
  }

  /** The start before the round of an unchanged document that starts at `start` now. */
  oldStartOf(start: number): number | undefined {
    return this.unchanged.get(start);
  }

  /** True when the offset lies in a document the round changed (`old`: an offset before the round). */
  changedAt(offset: number, when: 'old' | 'now'): boolean {
    // Documents in order, without overlap (alternatives share a range): the last one starting at or before the offset.
    const ranges = when === 'old' ? this.changedOld : this.changedNow;
    const lo = firstWhere(ranges.length, (i) => ranges[i][0] > offset);
    return lo > 0 && offset < ranges[lo - 1][1];
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

/** The first index below `length` where `holds` (false below it, true from it on), by bisection; `length` if none. */
function firstWhere(length: number, holds: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
