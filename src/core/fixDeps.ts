import type { TextEdit } from './edits';
import type { Located } from './facts';
import type { ManifestFile } from './model';
import type { Finding } from './rule';
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
      return ['bindings'];
    case 'identities':
    case 'identityForBinding':
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
  return new Proxy(index, {
    get(target, member) {
      const value: unknown = Reflect.get(target, member, target);
      if (typeof member !== 'string') return value;
      if (typeof value !== 'function') {
        for (const k of keysOf(member, [])) reads.add(k);
        return value;
      }
      return (...args: unknown[]): unknown => {
        for (const k of keysOf(member, args)) reads.add(k);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** File kinds whose changes the keys follow: elsewhere (charts, kustomize) the next round analyses everything. */
const FOLLOWED = new Set(['manifest']);

/**
 * The keys a round changed: those of the facts of every document it changed (before and after),
 * each changed file's parse, the records of client ids; `RECHECK_ALL` when a change touches
 * what the keys do not follow (a chart's or a kustomization's files, Helm template text).
 */
export function keysChanged(index: WorkspaceIndex, changes: readonly FileChange[], before: Facts, pathsChanged: boolean): Set<string> {
  const keys = new Set([ANY, 'records', ...changes.map((c) => `file:${c.path}`)]);
  if (pathsChanged) keys.add('paths');
  const followed = (f: ManifestFile | undefined) => !f || ((FOLLOWED.has(f.kind) || f.docs.length === 0) && f.masked.actions.length === 0);
  const unfollowed = index.paths.some((p) => {
    const kind = index.file(p)?.kind;
    return kind !== undefined && kind !== 'manifest' && index.file(p)!.docs.length > 0;
  });
  if (unfollowed || changes.some((c) => !followed(c.old) || !followed(c.now))) return new Set([RECHECK_ALL]);
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
 * and the edits between them. A document is unchanged when no edit touches it, its ends included.
 */
export class FileChange {
  readonly path: string;
  private readonly edits: TextEdit[];
  /** Per edit, how much the text before its end grew. */
  private readonly shift: number[];
  private readonly changedOld: Array<[number, number]> = [];
  private readonly changedNow: Array<[number, number]> = [];
  private readonly unchanged = new Map<number, number>();
  /** Per unchanged document (its start before the round), how far it moved. */
  private readonly shiftOf = new Map<number, number>();

  constructor(
    readonly old: ManifestFile | undefined,
    readonly now: ManifestFile,
    edits: readonly TextEdit[],
  ) {
    this.path = now.path;
    this.edits = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
    let grown = 0;
    this.shift = this.edits.map((e) => (grown += e.text.length - (e.end - e.start)));
    // A document no edit changes (an edit at one of its ends may) keeps its text: where the new
    // parse has a document of that text at the moved start, it is the same document.
    const moved = new Map<number, { start: number; end: number; source: string }>();
    for (const doc of old?.docs ?? []) {
      if (this.inside(doc.start, doc.end)) this.changedOld.push([doc.start, doc.end]);
      else moved.set(doc.start + this.upTo(doc.start), doc);
    }
    for (const doc of now.docs) {
      const was = moved.get(doc.start);
      if (was && was.source === doc.source && doc.end - doc.start === was.end - was.start) this.unchanged.set(doc.start, was.start);
      else this.changedNow.push([doc.start, doc.end]);
    }
    for (const [start, was] of this.unchanged) {
      if (moved.get(start)) moved.delete(start);
      this.shiftOf.set(was, start - was);
    }
    for (const doc of moved.values()) this.changedOld.push([doc.start, doc.end]);
  }

  /** The start before the round of an unchanged document that starts at `start` now. */
  oldStartOf(start: number): number | undefined {
    return this.unchanged.get(start);
  }

  /** True when the offset lies in a document the round changed (`old`: an offset before the round). */
  changedAt(offset: number, when: 'old' | 'now'): boolean {
    return (when === 'old' ? this.changedOld : this.changedNow).some(([s, e]) => s <= offset && offset < e);
  }

  /**
   * A range before the round, after it; undefined when an edit touches it (its ends included),
   * unless it lies in the unchanged document that started at `docStart`: that moved as a whole.
   */
  map(start: number, end: number, doc?: { start: number; end: number }): [number, number] | undefined {
    const moved = doc && doc.start <= start && end <= doc.end ? this.shiftOf.get(doc.start) : undefined;
    if (moved !== undefined) return [start + moved, end + moved];
    if (this.touched(start, end)) return undefined;
    const d = this.before(start);
    return [start + d, end + d];
  }

  /** True when an edit changes text inside the range, or inserts text strictly inside it. */
  private inside(start: number, end: number): boolean {
    const i = this.firstEndingFrom(start);
    for (let j = i; j < this.edits.length && this.edits[j].start <= end; j++) {
      const e = this.edits[j];
      if (e.start < end && start < e.end) return true;
      if (e.start === e.end && start < e.start && e.start < end) return true;
    }
    return false;
  }

  /** How much the text up to `offset` grew: the edits that end at or before it. */
  private upTo(offset: number): number {
    let lo = 0;
    let hi = this.edits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.edits[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.shift[lo - 1];
  }

  private touched(start: number, end: number): boolean {
    const i = this.firstEndingFrom(start);
    return i < this.edits.length && this.edits[i].start <= end;
  }

  /** How much the text before `offset` grew (the edits that end before it). */
  private before(offset: number): number {
    const i = this.firstEndingFrom(offset);
    return i === 0 ? 0 : this.shift[i - 1];
  }

  /** Index of the first edit that ends at or after `offset`. */
  private firstEndingFrom(offset: number): number {
    let lo = 0;
    let hi = this.edits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.edits[mid].end < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Findings of unchanged documents, their offsets (and those of their related places) moved; undefined when one is touched. */
export function mapFindings(findings: readonly Finding[], files: Map<string, FileChange>, doc: { file: string; start: number; end: number }): Finding[] | undefined {
  const out: Finding[] = [];
  const move = <T extends { file: string; start: number; end: number }>(x: T): T | undefined => {
    const change = files.get(x.file);
    if (!change) return x;
    const range = change.map(x.start, x.end, x.file === doc.file ? doc : undefined);
    return range && { ...x, start: range[0], end: range[1] };
  };
  for (const f of findings) {
    const moved = move(f);
    const related = f.related?.map(move);
    if (!moved || f.fix || related?.some((r) => r === undefined)) return undefined;
    out.push(related ? { ...moved, related: related as Finding['related'] } : moved);
  }
  return out;
}
