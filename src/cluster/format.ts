// The cluster report as the migration view's states and as text (the output channel, the CLI).
import { INJECTED_ENV, type ClusterReport } from './report';

/** What the migration view shows beside a node (`wiMigrate.internal.setClusterStates`). */
export interface ClusterState {
  /** `<namespace>/<Kind>/<name>`. */
  key: string;
  state: string;
  detail: string;
  problem: boolean;
}

/** One state per workload (its drift, when there is some, first) and per pod identity object still in the cluster. */
export function clusterStates(report: ClusterReport): ClusterState[] {
  const states = new Map<string, ClusterState>();
  for (const w of report.workloads) states.set(w.key, { key: w.key, state: w.state, detail: w.detail, problem: w.problem });
  for (const d of report.drift) {
    const running = states.get(d.key);
    states.set(d.key, running ? { key: d.key, state: d.state, detail: `${d.detail} ${running.detail}`, problem: d.problem || running.problem } : { ...d });
  }
  const installed = (kind: string, refs: Array<{ namespace: string; name: string }>, detail: (name: string) => string) => {
    for (const r of refs) states.set(`${r.namespace}/${kind}/${r.name}`, { key: `${r.namespace}/${kind}/${r.name}`, state: 'installed in the cluster', detail: detail(r.name), problem: true });
  };
  const pi = report.podIdentity;
  installed('AzureIdentity', pi.identities, (name) => {
    const id = pi.identities.find((i) => i.name === name);
    return `AzureIdentity ${name}${id?.clientID ? ` (client id ${id.clientID})` : ''} is still in the cluster.`;
  });
  installed('AzureIdentityBinding', pi.bindings, (name) => `AzureIdentityBinding ${name} is still in the cluster.`);
  installed('AzurePodIdentityException', pi.exceptions, (name) => `AzurePodIdentityException ${name} is still in the cluster.`);
  // A second state beside the workload's: its federated credential, as Azure answered.
  const federated = (report.federated?.workloads ?? []).map((f) => ({ key: f.key, state: f.state, detail: f.detail, problem: f.problem }));
  return [...states.values(), ...federated];
}

const list = (refs: Array<{ namespace: string; name: string }>) => refs.map((r) => `${r.namespace}/${r.name}`).join(', ');

/** A readable report: what is installed, each workload's state and why, drift, what could not be read. */
export function formatClusterText(report: ClusterReport): string {
  const lines: string[] = [];
  lines.push(`Cluster: context ${report.context} (${report.server})`);
  for (const u of report.unreadable) lines.push(`  Not read: ${u.message}`);
  lines.push('');
  const pi = report.podIdentity;
  const installed = [
    pi.identities.length && `${pi.identities.length} AzureIdentity (${list(pi.identities)})`,
    pi.bindings.length && `${pi.bindings.length} AzureIdentityBinding (${list(pi.bindings)})`,
    pi.exceptions.length && `${pi.exceptions.length} AzurePodIdentityException (${list(pi.exceptions)})`,
    pi.nmiPods.length && `${pi.nmiPods.length} NMI pods (${list(pi.nmiPods)})`,
    pi.micPods.length && `${pi.micPods.length} MIC pods (${list(pi.micPods)})`,
  ].filter(Boolean);
  lines.push('Pod identity:');
  if (report.summary.podIdentityGone) lines.push('  gone: no pod identity objects, NMI or MIC pods.');
  else if (installed.length === 0) lines.push('  nothing seen, but not everything could be read.');
  else for (const i of installed) lines.push(`  still installed: ${i}`);
  if (pi.managedAddOn) lines.push('  the AKS-managed pod identity add-on is installed (az aks update --disable-pod-identity removes it).');
  lines.push('');
  lines.push('Workload identity webhook:');
  lines.push(report.webhook.installed ? `  installed (${report.webhook.configurations.join(', ')})` : '  not installed: no MutatingWebhookConfiguration of azure-workload-identity.');
  lines.push(`  expected token audience: ${report.audience}`);
  lines.push('');
  lines.push('Workloads:');
  if (report.workloads.length === 0) lines.push('  no pod is labelled aadpodidbinding or azure.workload.identity/use.');
  for (const w of report.workloads) {
    lines.push(`  ${w.problem ? '✗' : '✓'} ${w.key}: ${w.state}`);
    lines.push(`      ${w.detail}`);
    const wi = w.workloadIdentity;
    if (wi) {
      lines.push(`      service account ${wi.serviceAccount}: ${wi.serviceAccountFound === false ? 'missing' : wi.serviceAccountClientId ? `client id ${wi.serviceAccountClientId}` : wi.serviceAccountFound === undefined ? 'not readable' : 'no client id'}`);
      for (const c of wi.containers) {
        const env = c.missingEnv.length ? `missing ${c.missingEnv.join(', ')}` : `${INJECTED_ENV.length} variables injected`;
        const token = c.tokenMounted ? `token ${c.tokenFile} (audience ${c.audience ?? 'API server default'})` : 'no projected token';
        lines.push(`      container ${c.name}: ${env}; ${token}`);
      }
    }
    const federated = report.federated?.workloads.find((f) => f.key === w.key);
    if (federated) lines.push(`      ${federated.problem ? '✗' : '✓'} ${federated.state}: ${federated.detail}`);
  }
  if (report.federated) {
    lines.push('');
    lines.push('Federated credentials (Azure):');
    lines.push(`  ${report.federated.summary}`);
  }
  if (report.drift.length) {
    lines.push('');
    lines.push('Drift from the repository:');
    for (const d of report.drift) lines.push(`  ${d.problem ? '✗' : '·'} ${d.key}: ${d.state}. ${d.detail}`);
  }
  lines.push('');
  lines.push(`Workload identity ready: ${report.summary.workloadIdentityReady ? 'yes' : 'no'}. Pod identity gone: ${report.summary.podIdentityGone ? 'yes' : 'no'}.`);
  return `${lines.join('\n')}\n`;
}
