import { renderTemplatedFields } from './chart';
import { distinctFacts } from './alternatives';
import { KustomizeModel, namespaceIn } from './builds';
import { addonDeclarations } from './addon-readers';
import { addFactsOf, addonFacts, docFacts, hasDocFacts, moveDocFacts, noFacts, onlyMoved, type BindingFact, type FileFacts, type IdentityFact, type Located, type PodFact, type ServiceAccountFact } from './facts';
import { pathKey } from './paths';
import { GUIDS_IN_TEXT } from './k8s';
import { editOf } from './incremental';
import { fullFile, fullFileSteps, objectAt, type K8sObject, type ManifestDoc, type ManifestFile } from './model';
import { ParseStore, type Stored, type StoreOptions } from './parse-store';
import { runSteps, type Steps } from './steps';

interface Views extends Omit<FileFacts, 'recordedIds'> {
  recordedIds: Set<string>;
  bindingsBySelector: Map<string, BindingFact[]>;
  bindingsByIdentityName: Map<string, BindingFact[]>;
  identitiesByName: Map<string, IdentityFact[]>;
  podsByBindingLabel: Map<string, PodFact[]>;
  /** Pods of the documents the pre-scan skipped, read when asked (`pods`). */
  skippedPods?: PodFact[];
  labelledPods?: PodFact[];
  /** True once the GUIDs of skipped documents are in `recordedIds`. */
  skippedIdsRead?: boolean;
  /** What `bindingsForSelector` and `identitiesForSelector` gave, by namespace and selector (every workload of a selector asks again). */
  selected?: Map<string, BindingFact[]>;
  identitiesSelected?: Map<string, Array<{ identity: IdentityFact; binding: BindingFact }>>;
  /** Identities and bindings by file and start (`identityAt`, `bindingAt`), made when first asked. */
  identitiesAt?: Map<string, IdentityFact>;
  bindingsAt?: Map<string, BindingFact>;
  /** Values worked out from the index as it is (`derived`), dropped with the views. */
  derived?: Map<object, unknown>;
  /** True when the groups hold copies of facts (rendered with a chart's values, namespaced by a build), not the index's own. */
  copies: boolean;
}

/** The key of a fact's place, for lookups by file and start. */
const placeKey = (file: string, start: number) => `${start}\u0000${file}`;

/** Facts by their place; the first of several at one place (a document's alternatives share it). */
function byPlace<T extends Located>(facts: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const f of facts) {
    const key = placeKey(f.file, f.start);
    if (!out.has(key)) out.set(key, f);
  }
  return out;
}

const FACT_KINDS = ['identities', 'bindings', 'serviceAccounts', 'pods', 'recordedIds'] as const;

/** The GUIDs written in a file's skipped documents (none of them holds a pod identity object), read once per version of it. */
function idsOfSkipped(stored: Stored): string[] {
  if (!stored.skippedIds) {
    const ids: string[] = [];
    for (const { start, end } of stored.skipped ?? []) for (const m of stored.text.slice(start, end).matchAll(GUIDS_IN_TEXT)) ids.push(m[0].toLowerCase());
    stored.skippedIds = ids;
  }
  return stored.skippedIds;
}

/** Values worked out from the index that a check prepares in steps (`prepareSteps`), by their `derived` key. */
const preparations = new Map<object, (index: WorkspaceIndex) => Steps<unknown>>();

/**
 * Registers a value a module works out from the index (its `derived` key, and the work as steps):
 * a check prepares it in steps before it reads any document, so that the first reader does not
 * work it out in one go.
 */
export function prepareDerived<T>(key: object, steps: (index: WorkspaceIndex) => Steps<T>): void {
  preparations.set(key, steps);
}

/**
 * Cross-file facts: identities, bindings, service accounts and pods of every file of the
 * workspace. Updated one file at a time; queries read across all files.
 */
