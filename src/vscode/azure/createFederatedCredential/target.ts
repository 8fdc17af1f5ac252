import type { ServiceAccountFact } from '../../../core/facts';
import type { FlowContext } from '../context';
import type { IdentityPreference } from '../pickers';
import { parseServiceAccount } from '../settings';
import type { PickItem } from '../ui';
import {
  preferenceForServiceAccount,
  preferenceForTrigger,
  serviceAccountAt,
  triggerAuthenticationAt,
  triggerAuthentications,
  type TriggerAuthFact,
} from '../workspaceFacts';

/** Whose tokens the credential will accept: a ServiceAccount, or the KEDA operator's for a TriggerAuthentication. */
export interface CredentialTarget {
  namespace: string;
  serviceAccount: string;
  /** The ServiceAccount in the workspace, when there is one to annotate. */
  account: ServiceAccountFact | undefined;
  trigger?: TriggerAuthFact;
  preference: IdentityPreference | undefined;
  /** For messages: "ServiceAccount shop/web", "KEDA operator kube-system/keda-operator for TriggerAuthentication …". */
  describe: string;
}

/** What the command may be given (a code action, another command, a test). */
interface TargetArgs {
  file?: string;
  offset?: number;
  namespace?: string;
  name?: string;
}

function argsOf(args: unknown[]): TargetArgs {
  const first = args[0];
  return first && typeof first === 'object' ? first : {};
}

/**
 * The ServiceAccount named in the arguments or under the cursor, or the TriggerAuthentication
 * under the cursor; otherwise a pick of the workspace's service accounts and TriggerAuthentications.
 */
export async function resolveTarget(context: FlowContext, args: unknown[]): Promise<CredentialTarget> {
  const index = context.workspace.index();
  const given = argsOf(args);
  if (given.namespace && given.name) {
    const account = index.serviceAccount(given.namespace, given.name);
    return forAccount(context, account ?? { namespace: given.namespace, name: given.name });
  }
  const at = given.file !== undefined && given.offset !== undefined ? { file: given.file, offset: given.offset } : context.workspace.cursor;
  if (at) {
    const account = serviceAccountAt(index, at.file, at.offset);
    if (account) return forAccount(context, account);
    const trigger = triggerAuthenticationAt(index, at.file, at.offset);
    if (trigger) return forTrigger(context, trigger);
  }
  type Choice = { account: ServiceAccountFact } | { trigger: TriggerAuthFact };
  const items: PickItem<Choice>[] = [
    ...index.serviceAccounts.map((account) => ({
      label: `${account.namespace}/${account.name}`,
      description: 'ServiceAccount',
      detail: account.clientId ? `client-id ${account.clientId}` : undefined,
      value: { account },
    })),
    ...triggerAuthentications(index).map((trigger) => ({
      label: `${trigger.namespace}/${trigger.name}`,
      description: `KEDA ${trigger.kind}`,
      detail: 'subject: the KEDA operator\'s service account',
      value: { trigger },
    })),
  ];
  const choice = await context.ui.pick(items, {
    title: 'Create federated credential for',
    placeholder: 'A ServiceAccount of the workspace, or a KEDA TriggerAuthentication',
    emptyMessage: 'No ServiceAccount or KEDA TriggerAuthentication in the workspace: add the ServiceAccount manifest first.',
  });
  return 'account' in choice ? forAccount(context, choice.account) : forTrigger(context, choice.trigger);
}

function forAccount(context: FlowContext, account: ServiceAccountFact | { namespace: string; name: string }): CredentialTarget {
  const fact = 'file' in account ? account : undefined;
  return {
    namespace: account.namespace,
    serviceAccount: account.name,
    account: fact,
    preference: fact ? preferenceForServiceAccount(context.workspace.index(), fact) : undefined,
    describe: `ServiceAccount ${account.namespace}/${account.name}`,
  };
}

/** KEDA's operator requests the token for `azure-workload`: the subject is its service account. */
async function forTrigger(context: FlowContext, trigger: TriggerAuthFact): Promise<CredentialTarget> {
  const { kedaOperator } = context.settings;
  const typed = await context.ui.input({
    title: `KEDA operator service account for ${trigger.kind} ${trigger.namespace}/${trigger.name}`,
    prompt: 'namespace/name of the service account KEDA\'s operator runs as (AKS KEDA add-on: kube-system/keda-operator)',
    value: `${kedaOperator.namespace}/${kedaOperator.name}`,
    validate: (value) => (parseServiceAccount(value) ? undefined : 'Write it as namespace/name, e.g. kube-system/keda-operator.'),
  });
  const operator = parseServiceAccount(typed)!;
  const index = context.workspace.index();
  return {
    namespace: operator.namespace,
    serviceAccount: operator.name,
    account: index.serviceAccount(operator.namespace, operator.name),
    trigger,
    preference: preferenceForTrigger(index, trigger),
    describe: `the KEDA operator's service account ${operator.namespace}/${operator.name} (for ${trigger.kind} ${trigger.namespace}/${trigger.name})`,
  };
}
