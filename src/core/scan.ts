import { GITOPS_KINDS } from './gitops';
import { POD_IDENTITY_KINDS } from './k8s';
import { TRIGGER_AUTH_KINDS } from './keda';

/*
 * The pre-scan: which documents of a plain manifest can take part in a finding. A document that
 * cannot is not parsed (`parseManifestFileSteps`): it costs this scan, not a parse, and holds no
 * parse tree. What the rules read decides the words:
 * - `aad`: the `aadpodidbinding` label (pod-identity-label, -migration, -users; its selectors in
 *   Services, NetworkPolicies, PodDisruptionBudgets), `aadpodidentity.k8s.io`, the installer's
 *   `aad-pod-identity` images and chart, AGIC's `armAuth.type: aadPodIdentity`;
 * - `podid`, `pod-id`, `pod_id`, `pod.id`, `idb`, `bind`, `ding`, `identity`: the label's near misses
 *   (pod-identity-label-typo: every key one edit away from `aadpodidbinding`, in any case, with
 *   `identity` for `id` and separators between its words; two-edit ones that leave one of these
 *   pieces whole. A key two edits away that breaks every piece, `aapdodidbinxing`, is not seen), KEDA's and the CSI driver's `podIdentity` /
 *   `usePodIdentity`, every `azure.workload.identity/*` label and annotation (wi-*), Azure identity kinds;
 * - `secretprovider`, `azure/kv`, `flexvol`, `keyvault`: CSI SecretProviderClasses and the volumes
 *   that mount them, the Key Vault FlexVolume;
 * - the kinds below, case-sensitive: objects some rule or fact reads whatever they hold
 *   (ServiceAccounts are facts the workload identity rules look up).
 * Workload and selector kinds are not words: they matter only with one of the words in them.
 * Only plain manifests are scanned: Helm templates, chart values, Chart.yaml and kustomizations
 * are read whole (their facts feed other files' findings).
 */
const WORDS = /aad|podid|pod[-_.]id|idb|bind|ding|identity|secretprovider|azure\/kv|flexvol|keyvault/gi;

/** Kinds that matter whatever the object holds. */
export function scanKinds(): string[] {
  return ['ServiceAccount', 'SecretProviderClass', ...POD_IDENTITY_KINDS, ...TRIGGER_AUTH_KINDS, ...GITOPS_KINDS];
}

// Made on first use: the modules that name the kinds import the model, which imports this one.
let kinds: RegExp | undefined;
const KINDS = () => (kinds ??= new RegExp(`\\b(?:${scanKinds().join('|')})\\b`, 'g'));

/** True when a file is read through the scan: a plain manifest (not Chart.yaml). Its text must hold no `{{` too. */
export function scannable(kind: string, path: string): boolean {
  return kind === 'manifest' && !/(^|[\\/])Chart\.ya?ml$/i.test(path);
}

/** True when something in the text can take part in a finding. */
export function mayMatter(text: string): boolean {
  WORDS.lastIndex = 0;
  const k = KINDS();
  k.lastIndex = 0;
  return WORDS.test(text) || k.test(text);
}

/** Offsets (sorted) where a word or kind of the scan starts in the text. */
export function scanHits(text: string): number[] {
  const hits: number[] = [];
  for (const re of [WORDS, KINDS()]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) hits.push(m.index);
  }
  return hits.sort((a, b) => a - b);
}

/** For each `[start, end)` region (in order), whether a hit falls in it. */
export function regionsHit(hits: readonly number[], regions: ReadonlyArray<{ start: number; end: number }>): boolean[] {
  let h = 0;
  return regions.map(({ start, end }) => {
    while (h < hits.length && hits[h] < start) h++;
    return h < hits.length && hits[h] < end;
  });
}

/**
 * The lines of a text that hold a word or kind of the scan, each with the lines it is nested in
 * (by indentation): equal before and after an edit, the edit changed nothing the scan looks for,
 * nor where it is written.
 */
export function wordLines(text: string): string[] {
  const out: string[] = [];
  const parents: Array<{ indent: number; line: string }> = [];
  for (const line of text.split('\n')) {
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) {
      if (mayMatter(line)) out.push(line);
      continue;
    }
    const indent = line.length - content.length;
    while (parents.length > 0 && parents[parents.length - 1].indent >= indent) parents.pop();
    if (mayMatter(line)) out.push([...parents.map((p) => p.line), line].join('\n'));
    parents.push({ indent, line });
  }
  return out;
}
