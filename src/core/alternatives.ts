import { isHidden } from './helm';
import { LABEL_POD_IDENTITY, pairOf, pairOfAny, podOf, scalarString, WI_USE } from './k8s';
import type { ManifestDoc } from './model';
import type { Finding, Fix } from './rule';
import type { FileFacts } from './facts';

/**
 * The findings of a document read as several alternatives (`DocBranches`), as one list. A finding
 * on the same text in several alternatives is reported once. Its fix is kept only when it is right
 * for every alternative it changes: an alternative that renders any of its edits of this file must
 * report the same finding with the same edits; every alternative that reports it with a fix must
 * have the same edits. Otherwise (or when not every combination of branches was read) the finding
 * is reported without a fix, and says why.
 */
export function mergeAlternatives(path: string, docs: readonly ManifestDoc[], found: ReadonlyArray<readonly Finding[]>): Finding[] {
  const branches = docs[0]?.branches;
  if (!branches) return found.flat();
  const byAlternative = new Map<number, Map<string, Finding>>();
  const keys = new Map<string, Finding[]>();
  docs.forEach((doc, i) => {
    const mine = new Map<string, Finding>();
    for (const f of found[i]) {
      const key = `${f.ruleId}\u0000${f.start}\u0000${f.end}`;
      if (mine.has(key)) continue;
      mine.set(key, f);
      keys.set(key, [...(keys.get(key) ?? []), f]);
    }
    byAlternative.set(doc.branches!.alternative, mine);
  });
  const shared = sharedAccounts(docs);
  const visible = (fix: Fix, alternative: number) =>
    fix.edits.some((e) => e.file === path && within(docs[0], e.start, e.end) && !isHidden(branches.alternatives[alternative], e.start, e.end));
  return [...keys].map(([key, reported]) => {
    const candidate = reported.find((f) => f.fix);
    if (!candidate?.fix) return reported[0];
    const fix = candidate.fix;
    const agrees = branches.alternatives.every((_, alternative) => {
      const other = byAlternative.get(alternative)?.get(key);
      if (other?.fix && !sameEdits(other.fix, fix)) return false;
      return !visible(fix, alternative) || (other?.fix !== undefined);
    });
    const elsewhere = fix.edits.some((e) => e.file !== path || !within(docs[0], e.start, e.end));
    if (agrees && branches.complete && !(shared && elsewhere)) return candidate;
    const rest: Finding = { ...candidate };
    delete rest.fix;
    const why = !branches.complete
      ? 'this template has too many if/else combinations to check the fix against each of them; edit the branches by hand'
      : agrees
        ? `its branches bind different identities (${shared}) to one service account, which can carry one client id; give each branch an account of its own by hand`
        : 'the edits it needs differ between the if/else branches of this template (or would change what another branch renders); make them in each branch by hand';
    return { ...rest, message: `${candidate.message} That fix is not offered: ${why}.` };
  });
}

/**
 * The identities the alternatives give one pod (the same object) under the same service account,
 * when they differ: aadpodidbinding values, or the workload identity label (the account's own
 * client id). A fix that writes a client id for one of them (to an account, in another file) would
 * give every branch that identity.
 */
function sharedAccounts(docs: readonly ManifestDoc[]): string | undefined {
  const seen = new Map<string, Set<string>>();
  for (const doc of docs) {
    for (const obj of doc.objects) {
      const pod = podOf(obj);
      const binding = pod?.labels ? scalarString(pairOf(pod.labels, LABEL_POD_IDENTITY)?.value) : undefined;
      const label = binding !== undefined ? `aadpodidbinding: ${binding}` : pod?.labels && scalarString(pairOf(pod.labels, WI_USE)?.value) === 'true' ? WI_USE : undefined;
      if (!pod || label === undefined) continue;
      const account = (pod.spec && scalarString(pairOfAny(pod.spec, ['serviceAccountName', 'serviceAccount'])?.value)) ?? '';
      const key = `${obj.node.range?.[0] ?? 0}\u0000${account}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(label));
    }
  }
  const clash = [...seen.values()].find((labels) => labels.size > 1);
  return clash && [...clash].join(', ');
}

function within(doc: ManifestDoc | undefined, start: number, end: number): boolean {
  return doc !== undefined && doc.start <= start && end <= doc.end;
}

function sameEdits(a: Fix, b: Fix): boolean {
  return a.edits.length === b.edits.length && a.edits.every((e, i) => e.file === b.edits[i].file && e.start === b.edits[i].start && e.end === b.edits[i].end && e.text === b.edits[i].text);
}

/** The facts of a file whose documents are read as alternatives, each once: alternatives mostly share their objects. */
export function distinctFacts(facts: FileFacts): void {
  const key = (fact: object) => JSON.stringify(fact, (k, v: unknown) => (k === 'object' ? undefined : v));
  const once = <T extends object>(list: T[], seen = new Set<string>()): T[] => list.filter((fact) => !seen.has(key(fact)) && !!seen.add(key(fact)));
  Object.assign(facts, { identities: once(facts.identities), bindings: once(facts.bindings), serviceAccounts: once(facts.serviceAccounts), pods: once(facts.pods) });
}
