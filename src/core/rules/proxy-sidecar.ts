import { isScalar } from 'yaml';
import type { TextEdit } from '../edits';
import { annotationsOf, pairOf, WI_INJECT_PROXY, WI_PROXY_PORT, type PodSite } from '../k8s';
import { insertAnnotations } from '../service-account';
import { holdsTemplate, type EditTarget } from '../yaml-edit';

/**
 * The migration's second variant, for containers that still ask IMDS for tokens (an old Azure SDK):
 * the workload identity webhook's proxy sidecar, asked for with two pod annotations (not labels).
 * It is meant for the transition, until the containers use a workload-identity-aware SDK.
 */

/** The port the webhook's proxy listens on when the annotation does not say (FACTS.md §3). */
const DEFAULT_PROXY_PORT = '8000';

export const PROXY_SIDECAR_TITLE = ' keeping IMDS: add the proxy sidecar';

/**
 * Edits that add `inject-proxy-sidecar: "true"` and `proxy-sidecar-port` to the pod template's
 * annotations (those already there are kept), or why they cannot be added: the sidecar does not run
 * on the host network, and annotations a template renders could be duplicated.
 */
export function proxySidecarEdits(t: EditTarget, site: PodSite): { edits: Array<TextEdit | undefined>; problem?: string } {
  const hostNetwork = site.spec?.get('hostNetwork', true);
  if (isScalar(hostNetwork) && (hostNetwork.value === true || hostNetwork.value === 'true')) {
    return { edits: [], problem: 'the pod runs on the host network (hostNetwork: true), where the workload identity proxy sidecar cannot run' };
  }
  const meta = site.metadata;
  if (!meta) return { edits: [], problem: 'the pod template has no metadata to annotate' };
  if (holdsTemplate(t, site.template, ['metadata', 'annotations'])) return { edits: [], problem: "the pod's annotations are rendered by a template" };
  const annotations = annotationsOf(meta);
  const wanted: Array<[string, string]> = [
    [WI_INJECT_PROXY, '"true"'],
    [WI_PROXY_PORT, `"${DEFAULT_PROXY_PORT}"`],
  ];
  const missing = wanted.filter(([key]) => !(annotations && pairOf(annotations, key)));
  if (missing.length === 0) return { edits: [] };
  // `annotations:` written but empty or not a map: nothing safe to insert into.
  if (!annotations && pairOf(meta, 'annotations')) return { edits: [undefined] };
  return { edits: insertAnnotations(t, meta, annotations, missing).map(([, edit]) => edit) };
}
