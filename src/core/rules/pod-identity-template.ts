import type { TextRule, TextRuleContext } from '../rule';
import { readArm, type ArmCluster, type ArmPodIdentity } from '../templates/arm';
import { migrateArmCluster } from '../templates/arm-fix';
import { readBicep, type BicepCluster, type BicepPodIdentity } from '../templates/bicep';
import { migrateBicepCluster } from '../templates/bicep-fix';
import { credentialsFor, type CredentialPlan } from '../templates/credentials';
import type { TemplateMigration } from '../templates/migration';

/**
 * A managed cluster declared in Bicep or an ARM template with the AKS-managed pod identity add-on
 * (`podIdentityProfile.enabled: true`). The fix turns on the OIDC issuer and workload identity,
 * federates each pod identity's user-assigned identity with the service account its pods run
 * under, and removes the profile once all it declared is carried over.
 */
export const podIdentityTemplate: TextRule = {
  id: 'pod-identity-template',
  description: 'A Bicep or ARM template enables the AKS pod identity add-on on a managed cluster (podIdentityProfile).',
  severity: 'warning',
  input: 'text',
  fileKinds: ['bicep', 'arm-template'],
  fixable: true,
  check(ctx) {
    if (ctx.path.toLowerCase().endsWith('.bicep')) {
      const file = readBicep(ctx.text);
      for (const cluster of file.clusters) {
        const plans = new Map<BicepPodIdentity, CredentialPlan[] | undefined>(cluster.identities.map((i) => [i, credentialsFor(i.record, ctx.index)]));
        report(ctx, describe(cluster, cluster.profile.start, cluster.profile.start + 'podIdentityProfile'.length), migrateBicepCluster(ctx.text, file, cluster, plans));
      }
      return;
    }
    for (const cluster of readArm(ctx.text)?.clusters ?? []) {
      const plans = new Map<ArmPodIdentity, CredentialPlan[] | undefined>(cluster.identities.map((i) => [i, credentialsFor(i.record, ctx.index)]));
      report(ctx, describe(cluster, keyOf(cluster).offset, keyOf(cluster).offset + keyOf(cluster).length, cluster.apiVersion), migrateArmCluster(ctx.text, cluster, plans));
    }
  },
};

/** The `"podIdentityProfile"` key of an ARM cluster: the finding points at it, not at the whole profile. */
const keyOf = (cluster: ArmCluster) => cluster.profile.children?.[0] ?? cluster.profile;

interface Described {
  name: string | undefined;
  start: number;
  end: number;
  message: string;
}

function describe(cluster: BicepCluster | ArmCluster, start: number, end: number, apiVersion?: string): Described {
  const name = cluster.name;
  const identities = cluster.identities.map((i) => `${i.record.name ?? '?'}${i.record.namespace ? ` in ${i.record.namespace}` : ''}`);
  const old = apiVersion && apiVersion < '2023-01-01' ? ` Its API version ${apiVersion} predates workload identity: use 2023-01-01 or later.` : '';
  return {
    name,
    start,
    end,
    message:
      `${name ? `Managed cluster ${name}` : 'A managed cluster'} enables the AKS pod identity add-on (podIdentityProfile), which is deprecated` +
      (identities.length ? `; it declares ${identities.join(', ')}.` : '.') +
      ' Enable the OIDC issuer and workload identity, federate each identity with its workload\'s service account, then remove podIdentityProfile.' +
      old,
  };
}

function report(ctx: TextRuleContext, found: Described, migration: TemplateMigration | undefined): void {
  const kept = migration && !migration.removed ? ` The fix keeps podIdentityProfile: ${migration.missing.length ? `not carried over: ${migration.missing.join('; ')}` : 'some of it is not a literal'}.` : '';
  const fix =
    migration && migration.edits.length
      ? {
          title: migration.removed ? 'Move the cluster to workload identity and remove podIdentityProfile' : 'Enable workload identity and federate what can be carried over',
          label: `Migrate managed cluster ${found.name ?? ''}`.trimEnd(),
          edits: migration.edits.map((e) => ({ ...e, file: ctx.path })),
        }
      : undefined;
  ctx.report({ start: found.start, end: found.end, deprecated: true, message: found.message + kept, ...(fix ? { fix } : {}) });
}
