// Entry of dist/core.js: the analysis (core, rules, `yaml`) as the editor layer calls it. The main
// bundle (dist/extension.js) holds only the editor layer and the pre-scan; it requires this bundle
// (src/vscode/coreLoader.ts) the first time a file's pre-scan finds something of identity, or a
// command needs the analysis. Everything the editor layer calls of the core comes through here;
// it imports the core's types only.
import { checkDocumentAt } from '../core/engine';
import type { ManifestFile } from '../core/model';
import type { Finding, Fix, Options } from '../core/rule';
import { podIdentityLabel } from '../core/rules/pod-identity-label';
import { PROXY_SIDECAR_TITLE } from '../core/rules/proxy-sidecar';
import type { WorkspaceIndex } from '../core/workspace';

export { diffEdit } from '../core/edits';
export { checkFileSteps, Project } from '../core/engine';
export { highlightsSteps } from '../core/highlights';
export { reportSteps } from '../core/report';
export { parseManifestFileSteps, rangeOf } from '../core/model';
export { docsUrl } from '../core/rules';
export { WorkspaceIndex } from '../core/workspace';

/**
 * The lightbulb's second fix on a pod's `aadpodidbinding`: the migration that also asks for the
 * workload identity proxy sidecar, worked out on the finding's document only. Undefined when the
 * finding is not a pod's migration.
 */
export function proxySidecarVariant(file: ManifestFile, index: WorkspaceIndex, finding: Finding, options: Partial<Options>): { title: string; fix?: Fix; message: string } | undefined {
  if (finding.ruleId !== podIdentityLabel.id || !finding.fix?.title.startsWith('Migrate ')) return undefined;
  const variant = checkDocumentAt(file, index, finding.start, { ...options, proxySidecar: true }, [podIdentityLabel]).find((f) => f.start === finding.start && f.end === finding.end);
  return variant && { title: variant.fix?.title ?? `${finding.fix.title}${PROXY_SIDECAR_TITLE}`, fix: variant.fix, message: variant.message };
}