export class WorkspaceIndex {
  private readonly files = new Map<string, FileFacts>();
  /** The text and kind of every file, and the parses the index holds (open files, the last read). */
  private readonly parses: ParseStore;
  /** Facts of all files together, grouped for lookups; dropped on every update, made on demand. */
  private views: Views | undefined;
  /** What kustomize builds from the workspace; dropped with the views. */
  private model: KustomizeModel | undefined;
  /** The files (path keys) the kustomize model read. */
  private modelReads = new Set<string>();
  /**
   * Counts changes that other documents' findings may depend on: every update, except one that
   * only moved facts of one file (`quiet`), which counts in `quietByPath` instead. Findings a
   * check kept are still right while neither count changed for the other files (core/findings-cache.ts).
   */
  private changes = 0;
  private quietTotal = 0;
  private readonly quietByPath = new Map<string, number>();

  /** `options`: which files are open, and how much text of closed files the index keeps parsed (parse-store.ts). */
  constructor(
    readonly defaultNamespace = 'default',
    options: StoreOptions = {},
  ) {
    // The kustomize model keeps what it read as long as it lives.
    this.parses = new ParseStore(options, (path) => this.model !== undefined && this.readByBuild(path));
  }

  update(file: ManifestFile): void {
    runSteps(this.updateSteps(file));
  }

  /** `update` as steps: reads the facts of one document per step, and changes the index at the end. */
  *updateSteps(file: ManifestFile): Steps<void> {
    if (this.movedInPlace(file)) return;
    const facts = noFacts();
    for (const doc of file.docs) {
      const mine = docFacts(file, doc, this.defaultNamespace);
      for (const key of FACT_KINDS) {
        const some = mine[key] as unknown[];
        // Most documents have no fact of most kinds: no loop for those.
        if (some.length === 1) (facts[key] as unknown[]).push(some[0]);
        else if (some.length > 1) (facts[key] as unknown[]).push(...some);
      }
      yield;
    }
    const declared = addonDeclarations(file.kind, file.text);
    if (declared) {
      const addon = addonFacts(file.path, declared);
      facts.identities.push(...addon.identities);
      facts.bindings.push(...addon.bindings);
    }
    const previous = this.heldFile(file.path);
    const quiet = previous !== undefined && !this.readByModel(file.path, file.kind) && onlyMoved(previous, file, this.defaultNamespace);
    if (quiet) {
      this.quietTotal++;
      this.quietByPath.set(file.path, (this.quietByPath.get(file.path) ?? 0) + 1);
    } else this.changes++;
    if (this.readByModel(file.path, file.kind)) this.model = undefined;
    // A templated identity name that no value renders (`{{ .Release.Name }}-identity`) names the identity of this file written alike.
    for (const b of facts.bindings) b.identityName ??= facts.identities.find((i) => i.name === b.templated?.identityName)?.name;
    if (file.docs.some((d) => d.branches)) distinctFacts(facts);
    this.files.set(file.path, facts);
    this.parses.set(file);
    this.views = undefined;
  }

  /** The parse of the file if one is still held (by the index or a reader), else undefined: nothing is parsed. */
  heldFile(path: string): ManifestFile | undefined {
    return this.parses.heldFile(path);
  }

  /** The text of the file as indexed. */
  textOf(path: string): string | undefined {
    return this.parses.get(path)?.text;
  }

  /** The kind (`ManifestFile.kind`) of the file as indexed. */
  kindOf(path: string): string | undefined {
    return this.parses.get(path)?.kind;
  }

  /** The paths whose parse the index holds itself (open files, the kustomize model's, and the last read within the budget). */
  get heldPaths(): string[] {
    return this.parses.heldPaths;
  }

  /** How many parses the index let go of were made again from their text. */
  get reparsed(): number {
    return this.parses.reparsed;
  }

