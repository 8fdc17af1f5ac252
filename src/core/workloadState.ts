// Imports nothing: the editor's main bundle reads these labels without loading the analysis.

/** Where a workload stands: still on pod identity (a fix is there), migrated, waiting for a human value, or blocked. */
export type WorkloadState = 'pod-identity' | 'migrated' | 'needs-input' | 'blocked';

export const STATE_LABELS: Record<WorkloadState, string> = {
  'pod-identity': 'still on pod identity',
  migrated: 'migrated',
  'needs-input': 'needs input',
  blocked: 'blocked',
};
