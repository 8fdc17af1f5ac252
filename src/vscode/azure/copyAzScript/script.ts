import type { Cloud } from '../clouds';

/** What the script does: the steps of the other Azure commands, for a pipeline. */
export interface AzPlan {
  cloud: Cloud;
  /** The audience of the federated credentials (the webhook's). */
  audience: string;
  subscriptionId: string;
  cluster: { resourceGroup: string; name: string };
  credentials: Array<{ name: string; identityName: string; identityResourceGroup: string; subject: string }>;
  /** AKS-managed pod identity still on the cluster: its removal, commented out (it comes last). */
  podIdentity?: { identities: Array<{ namespace: string; name: string }>; exceptions: Array<{ namespace: string; name: string }> };
}

/** A POSIX shell word: always single-quoted, a quote inside written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ISSUER_VARIABLE = 'AKS_OIDC_ISSUER';

/** The bash script: az aks update …, the issuer, az identity federated-credential create … per credential. */
export function azScript(plan: AzPlan): string {
  const q = shellQuote;
  const cluster = `--resource-group ${q(plan.cluster.resourceGroup)} --name ${q(plan.cluster.name)}`;
  const lines = [
    '#!/usr/bin/env bash',
    `# Workload identity for AKS cluster ${plan.cluster.name}: the steps of the "Workload Identity" commands of VS Code.`,
    'set -euo pipefail',
    '',
    ...(plan.cloud.name === 'AzureCloud' ? [] : [`az cloud set --name ${q(plan.cloud.name)}`]),
    `az account set --subscription ${q(plan.subscriptionId)}`,
    '',
    '# OIDC issuer and workload identity on the cluster (no change when already enabled).',
    `az aks update ${cluster} --enable-oidc-issuer --enable-workload-identity`,
    `${ISSUER_VARIABLE}="$(az aks show ${cluster} --query oidcIssuerProfile.issuerUrl --output tsv)"`,
  ];
  if (plan.credentials.length > 0) {
    lines.push(
      '',
      '# Federated credentials: each identity trusts its service account\'s tokens from the cluster.',
      // As the command does: an issuer that is not an https URL is not written (Entra trusts https issuers only).
      `case "$${ISSUER_VARIABLE}" in https://?*) ;; *) echo ${q(`The OIDC issuer of cluster ${plan.cluster.name} is not an https URL; no federated credential was written:`)} "$${ISSUER_VARIABLE}" >&2; exit 1 ;; esac`,
    );
    for (const c of plan.credentials) {
      lines.push(
        `az identity federated-credential create --name ${q(c.name)} --identity-name ${q(c.identityName)} --resource-group ${q(c.identityResourceGroup)} ` +
          `--issuer "$${ISSUER_VARIABLE}" --subject ${q(c.subject)} --audiences ${q(plan.audience)}`,
      );
    }
  }
  const pod = plan.podIdentity;
  if (pod && (pod.identities.length > 0 || pod.exceptions.length > 0)) {
    const on = `--resource-group ${q(plan.cluster.resourceGroup)} --cluster-name ${q(plan.cluster.name)}`;
    lines.push('', '# Once the workloads run on workload identity, remove AKS-managed pod identity (needs the aks-preview extension):');
    for (const i of pod.identities) lines.push(`# az aks pod-identity delete ${on} --namespace ${q(i.namespace)} --name ${q(i.name)}`);
    for (const e of pod.exceptions) lines.push(`# az aks pod-identity exception delete ${on} --namespace ${q(e.namespace)} --name ${q(e.name)}`);
    lines.push(`# az aks update ${cluster} --disable-pod-identity`);
  }
  return `${lines.join('\n')}\n`;
}