  /**
   * The ServiceAccount object a fact was read from, in the file's parse as indexed (made again if
   * the index let it go): facts are read from parsed documents only, so no skipped one is parsed.
   */
  serviceAccountObject(fact: ServiceAccountFact): K8sObject | undefined {
    const file = this.parsedFile(fact.file);
    return file && objectAt(file, fact.start, 'ServiceAccount');
  }

  /**
   * An edit that only moved facts of the file (`onlyMoved`): the facts of the documents it did not
   * touch are the index's own objects, moved in place (`moveDocFacts`), so the groups of every file
   * stay as they are; only what is keyed by offsets is made again when asked. No document outside
   * the changed window is read. False (nothing changed) when the edit is not of that kind.
   */
  private movedInPlace(file: ManifestFile): boolean {
    const previous = this.heldFile(file.path);
    const edit = editOf(file);
    if (!previous || edit?.previous !== previous || !this.files.has(file.path) || this.readByModel(file.path, file.kind)) return false;
    if (addonDeclarations(file.kind, file.text)) return false;
    const ns = this.defaultNamespace;
    // The documents before the window are the same objects; those of the window and after it pair up in order.
    let first = 0;
    while (first < previous.docs.length && previous.docs[first] === file.docs[first] && previous.docs[first].start < edit.start) first++;
    let oldAfter = first;
    while (oldAfter < previous.docs.length && previous.docs[oldAfter].start < edit.oldEnd) oldAfter++;
    let newAfter = first;
    while (newAfter < file.docs.length && file.docs[newAfter].start < edit.newEnd) newAfter++;
    if (oldAfter - first !== newAfter - first || previous.docs.length - oldAfter !== file.docs.length - newAfter) return false;
    for (let i = first; i < previous.docs.length; i++) if (previous.docs[i].branches || !hasDocFacts(file.path, previous.docs[i], ns)) return false;
    if (!onlyMoved(previous, file, ns)) return false;
    const delta = edit.newEnd - edit.oldEnd;
    const pair = (i: number): [ManifestDoc, ManifestDoc] => [previous.docs[i], file.docs[i - oldAfter + newAfter]];
    for (let i = first; i < oldAfter; i++) {
      const [from, to] = pair(i);
      moveDocFacts(file.path, from, to, ns, delta, docFacts(file, to, ns));
    }
    for (let i = oldAfter; i < previous.docs.length; i++) {
      const [from, to] = pair(i);
      if (from !== to) moveDocFacts(file.path, from, to, ns, delta);
    }
    this.quietTotal++;
    this.quietByPath.set(file.path, (this.quietByPath.get(file.path) ?? 0) + 1);
    this.parses.set(file);
    const v = this.views;
    if (v?.copies) this.views = undefined;
    else if (v) {
      // What is keyed by offsets, or read from the file's skipped text, is made again when asked.
      v.identitiesAt = v.bindingsAt = v.skippedPods = v.derived = undefined;
    }
    return true;
  }

  remove(path: string): void {
    if (this.readByModel(path, this.kindOf(path))) this.model = undefined;
    this.files.delete(path);
    this.parses.delete(path);
    this.views = undefined;
    this.changes++;
  }

  /** True when the kustomize model may change with this file: a kustomization, or a file a build reads. */
  private readByModel(path: string, kind: string | undefined): boolean {
    return kind === 'kustomization' || this.readByBuild(path) || this.kindOf(path) === 'kustomization';
  }

  /** Where the index stands for the findings of `path`: equal, nothing they read changed since (core/findings-cache.ts). */
  stateFor(path: string): string {
    return `${this.changes}:${this.quietTotal - (this.quietByPath.get(path) ?? 0)}`;
  }

