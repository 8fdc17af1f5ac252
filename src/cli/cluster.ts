// `wi-migrate cluster`: the cluster check from the command line (src/cluster), with the repository
// given as paths for the drift. Loaded by main.ts only for this command.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterReadError, clusterStates, compareWithRepository, formatClusterText, readCluster } from '../cluster';
import { Project } from '../core/engine';
import { collectFileKinds, UsageError } from './files';
import type { CliResult } from './main';

const CLUSTER_USAGE = `Usage: wi-migrate cluster [paths...] [--context NAME] [--kubeconfig FILE] [--format text|json] [--audience AUDIENCE]

Reads the running cluster through the kubeconfig, read-only (list requests only): pod identity still
installed (AzureIdentity, AzureIdentityBinding, AzurePodIdentityException, NMI and MIC pods, the
AKS-managed add-on), pods still labelled aadpodidbinding and the identity each gets, and for pods
labelled azure.workload.identity/use: whether the webhook mutated them (the four AZURE_* variables,
the projected token at AZURE_FEDERATED_TOKEN_FILE and its audience) and whether their service
account carries the client id. The manifests under paths (default: .) are the repository it is
compared with: workloads migrated in one and not in the other.

  --context     kubeconfig context (default: the current context)
  --kubeconfig  kubeconfig file(s) (default: KUBECONFIG, then ~/.kube/config)
  --format      text (default) or json
  --audience    the token audience federated credentials list (default: api://AzureADTokenExchange)
  --default-namespace  namespace of manifests that name none (default: default)

Exit status: 0 nothing needs attention, 1 something does, 2 bad usage or the cluster could not be read.
`;

export async function runClusterCli(argv: readonly string[], cwd = process.cwd()): Promise<CliResult> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        format: { type: 'string', default: 'text' },
        audience: { type: 'string' },
        'default-namespace': { type: 'string', default: 'default' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    return { code: 2, stdout: '', stderr: `wi-migrate cluster: ${(e as Error).message}\n${CLUSTER_USAGE}` };
  }
  const { values, positionals } = args;
  if (values.help) return { code: 0, stdout: CLUSTER_USAGE, stderr: '' };
  if (values.format !== 'text' && values.format !== 'json') {
    return { code: 2, stdout: '', stderr: `wi-migrate cluster: --format must be text or json, not "${values.format}"\n` };
  }
  const project = new Project({ defaultNamespace: values['default-namespace'] });
  try {
    for (const { path, kind } of collectFileKinds(positionals.length ? positionals : ['.'], cwd)) project.set(path, readFileSync(resolve(cwd, path), 'utf8'), undefined, kind);
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, stdout: '', stderr: `wi-migrate cluster: ${e.message}\n` };
    throw e;
  }
  let report;
  try {
    const kubeconfig = values.kubeconfig === undefined ? undefined : resolve(cwd, values.kubeconfig);
    report = compareWithRepository(await readCluster({ kubeconfig, context: values.context, audience: values.audience }), project.index.pods);
  } catch (e) {
    if (e instanceof ClusterReadError) return { code: 2, stdout: '', stderr: `wi-migrate cluster: ${e.message}\n` };
    throw e;
  }
  const states = clusterStates(report);
  const code = states.some((s) => s.problem) || report.unreadable.length > 0 || !report.summary.podIdentityGone ? 1 : 0;
  const stdout = values.format === 'json' ? `${JSON.stringify({ ...report, states }, null, 2)}\n` : formatClusterText(report);
  return { code, stdout, stderr: '' };
}
