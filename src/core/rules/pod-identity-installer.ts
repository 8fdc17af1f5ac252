import { isMap, isSeq } from 'yaml';
import { podSiteOf, scalarString } from '../k8s';
import { rangeOf, type ManifestFile } from '../model';
import type { RelatedLocation } from '../rule';
import type { WorkspaceIndex } from '../workspace';
import { label } from './pod-identity-users';

/**
 * Where the workspace still deploys pod identity itself: its NMI DaemonSet or MIC Deployment
 * (`deploy/infra/deployment-rbac.yaml` names them `nmi` and `mic`; images
 * `mcr.microsoft.com/oss/azure/aad-pod-identity/nmi|mic`), or its Helm chart `aad-pod-identity`
 * (a Flux HelmRelease, an Argo CD Application, a Chart.yaml dependency). While it does, the
 * `AzurePodIdentityException` objects that exempt kube-system add-ons from NMI must stay.
 */

/** An image of pod identity's own components. */
const IMAGE = /aad-pod-identity\/(nmi|mic)(?=[:@\s"']|$)/m;
/** The chart, as a HelmRelease (`spec.chart.spec.chart`) or an Argo CD Application (`spec.source.chart`) names it. */
const CHART = /^[ \t]*(?:-[ \t]+)?chart:[ \t]*["']?aad-pod-identity["']?[ \t]*(?:#.*)?\r?$/m;
/** A Chart.yaml that is the chart, or that depends on it. */
const CHART_NAME = /^[ \t]*(?:-[ \t]+)?name:[ \t]*["']?aad-pod-identity["']?[ \t]*(?:#.*)?\r?$/m;

const cache = new WeakMap<ManifestFile, RelatedLocation[]>();

/** Every place of the workspace that deploys NMI or MIC. */
export function podIdentityInstallers(index: WorkspaceIndex): RelatedLocation[] {
  return index.paths.flatMap((path) => {
    const file = index.parsedFile(path);
    if (!file) return [];
    let found = cache.get(file);
    if (!found) cache.set(file, (found = installersIn(file, index)));
    return found;
  });
}

function installersIn(file: ManifestFile, index: WorkspaceIndex): RelatedLocation[] {
  const found: RelatedLocation[] = [];
  const chartFile = /(^|\/)Chart\.ya?ml$/.test(file.path);
  for (const doc of file.docs) {
    const at = (offset: number, length: number, message: string) => found.push({ file: file.path, start: doc.start + offset, end: doc.start + offset + length, message });
    const seen = found.length;
    for (const obj of doc.objects) {
      const component = componentOf(obj.kind, obj.name, podSiteOf(obj)?.spec);
      if (!component) continue;
      const [start, end] = rangeOf(doc, obj.node);
      found.push({ file: file.path, start, end, message: `${label({ kind: obj.kind, name: obj.name, namespace: index.namespaceOf(obj) })} deploys pod identity's ${component.toUpperCase()}` });
    }
    if (found.length > seen) continue;
    const image = IMAGE.exec(doc.source);
    if (image) at(image.index, image[0].length, `pod identity's ${image[1].toUpperCase()} image is deployed here`);
    const chart = CHART.exec(doc.source) ?? (chartFile ? CHART_NAME.exec(doc.source) : null);
    if (chart) at(chart.index, chart[0].trimEnd().length, 'the aad-pod-identity chart (NMI and MIC) is deployed here');
  }
  return found;
}

/** `nmi` or `mic` for pod identity's own workloads: by their upstream names, or by their images. */
function componentOf(kind: string, name: string | undefined, spec: unknown): 'nmi' | 'mic' | undefined {
  if (kind === 'DaemonSet' && name === 'nmi') return 'nmi';
  if (kind === 'Deployment' && name === 'mic') return 'mic';
  if (!isMap(spec)) return undefined;
  for (const key of ['initContainers', 'containers']) {
    const containers = spec.get(key, true);
    if (!isSeq(containers)) continue;
    for (const c of containers.items) {
      const image = isMap(c) ? scalarString(c.get('image', true)) : undefined;
      const m = image ? IMAGE.exec(image) : null;
      if (m) return m[1] as 'nmi' | 'mic';
    }
  }
  return undefined;
}