  /** The kustomizations of the workspace and what each leaf builds (made on demand). */
  get kustomize(): KustomizeModel {
    if (!this.model) {
      const byKey = new Map([...this.parses.paths()].map((p) => [pathKey(p), p]));
      const reads = (this.modelReads = new Set());
      const kustomizations = [...this.parses.entries()].flatMap(([p, s]) => (s.kind === 'kustomization' ? (this.parses.parse(p) ?? []) : []));
      // A build reads every document of its files, also those the pre-scan skipped.
      this.model = new KustomizeModel(kustomizations, (key) => {
        reads.add(key);
        const path = byKey.get(key);
        const file = path === undefined ? undefined : this.parses.parse(path);
        return file && fullFile(file);
      });
    }
    return this.model;
  }

  /** Facts of objects that kustomize builds, with the namespace their builds give them. */
  private built<T extends Located & { namespace: string }>(facts: T[]): T[] {
    const model = this.kustomize;
    return model.builds.length === 0 ? facts : facts.map((f) => ({ ...f, namespace: model.namespaceAt(f.file, f.start) ?? f.namespace }));
  }

  private view(): Views {
    if (this.views) return this.views;
    const v: Views = { identities: [], bindings: [], serviceAccounts: [], pods: [], recordedIds: new Set(), bindingsBySelector: new Map(), identitiesByName: new Map(), bindingsByIdentityName: new Map(), podsByBindingLabel: new Map(), copies: false };
    // Objects that kustomize builds get the namespace their builds give them; fields a chart's
    // template writes with `.Values` read as the chart's values give them.
    const render = renderTemplatedFields(this);
    const rendered = <T extends Located>(f: T): T => {
      const r = render(f);
      if (r !== f) v.copies = true;
      return r;
    };
    const built = <T extends Located & { namespace: string }>(facts: T[]): T[] => {
      const out = this.built(facts);
      if (out !== facts) v.copies = true;
      return out;
    };
    for (const facts of this.files.values()) {
      v.identities.push(...built(facts.identities.map(rendered)));
      v.bindings.push(...built(facts.bindings.map(rendered)));
      v.serviceAccounts.push(...built(facts.serviceAccounts));
      v.pods.push(...built(facts.pods.map(rendered)));
      for (const id of facts.recordedIds) v.recordedIds.add(id);
    }
    const group = <T>(map: Map<string, T[]>, key: string | undefined, item: T) => {
      if (key === undefined) return;
      const list = map.get(key);
      if (list) list.push(item);
      else map.set(key, [item]);
    };
    for (const b of v.bindings) group(v.bindingsBySelector, b.selector, b);
    for (const b of v.bindings) group(v.bindingsByIdentityName, b.identityName, b);
    for (const i of v.identities) group(v.identitiesByName, i.name, i);
    for (const p of v.pods) group(v.podsByBindingLabel, p.bindingLabel, p);
    this.views = v;
    return v;
  }

  /** The parsed file behind the facts, every document parsed, for fixes that edit another file (a ServiceAccount, say). */
  file(path: string): ManifestFile | undefined {
    const file = this.parses.parse(path);
    return file && fullFile(file);
  }

  /**
   * The file as it was indexed: the documents the pre-scan skipped are not parsed. For readers of
   * every file that look only for what the scan keeps, and as the `previous` of a new parse.
   */
  parsedFile(path: string): ManifestFile | undefined {
    return this.parses.parse(path);
  }

  /** The file as a check must read it: every document parsed when a kustomize build reads it (an overlay may patch any of them). */
  checkedFile(file: ManifestFile): ManifestFile {
    if (!file.skipped?.length) return file;
    void this.kustomize;
    return this.readByBuild(file.path) ? fullFile(file) : file;
  }

  /** True when a kustomize build reads the file (of the model last made). Most workspaces have no build: no path key is made then. */
  private readByBuild(path: string): boolean {
    return this.modelReads.size > 0 && this.modelReads.has(pathKey(path));
  }

  get paths(): string[] {
    return [...this.files.keys()];
  }

  /** The namespace the object gets: the one every kustomize build that renders it gives it, else the one it writes. */
  namespaceOf(obj: K8sObject): string {
    const built = this.namespacesOf(obj);
    return built.length === 1 ? built[0] : (obj.namespace ?? this.defaultNamespace);
  }

