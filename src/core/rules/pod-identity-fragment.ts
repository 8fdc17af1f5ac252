import type { FileEdit, TextEdit } from '../edits';
import { LABEL_POD_IDENTITY, pairOf, pairOfAny, scalarString, WI_CLIENT_ID, WI_USE, type PodFragment } from '../k8s';
import { fixLabel, serviceAccountLabel } from '../labels';
import { lookupIdentity } from '../lookup';
import { objectAt, rangeOf, type K8sObject, type ManifestFile } from '../model';
import type { RelatedLocation, RuleContext } from '../rule';
import { annotateServiceAccount } from '../service-account';
import { lineStartAt } from '../text';
import type { WorkspaceIndex } from '../workspace';
import { removePair, replacePair, templatedNode, type EditTarget } from '../yaml-edit';

/**
 * pod-identity-label on a pod fragment: a chart helper's `define` body without a `kind` that holds
 * a pod's labels (`POD_FRAGMENT_KIND`). Helm renders it into the templates that include it, so the
 * service account side of the migration belongs to them, not to the fragment. The fix replaces the
 * label only when the pods will still get their identity: the fragment's own pod spec names a
 * service account of the workspace, annotated with the identity's client id (or annotated by the
 * fix), and no template uses the fragment in a label selector, which cannot change.
 */
export function checkFragment(ctx: RuleContext, obj: K8sObject, fragment: PodFragment): void {
  const pair = pairOf(fragment.labels, LABEL_POD_IDENTITY);
  if (!pair) return;
  const t: EditTarget = { file: ctx.file, doc: ctx.doc };
  const subject = `The pod fragment of define "${obj.name ?? ''}"`;
  const includes = includeSites(ctx.index, obj.name ?? '');
  const related = includes.map((s): RelatedLocation => ({ file: s.file, start: s.start, end: s.end, message: `includes define "${obj.name ?? ''}"${s.selector ? ' in a label selector' : ''}` }));
  const [start, keyEnd] = rangeOf(t.doc, pair.key);
  const end = pair.value ? rangeOf(t.doc, pair.value)[1] : keyEnd;
  const byHand = (clientId: string | undefined) =>
    `By hand: run the pods of the templates that include it under a service account annotated with ${WI_CLIENT_ID} "${clientId ?? "<the identity's client id>"}", then replace the label with ${WI_USE}: "true".`;
  const keepForSelector = (clientId: string | undefined) =>
    `By hand: keep the label while the selector uses it (drop it when the workload is recreated), add ${WI_USE}: "true" to the pod labels, and run the pods under a service account annotated with ${WI_CLIENT_ID} "${clientId ?? "<the identity's client id>"}".`;
  if (templatedNode(t, pair.key) || templatedNode(t, pair.value)) {
    ctx.report({ start, end, deprecated: true, related, message: `${subject} binds a pod identity through a templated aadpodidbinding label, so its identity is unknown. No fix: it would have to rewrite template text. ${byHand(undefined)}` });
    return;
  }
  const selector = scalarString(pair.value);
  const namespace = ctx.index.namespaceOf(obj);
  const lookup = lookupIdentity(ctx.index, selector, namespace);
  const accountPair = fragment.spec ? pairOfAny(fragment.spec, ['serviceAccountName', 'serviceAccount']) : undefined;
  const account = accountPair && !templatedNode(t, accountPair.value) ? scalarString(accountPair.value) : undefined;
  const fact = account && account !== 'default' ? ctx.index.serviceAccount(namespace, account) : undefined;
  const inSelector = includes.some((s) => s.selector);
  const blocker = inSelector
    ? 'a template uses this define in a label selector, which cannot change once deployed'
    : !lookup.clientId
      ? 'the identity\'s client id is unknown'
      : !fragment.spec
        ? 'the fragment holds no pod spec: the service account its pods run under is set where it is included'
        : !fact
          ? `the fragment's pod spec names no service account of the workspace${account ? ` (ServiceAccount ${namespace}/${account} was not found)` : ''}`
          : undefined;
  const edits: Array<TextEdit | FileEdit | undefined> = [];
  if (!blocker && fact) {
    const use = pairOf(fragment.labels, WI_USE);
    edits.push(use ? removePair(t, fragment.labels, pair) : replacePair(t, pair, WI_USE, '"true"'));
    const file = ctx.index.file(fact.file);
    const account = file && objectAt(file, fact.start, 'ServiceAccount');
    const annotated = account && annotateServiceAccount({ file, doc: account.doc }, account, lookup);
    if (!annotated || 'unsafe' in annotated) edits.push(undefined);
    else edits.push(...annotated.edits.map((e) => ({ ...e, file: fact.file, label: serviceAccountLabel('Annotate', fact.namespace, fact.name) })));
  }
  const fix = blocker ? undefined : ctx.fix({ title: `Migrate define "${obj.name ?? ''}" to workload identity`, label: fixLabel('Migrate', ctx.index, obj), edits });
  const identity = lookup.clientId ? `; it maps to AzureIdentity ${lookup.identity!.namespace}/${lookup.identity!.name} (client id ${lookup.clientId}).` : `; ${lookup.problem}.`;
  const note = fix
    ? `The fix replaces the label; the pods run under ServiceAccount ${namespace}/${account ?? ''}, which carries the client id.`
    : `No fix: ${blocker ?? 'the fragment cannot be edited here without touching template text'}. ${inSelector ? keepForSelector(lookup.clientId) : byHand(lookup.clientId)}`;
  ctx.report({
    start,
    end,
    deprecated: true,
    related: [...lookup.related, ...related],
    fix,
    message: `${subject} binds a pod identity through aadpodidbinding "${selector ?? ''}"${identity} Helm renders it into the templates that include it. ${note}`,
  });
}

interface IncludeSite {
  file: string;
  start: number;
  end: number;
  /** The include sits under `selector:` or `matchLabels:`. */
  selector: boolean;
}

const INCLUDE = /^\{\{-?\s*(?:include|template)\s+"([^"]*)"/;

/** Where the templates of the workspace include or call the define `name`. */
function includeSites(index: WorkspaceIndex, name: string): IncludeSite[] {
  return index.paths.flatMap((path) => {
    // Only a file with template actions can include it: no other file is parsed (again) for this.
    const file = index.textOf(path)?.includes('{{') ? index.parsedFile(path) : undefined;
    if (!file) return [];
    return file.masked.actions.flatMap(([start, end]) =>
      INCLUDE.exec(file.text.slice(start, end))?.[1] === name ? [{ file: path, start, end, selector: /^(?:matchLabels|selector)$/.test(parentKey(file, start) ?? '') }] : [],
    );
  });
}

/** The key of the nearest line above `offset` that is indented less: the map an action at `offset` renders into. */
function parentKey(file: ManifestFile, offset: number): string | undefined {
  const text = file.text;
  const lineStart = lineStartAt(text, offset);
  const column = offset - lineStart;
  for (let at = lineStart; at > 0; ) {
    at = lineStartAt(text, at - 1);
    const line = text.slice(at, text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at));
    const indent = line.length - line.trimStart().length;
    if (line.trim() === '' || line.trimStart().startsWith('{{') || line.trimStart().startsWith('#') || indent >= column) continue;
    return /^\s*(?:-\s+)?([^\s:#]+)\s*:/.exec(line)?.[1];
  }
  return undefined;
}
