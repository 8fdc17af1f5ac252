// Drift: the repository's workloads (the core's workspace index, read by the caller) beside the cluster's.
import { STATES, type ClusterReport, type DriftEntry } from './report';

/** What the comparison needs of a repository pod (the core's `PodFact` has these fields). */
export interface RepositoryPod {
  namespace: string;
  ownerKind: string;
  ownerName: string | undefined;
  bindingLabel: string | undefined;
  usesWorkloadIdentity: boolean;
}

export const DRIFT = {
  notDeployed: 'migrated in the repository, not in the cluster',
  notInRepository: 'migrated in the cluster, not in the repository',
  absent: 'migrated in the repository, not running in the cluster',
} as const;

/**
 * Workloads migrated in the repository that the cluster still runs on pod identity (or without the
 * use label), workloads migrated in the cluster that the repository still has on pod identity (the
 * next deployment would undo the migration), and migrated workloads the cluster does not run.
 * Returns the report with `drift` filled.
 */
export function compareWithRepository(report: ClusterReport, repositoryPods: readonly RepositoryPod[]): ClusterReport {
  const repo = new Map<string, { migrated: boolean; podIdentity: boolean }>();
  for (const pod of repositoryPods) {
    if (!pod.ownerName) continue;
    const key = `${pod.namespace}/${pod.ownerKind}/${pod.ownerName}`;
    const entry = repo.get(key) ?? { migrated: false, podIdentity: false };
    if (pod.bindingLabel !== undefined) entry.podIdentity = true;
    else if (pod.usesWorkloadIdentity) entry.migrated = true;
    repo.set(key, entry);
  }
  const cluster = new Map(report.workloads.map((w) => [w.key, w]));
  const other = new Set(report.otherWorkloads);
  const drift: DriftEntry[] = [];
  for (const [key, entry] of [...repo].sort(([a], [b]) => a.localeCompare(b))) {
    const running = cluster.get(key);
    if (entry.migrated && !entry.podIdentity) {
      if (running?.state === STATES.podIdentity) {
        drift.push({ key, state: DRIFT.notDeployed, problem: true, detail: 'The repository runs it on workload identity; the cluster still runs it on pod identity: deploy the migrated manifests.' });
      } else if (other.has(key)) {
        drift.push({ key, state: DRIFT.notDeployed, problem: true, detail: 'The repository labels its pods for workload identity; the pods in the cluster carry no such label: deploy the migrated manifests.' });
      } else if (!running) {
        drift.push({ key, state: DRIFT.absent, problem: false, detail: 'No pod of this workload runs in the cluster (another cluster, or not deployed yet).' });
      }
    } else if (entry.podIdentity && running && running.state !== STATES.podIdentity) {
      drift.push({ key, state: DRIFT.notInRepository, problem: true, detail: 'The cluster runs it on workload identity, the repository still on pod identity: the next deployment of these manifests undoes the migration.' });
    }
  }
  return { ...report, drift };
}