  /** Every namespace the object is deployed to: one per kustomize build that renders it (or the one it writes). */
  namespacesOf(obj: K8sObject): string[] {
    const built = new Set(this.kustomize.placesOf(obj).map(({ bo }) => namespaceIn(bo) ?? this.defaultNamespace));
    // Sorted: the order builds are found in depends on the order files were read.
    return built.size ? [...built].sort() : [obj.namespace ?? this.defaultNamespace];
  }

  private all<K extends keyof Views>(key: K): Views[K] {
    return this.view()[key];
  }

  /**
   * Bindings whose selector is `selector`. Pod identity (outside namespaced mode) matches bindings
   * in any namespace, so bindings of the pod's own namespace come first, then the others. The
   * AKS-managed add-on binds a pod identity in its own namespace only.
   */
  bindingsForSelector(selector: string, namespace: string): readonly BindingFact[] {
    const v = this.view();
    const key = `${namespace}\u0000${selector}`;
    let found = (v.selected ??= new Map<string, BindingFact[]>()).get(key);
    if (!found) {
      const matches = (v.bindingsBySelector.get(selector) ?? []).filter((b) => !b.addon || b.namespace === namespace);
      found = [...matches.filter((b) => b.namespace === namespace), ...matches.filter((b) => b.namespace !== namespace)];
      v.selected.set(key, found);
    }
    return found;
  }

  /** The AzureIdentity a binding names: same namespace (and file) first, then any. */
  identityForBinding(binding: BindingFact): IdentityFact | undefined {
    if (!binding.identityName) return undefined;
    const named = this.view().identitiesByName.get(binding.identityName) ?? [];
    return named.find((i) => i.namespace === binding.namespace && i.file === binding.file) ?? named.find((i) => i.namespace === binding.namespace) ?? named[0];
  }

  /** label → bindings → identities, without duplicates, with the bindings that led there. */
  identitiesForSelector(selector: string, namespace: string): ReadonlyArray<{ identity: IdentityFact; binding: BindingFact }> {
    const v = this.view();
    const key = `${namespace}\u0000${selector}`;
    let found = (v.identitiesSelected ??= new Map<string, Array<{ identity: IdentityFact; binding: BindingFact }>>()).get(key);
    if (!found) v.identitiesSelected.set(key, (found = this.selectIdentities(selector, namespace)));
    return found;
  }

  private selectIdentities(selector: string, namespace: string): Array<{ identity: IdentityFact; binding: BindingFact }> {
    const seen = new Set<IdentityFact>();
    const out: Array<{ identity: IdentityFact; binding: BindingFact }> = [];
    for (const binding of this.bindingsForSelector(selector, namespace)) {
      const identity = this.identityForBinding(binding);
      if (identity && !seen.has(identity)) {
        seen.add(identity);
        out.push({ identity, binding });
      }
    }
    return out;
  }

  /** The AzureIdentity whose object starts at `start` in `file` (as `identities` gives it). */
  identityAt(file: string, start: number): IdentityFact | undefined {
    const v = this.view();
    return (v.identitiesAt ??= byPlace(v.identities)).get(placeKey(file, start));
  }

  /** The AzureIdentityBinding whose object starts at `start` in `file` (as `bindings` gives it). */
  bindingAt(file: string, start: number): BindingFact | undefined {
    const v = this.view();
    return (v.bindingsAt ??= byPlace(v.bindings)).get(placeKey(file, start));
  }

  /**
   * What `make` works out from the index, once per state of it: kept until the next update or
   * removal. `key` names what is worked out (the function itself, say); `make` must read only the index.
   */
  derived<T>(key: object, make: () => T): T {
    const v = this.view();
    const kept = (v.derived ??= new Map()).get(key) as T | undefined;
    if (kept !== undefined || v.derived.has(key)) return kept as T;
    const made = make();
    v.derived.set(key, made);
    return made;
  }

