// `wi-migrate cluster`: the cluster check from the command line (src/cluster), with the repository
// given as paths for the drift. Loaded by main.ts only for this command.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterReadError, clusterStates, compareWithRepository, FEDERATED, federatedForAll, federatedRequest, formatClusterText, readCluster, withFederated } from '../cluster';
import type { ClusterReport } from '../cluster/report';
import { Project } from '../core/engine';
import { collectFileKinds, UsageError } from './files';
import type { CliResult } from './main';
import type { Transport } from '../vscode/azure/clients';
import type { CliAzureOptions } from './azure';

type AzureModule = typeof import('./azure');

const CLUSTER_USAGE = `Usage: wi-migrate cluster [paths...] [--context NAME] [--kubeconfig FILE] [--format text|json] [--audience AUDIENCE]
                         [--azure [--cloud AzureCloud|AzureUSGovernment|AzureChinaCloud] [--tenant TENANT]]

Reads the running cluster through the kubeconfig, read-only (list requests only): pod identity still
installed (AzureIdentity, AzureIdentityBinding, AzurePodIdentityException, NMI and MIC pods, the
AKS-managed add-on), pods still labelled aadpodidbinding and the identity each gets, and for pods
labelled azure.workload.identity/use: whether the webhook mutated them (the four AZURE_* variables,
the projected token at AZURE_FEDERATED_TOKEN_FILE and its audience) and whether their service
account carries the client id. The manifests under paths (default: .) are the repository it is
compared with: workloads migrated in one and not in the other.

With --azure, it also asks Azure, read-only and signed in as the Azure CLI is (az login), whether
each workload-identity service account with a client id has a federated credential for
system:serviceaccount:<ns>:<sa> on that identity, with the cluster's OIDC issuer and the token's
audience (found, missing, issuer mismatch, audience mismatch, identity not found, not readable,
cluster not found, no OIDC issuer). The AKS cluster is found by the kubeconfig's API server host.

  --context     kubeconfig context (default: the current context)
  --kubeconfig  kubeconfig file(s) (default: KUBECONFIG, then ~/.kube/config)
  --format      text (default) or json
  --audience    the token audience federated credentials list (default: api://AzureADTokenExchange)
  --default-namespace  namespace of manifests that name none (default: default)
  --azure       check the federated credentials through Azure (signed in with az login)
  --cloud       the Azure cloud of --azure (default: AzureCloud)
  --tenant      the tenant of --azure (default: az's default)

Exit status: 0 nothing needs attention, 1 something does, 2 bad usage or the cluster could not be read.
With --azure, a federated credential that is missing or does not match, or that could not be read,
needs attention (1); when az is not logged in, one line on stderr says so, the report is printed
without the federated credentials, and the exit status is the cluster part's alone.
`;

const CLOUD_NAMES = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'];

/** Tests only: the SDK clients' TLS trust of the local ARM test server, and their retry pacing. */
export interface ClusterCliTesting {
  azureTransport?: Transport;
}

export async function runClusterCli(argv: readonly string[], cwd = process.cwd(), testing: ClusterCliTesting = {}): Promise<CliResult> {
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
        azure: { type: 'boolean', default: false },
        cloud: { type: 'string' },
        tenant: { type: 'string' },
        // Not in the usage: another Resource Manager endpoint (a custom cloud; the tests' local server,
        // whose CA the process trusts through NODE_EXTRA_CA_CERTS).
        'resource-manager-endpoint': { type: 'string' },
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
  if (!values.azure && (values.cloud !== undefined || values.tenant !== undefined || values['resource-manager-endpoint'] !== undefined)) {
    return { code: 2, stdout: '', stderr: 'wi-migrate cluster: --cloud, --tenant and --resource-manager-endpoint go with --azure\n' };
  }
  if (values.cloud !== undefined && !CLOUD_NAMES.includes(values.cloud)) {
    return { code: 2, stdout: '', stderr: `wi-migrate cluster: --cloud must be ${CLOUD_NAMES.join(', ')}, not "${values.cloud}"\n` };
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
  let stderr = '';
  if (values.azure) {
    report = await withFederatedCredentials(report, { cloud: values.cloud ?? 'AzureCloud', tenant: values.tenant, resourceManagerEndpoint: values['resource-manager-endpoint'], transport: testing.azureTransport });
    const skipped = report.federated?.workloads.find((w) => w.state === FEDERATED.notSignedIn);
    if (skipped) {
      stderr = /Azure CLI \(az\) was not found/.test(skipped.detail)
        ? 'wi-migrate cluster: the Azure CLI (az) was not found (install it, then run az login): the federated credentials were not checked.\n'
        : 'wi-migrate cluster: not signed in to Azure (run az login): the federated credentials were not checked.\n';
    }
  }
  const states = clusterStates(report);
  const code = states.some((s) => s.problem) || report.unreadable.length > 0 || !report.summary.podIdentityGone ? 1 : 0;
  const stdout = values.format === 'json' ? `${JSON.stringify({ ...report, states }, null, 2)}\n` : formatClusterText(report);
  return { code, stdout, stderr };
}

/**
 * The report with the federated credentials as Azure answers them, as the editor's `Check cluster`
 * does (src/vscode/clusterCommand.ts): nothing asked when no service account carries a client id;
 * the Azure bundle (dist/cli-azure.js) loaded only then.
 */
async function withFederatedCredentials(report: ClusterReport, options: CliAzureOptions): Promise<ClusterReport> {
  const request = federatedRequest(report);
  if (request.workloads.length === 0) return report;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- dist/cli-azure.js, required on first use (a plain require, as the editor requires dist/azure.js)
    const azure = require('./azure') as AzureModule;
    const checked = await azure.checkFederatedFromCli(request, options);
    return withFederated(report, { cluster: checked.cluster, summary: checked.summary, workloads: checked.workloads });
  } catch (e) {
    return withFederated(report, federatedForAll(request, FEDERATED.failed, `Checking the federated credentials failed: ${(e instanceof Error ? e.message : String(e)).replace(/\.$/, '')}.`, true));
  }
}
