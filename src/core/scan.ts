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
const WORDS = ['aad', 'podid', 'pod-id', 'pod_id', 'pod.id', 'idb', 'bind', 'ding', 'identity', 'secretprovider', 'azure/kv', 'flexvol', 'keyvault'];

/**
 * Kinds that matter whatever the object holds, as the rules and facts name them (`POD_IDENTITY_KINDS`
 * of k8s.ts, `TRIGGER_AUTH_KINDS` of keda.ts, `GITOPS_KINDS` of gitops.ts: a unit test holds them
 * equal). Written out here so that the scan imports nothing: the editor's main bundle holds it
 * without the rest of the core.
 */
const KINDS = [
  'ServiceAccount',
  'SecretProviderClass',
  'AzureIdentity',
  'AzureIdentityBinding',
  'AzurePodIdentityException',
  'AzureAssignedIdentity',
  'TriggerAuthentication',
  'ClusterTriggerAuthentication',
  'Application',
  'Kustomization',
  'HelmRelease',
];

/** Kinds that matter whatever the object holds. */
export function scanKinds(): string[] {
  return [...KINDS];
}

/** A node of a trie of strings: what may follow, and whether a string ends here. */
interface Trie {
  next: Map<string, Trie>;
  end: boolean;
}

function trieOf(strings: readonly string[]): Trie {
  const root: Trie = { next: new Map(), end: false };
  for (const s of strings) {
    let node = root;
    for (const c of s) {
      let child = node.next.get(c);
      if (!child) node.next.set(c, (child = { next: new Map(), end: false }));
      node = child;
    }
    node.end = true;
  }
  return root;
}

/**
 * The trie as a regular expression (strings sharing a prefix share its pattern); `char` writes one
 * character. At the `top`, the alternatives are not grouped (the expression matches faster so).
 */
function patternOf(node: Trie, char: (c: string) => string, top = false): string {
  const alternatives = [...node.next].map(([c, child]) => char(c) + patternOf(child, char));
  if (top) return alternatives.join('|');
  if (alternatives.length === 0) return '';
  const body = alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
  if (!node.end) return body;
  return alternatives.length === 1 ? `(?:${body})?` : `${body}?`;
}

const literal = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** An ASCII letter in either case, as the `i` flag reads it: `[Aa]`. */
const anyCase = (c: string) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : literal(c));

/**
 * The scanner: one regular expression, one pass over the text, that matches where a word starts
 * (in any case) or a kind stands as a whole word (case-sensitive). Each is a trie, so the
 * alternatives that share a prefix test it once, and the letters are classes, not the `i` flag:
 * the kinds keep their case. About half the cost of the two case-insensitive expressions it
 * replaces, with the same matches.
 */
const SCAN = new RegExp(`${patternOf(trieOf(WORDS), anyCase, true)}|\\b${patternOf(trieOf(KINDS), literal)}\\b`, 'g');

/** True when a file is read through the scan: a plain manifest (not Chart.yaml). Its text must hold no `{{` too. */
export function scannable(kind: string, path: string): boolean {
  return kind === 'manifest' && !/(^|[\\/])Chart\.ya?ml$/i.test(path);
}

/** True when something in the text can take part in a finding. */
export function mayMatter(text: string): boolean {
  SCAN.lastIndex = 0;
  return SCAN.test(text);
}

/**
 * Offsets (sorted) where a word or kind of the scan starts in the text: one per match, so
 * every line that holds a word or kind holds one (the words and kinds span no line break).
 */
export function scanHits(text: string): number[] {
  const hits: number[] = [];
  SCAN.lastIndex = 0;
  for (let m = SCAN.exec(text); m; m = SCAN.exec(text)) hits.push(m.index);
  return hits;
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
