import type { PodFact } from './facts';
import type { BuiltPlace } from './report-kustomize';
import type { Finding } from './rule';
import type { WorkloadState } from './workloadState';

// The state of a workload still labelled for pod identity, from the finding of the line that labels it.

/** The state of a pod still labelled `aadpodidbinding`, from the finding of its label (pod-identity-label). */
export function labelledState(pod: PodFact, finding: Finding | undefined): { state: WorkloadState; reason?: string } {
  if (pod.bindingLabel === undefined) {
    return { state: 'needs-input', reason: `The aadpodidbinding value is templated (${pod.templated?.bindingLabel ?? 'unknown'}) and no chart value renders it.` };
  }
  if (!finding) return { state: 'pod-identity' };
  if (finding.fix?.needsInput) return { state: 'needs-input', reason: 'The identity\'s client id was not found: the fix writes a placeholder to fill in.' };
  if (finding.fix) return { state: 'pod-identity' };
  const noFix = /No fix: (.*)$/s.exec(finding.message);
  if (noFix) return { state: 'blocked', reason: capitalised(noFix[1]) };
  // Nothing left to edit: the `use` label and the account are there, the label stays for an immutable selector.
  if (pod.usesWorkloadIdentity) return { state: 'migrated', reason: 'The aadpodidbinding label stays beside the use label while the workload\'s selector needs it.' };
  return { state: 'blocked', reason: finding.message };
}

/** The state of a pod a kustomize build labels, from the finding of the line that writes the label (kustomize-pod-identity). */
export function builtState(place: BuiltPlace): { state: WorkloadState; reason?: string } {
  const finding = place.finding;
  if (place.usesWorkloadIdentity) return { state: 'migrated', reason: 'The aadpodidbinding label stays beside the use label while the workload\'s selector needs it.' };
  if (!finding) return { state: 'pod-identity' };
  if (finding.fix?.needsInput) return { state: 'needs-input', reason: 'The identity\'s client id was not found: the fix writes a placeholder to fill in.' };
  if (finding.fix) return { state: 'pod-identity' };
  const noFix = /No fix(?: here)?: (.*)$/s.exec(finding.message);
  return { state: 'blocked', reason: noFix ? capitalised(noFix[1]) : finding.message };
}

/** The labels of the findings' fixes and of their edits, once each. */
export function fixLabelsOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.flatMap((f) => (f.fix ? [f.fix.label, ...f.fix.edits.flatMap((e) => (e.label ? [e.label] : []))] : [])))];
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
