import { isSeq, type Node } from 'yaml';
import type { FileEdit } from '../edits';
import type { K8sObject } from '../model';
import type { RuleContext } from '../rule';
import { pairOf } from '../k8s';
import { baseName } from '../paths';
import { removePair } from '../yaml-edit';
import { removeSeqItem } from '../yaml-seq-edit';
import { relativeLeaf } from './pod-identity-kustomize';

/**
 * What removing an object means for the kustomizations that patch it: every patch of it must go
 * too (a patch without its target fails the build). A patch entry goes when it patches nothing
 * else in any build; its entry is removed from the kustomization's list (the whole key when it
 * was the last), and a patch file it named stays on disk, listed nowhere. Otherwise the object is
 * held, with the reason.
 */
export function withItsPatches(ctx: RuleContext, obj: K8sObject): { edits: FileEdit[]; where: string[] } | { held: string } {
  const model = ctx.index.kustomize;
  const applied = model.placesOf(obj).flatMap(({ bo }) => bo.patches.filter((p) => !p.labels));
  const entries = [...new Map(applied.map((a) => [a.patch, a.by])).entries()];
  const edits: FileEdit[] = [];
  const where = new Set<string>();
  const removedFrom = new Map<Node, Node[]>();
  for (const [patch, by] of entries) {
    const what = `${relativeLeaf(by)} patches it${patch.path ? ` (${baseName(patch.path)})` : ''}`;
    const others = model.buildsReading(by).some((b) => b.objects.some((o) => o.obj !== obj && o.patches.some((a) => a.patch === patch)));
    if (others) return { held: `${what} together with other objects, so that build fails without it: remove the patch by hand` };
    const seq = pairOf(by.root, patch.field)?.value;
    if (!isSeq(seq)) return { held: `${what}, so that build fails without it` };
    removedFrom.set(seq, [...(removedFrom.get(seq) ?? []), patch.node]);
    where.add(relativeLeaf(by));
  }
  for (const [seq, nodes] of removedFrom) {
    const by = entries.find(([p]) => nodes.includes(p.node))![1];
    const t = { file: by.file, doc: by.doc };
    const items = (seq as { items: Node[] }).items;
    const pair = items.length === nodes.length ? by.root.items.find((p) => p.value === seq) : undefined;
    const removals = pair ? [removePair(t, by.root, pair)] : nodes.map((n) => removeSeqItem(t, items, n, (seq as { flow?: boolean }).flow === true));
    if (removals.some((e) => e === undefined)) return { held: `${relativeLeaf(by)} patches it, and that patch cannot be removed safely` };
    edits.push(...removals.map((e) => ({ ...e!, file: by.path })));
  }
  return { edits, where: [...where] };
}