  /** Works out, in steps, the values registered with `prepareDerived` that this state of the index lacks. */
  *prepareSteps(): Steps<void> {
    for (const [key, steps] of preparations) {
      const v = this.view();
      yield;
      if (v.derived?.has(key)) continue;
      const value = yield* steps(this);
      // Kept only for the state it was worked out from: an update in between dropped the views.
      if (this.views === v) (v.derived ??= new Map()).set(key, value);
    }
  }

  bindingsForIdentity(identity: IdentityFact): BindingFact[] {
    return (this.view().bindingsByIdentityName.get(identity.name) ?? []).filter((b) => this.identityForBinding(b) === identity);
  }

  podsWithBindingLabel(selector: string): PodFact[] {
    return this.view().podsByBindingLabel.get(selector) ?? [];
  }

  serviceAccount(namespace: string, name: string): ServiceAccountFact | undefined {
    return this.all('serviceAccounts').find((s) => s.namespace === namespace && s.name === name);
  }

  podsMountingSecretProviderClass(namespace: string, name: string): PodFact[] {
    return this.all('pods').filter((p) => p.namespace === namespace && p.secretProviderClasses.includes(name));
  }

  podsUsingServiceAccount(namespace: string, name: string): PodFact[] {
    return this.pods.filter((p) => p.namespace === namespace && (p.serviceAccountName ?? 'default') === name);
  }

  /** True when a document other than a pod identity one writes this GUID (a ServiceAccount's client id, chart values). */
  records(id: string): boolean {
    const v = this.view();
    if (!v.skippedIdsRead) {
      for (const [, stored] of this.parses.entries()) for (const skipped of idsOfSkipped(stored)) v.recordedIds.add(skipped);
      v.skippedIdsRead = true;
    }
    return v.recordedIds.has(id.toLowerCase());
  }

  get identities(): IdentityFact[] {
    return this.all('identities');
  }

  get serviceAccounts(): ServiceAccountFact[] {
    return this.all('serviceAccounts');
  }

  /** Every pod of the workspace, those of documents the pre-scan skipped too (parsed now, once per index state). */
  get pods(): PodFact[] {
    return runSteps(this.podsSteps());
  }

  /** `pods` as steps: a step per skipped document parsed or read, when this state of the index has not read them yet. */
  *podsSteps(): Steps<PodFact[]> {
    const v = this.view();
    if (!v.skippedPods) {
      const skippedPods: PodFact[] = [];
      for (const [path, stored] of [...this.parses.entries()]) {
        if (!stored.skipped?.length) continue;
        if (!stored.skippedPods) {
          const file = yield* this.parses.parseSteps(path);
          if (!file || this.parses.get(path) !== stored) continue;
          const facts = noFacts();
          const parsed = new Set(file.docs);
          const whole = yield* fullFileSteps(file);
          for (const doc of whole.docs) {
            if (parsed.has(doc)) continue;
            addFactsOf(whole, doc, this.defaultNamespace, facts);
            yield;
          }
          // Kept with the text they were read from: a new version of the file is stored anew.
          if (this.parses.get(path) === stored) stored.skippedPods = facts.pods;
        }
        skippedPods.push(...this.built(stored.skippedPods ?? []));
      }
      // An update in between made other views: these are dropped, and that state reads its own.
      if (this.views !== v) return yield* this.podsSteps();
      v.skippedPods = skippedPods;
    }
    return [...v.pods, ...v.skippedPods];
  }

  /** The pods with an `aadpodidbinding` label (the pre-scan never skips one): no skipped document is parsed. */
  get labelledPods(): PodFact[] {
    const v = this.view();
    return (v.labelledPods ??= v.pods.filter((p) => p.bindingLabel !== undefined));
  }

  get bindings(): BindingFact[] {
    return this.all('bindings');
  }
}
