// Entry of dist/cluster.js: the cluster check, loaded by the `Check cluster` command on first use
// (never on activation) and by the CLI's `cluster` command. Node only; never imported by src/core.
export { readCluster, kubeContexts, ClusterReadError } from './read';
export { compareWithRepository } from './compare';
export { clusterStates, formatClusterText } from './format';
export type { ClusterReport } from './report';
export { federatedRequest, federatedForAll, withFederated, FEDERATED } from './federated';
export type { FederatedReport, FederatedRequest } from './federated';
