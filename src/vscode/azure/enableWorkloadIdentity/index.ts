import { readCluster, updateCluster } from '../clusterUpdate';
import { connect } from '../connect';
import type { FlowContext } from '../context';
import { clusterInfo, pickCluster } from '../pickers';
import { CancelledError, FlowError } from '../result';

export interface EnableResult {
  status: 'enabled' | 'already-enabled';
  clusterId: string;
  cluster: string;
  issuerUrl: string;
}

/**
 * "Enable OIDC issuer and workload identity": turns on `oidcIssuerProfile.enabled` and
 * `securityProfile.workloadIdentity.enabled` as one cluster update, and reports the issuer URL.
 */
export async function enableWorkloadIdentity(context: FlowContext): Promise<EnableResult> {
  const { ui, log } = context;
  const connection = await connect(context);
  const cluster = await pickCluster(context, connection, {
    title: 'AKS cluster to enable workload identity on',
    placeholder: 'Clusters that still need it come first',
    order: (c) => (c.oidcIssuerEnabled && c.workloadIdentityEnabled ? 1 : 0),
  });
  if (cluster.oidcIssuerEnabled && cluster.workloadIdentityEnabled && cluster.issuerUrl) {
    log.info(`Cluster ${cluster.id} already has the OIDC issuer ${cluster.issuerUrl} and workload identity.`);
    ui.notify('info', `Cluster ${cluster.name} already has workload identity and the OIDC issuer ${cluster.issuerUrl}: nothing to do.`);
    return { status: 'already-enabled', clusterId: cluster.id, cluster: cluster.name, issuerUrl: cluster.issuerUrl };
  }
  const missing = [...(cluster.oidcIssuerEnabled ? [] : ['the OIDC issuer']), ...(cluster.workloadIdentityEnabled ? [] : ['workload identity'])];
  const choice = await ui.ask(`Enable ${missing.join(' and ')} on cluster ${cluster.name}?`, ['Enable'], {
    modal: true,
    detail: 'The cluster is updated in place, as az aks update --enable-oidc-issuer --enable-workload-identity does; it takes a few minutes. Once enabled, the OIDC issuer cannot be turned off.',
  });
  if (choice !== 'Enable') throw new CancelledError('Cancelled: the cluster was not changed.');

  const updated = await ui.progress(`Enabling workload identity on ${cluster.name}`, (progress) =>
    updateCluster(
      context,
      connection,
      cluster,
      (model) => {
        model.oidcIssuerProfile = { ...model.oidcIssuerProfile, enabled: true };
        model.securityProfile = { ...model.securityProfile, workloadIdentity: { enabled: true } };
      },
      'enable the OIDC issuer and workload identity',
      progress,
    ),
  );
  let after = clusterInfo(updated);
  if (!after?.issuerUrl) after = clusterInfo(await readCluster(context, connection, cluster, new AbortController().signal));
  if (!after?.issuerUrl || !after.oidcIssuerEnabled || !after.workloadIdentityEnabled) {
    throw new FlowError(`Cluster ${cluster.name} was updated, but Azure does not report the OIDC issuer and workload identity as enabled yet: check the cluster in a few minutes.`);
  }
  log.info(`Cluster ${cluster.id}: OIDC issuer ${after.issuerUrl}, workload identity enabled.`);
  ui.notify('info', `Workload identity is enabled on cluster ${cluster.name}. OIDC issuer: ${after.issuerUrl}`);
  return { status: 'enabled', clusterId: cluster.id, cluster: cluster.name, issuerUrl: after.issuerUrl };
}
