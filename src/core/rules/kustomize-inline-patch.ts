import { isMap, isScalar, type Scalar, type YAMLMap } from 'yaml';
import type { FileEdit } from '../edits';
import { valueIn } from '../build-values';
import { dns1123, LABEL_POD_IDENTITY, mapAt, pairOf, podSiteOf, scalarString, WI_USE } from '../k8s';
import type { KPatch, Kustomization } from '../kustomize';
import type { ManifestFile } from '../model';
import type { Fix, RuleContext } from '../rule';
import { columnAt } from '../text';
import { lineAfter } from '../yaml-edit';
import { inlineBody } from './kustomize-json-patch';
import { accountIn, patchedPodsFix, type Place } from './pod-identity-kustomize';

/**
 * The fix of an inline strategic-merge patch (`patch: |` under a kustomization's `patches`) that
 * puts `aadpodidbinding` on its target's pod template: the pair becomes
 * `azure.workload.identity/use: "true"` in place; when the target runs as `default` (neither the
 * base nor the patch names an account), the patch names one after the label value; each build's
 * account gets that build's client id. No fix when a selector uses the label (selectors are
 * immutable), or the patch's layout is not one this can edit safely.
 */
export function inlineStrategicMergeFix(ctx: RuleContext, k: Kustomization, patch: KPatch, node: Scalar): Fix | undefined {
  const inline = inlineBody(k.file, k.doc, node);
  const root = inline?.parsed.contents;
  if (!inline || !isMap(root)) return undefined;
  const places: Place[] = ctx.index.kustomize.buildsReading(k).flatMap((build) =>
    build.objects.flatMap((bo) => {
      const applied = bo.patches.find((a) => a.patch === patch && a.data !== undefined);
      return applied ? [{ build, bo, applied }] : [];
    }),
  );
  const site = places.length ? podSiteOf(places[0].bo.obj) : undefined;
  if (!site || places.some((p) => podSiteOf(p.bo.obj)?.path.join('/') !== site.path.join('/'))) return undefined;
  const labels = mapAt(root, [...site.path, 'metadata', 'labels']);
  const pair = labels && pairOf(labels, LABEL_POD_IDENTITY);
  const label = scalarString(pair?.value);
  if (!pair || !label || !isScalar(pair.key) || !isScalar(pair.value)) return undefined;
  const selector = [...site.path.slice(0, -1), 'selector', 'matchLabels', LABEL_POD_IDENTITY];
  if (mapAt(root, selector.slice(0, -1))?.has(LABEL_POD_IDENTITY) || places.some((p) => valueIn(p.bo, selector) !== undefined)) return undefined;
  const map = (n: { range?: [number, number, number] | null }) => (n.range ? [inline.toFile(n.range[0]), inline.toFile(n.range[1])] : []);
  const [ks, ke] = map(pair.key);
  const [vs, ve] = map(pair.value);
  if (ks === undefined || ke === undefined || vs === undefined || ve === undefined || k.file.text.slice(ks, ke) !== LABEL_POD_IDENTITY) return undefined;
  const edits: Array<FileEdit | undefined> = [
    { file: k.path, start: ks, end: ke, text: WI_USE },
    { file: k.path, start: vs, end: ve, text: '"true"' },
  ];
  const own = scalarString(mapAt(root, [...site.path, 'spec'])?.get('serviceAccountName', true));
  const inherited = [...new Set(places.map((p) => accountIn(p, site, true)))];
  if (inherited.length > 1 && !own) return undefined;
  const account = own ?? inherited[0] ?? dns1123(label);
  if (!account) return undefined;
  if (!own && !inherited[0]) edits.push(nameAccount(k.file, k.path, root, site.path, account, inline.toFile));
  return patchedPodsFix(ctx, places, site, account, k, edits, 'its inline patch sets the use label');
}

/**
 * `serviceAccountName: <account>` in the patch's pod template: first in its `spec` when the patch
 * has one (a block map), else a new `spec:` after the template's `metadata`. Offsets are the
 * inline text's, mapped to the file's.
 */
function nameAccount(file: ManifestFile, path: string, root: YAMLMap, templatePath: readonly string[], account: string, toFile: (offset: number) => number | undefined): FileEdit | undefined {
  const template = mapAt(root, templatePath);
  if (!template || template.flow) return undefined;
  const spec = template.get('spec', true);
  const eol = file.eol;
  if (isMap(spec)) {
    const first = spec.items[0]?.key as Scalar | undefined;
    const at = !spec.flow && first?.range ? toFile(first.range[0]) : undefined;
    if (at === undefined) return undefined;
    return { file: path, start: at, end: at, text: `serviceAccountName: ${account}${eol}${' '.repeat(columnAt(file.text, at))}` };
  }
  if (spec !== undefined) return undefined;
  const metadata = template.items.find((p) => isScalar(p.key) && p.key.value === 'metadata');
  const last = isMap(metadata?.value) ? metadata.value.items[metadata.value.items.length - 1] : undefined;
  const lastValue = last?.value as Scalar | YAMLMap | undefined;
  const key = (metadata?.key as Scalar | undefined)?.range;
  const end = lastValue?.range ? toFile(lastValue.range[1] - 1) : undefined;
  const keyAt = key ? toFile(key[0]) : undefined;
  if (end === undefined || keyAt === undefined) return undefined;
  const column = columnAt(file.text, keyAt);
  const step = 2;
  const at = lineAfter(file.text, end + 1);
  return { file: path, start: at, end: at, text: `${' '.repeat(column)}spec:${eol}${' '.repeat(column + step)}serviceAccountName: ${account}${eol}` };
}
