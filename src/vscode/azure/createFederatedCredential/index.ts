import type { FederatedIdentityCredential, ManagedServiceIdentityClient } from '@azure/arm-msi';
import { collect } from '../clients';
import { connect, guarded } from '../connect';
import type { FlowContext } from '../context';
import { describeError, isAbortError } from '../errors';
import { pickCluster, pickIdentity, type IdentityInfo } from '../pickers';
import { CancelledError, FlowError } from '../result';
import { retryOnConflict, sequentially } from '../retry';
import type { Progress } from '../ui';
import { serviceAccountAnnotationEdit } from './annotations';
import { nameProblem, offeredName, subjectFor } from './naming';
import { resolveTarget, type CredentialTarget } from './target';

/** Azure allows at most this many federated credentials on one identity. */
const FEDERATED_CREDENTIAL_LIMIT = 20;
const WRITE_PERMISSION = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write';

export interface CreateCredentialResult {
  /** `exists`: a credential with the same issuer and subject was there already; nothing was written. */
  status: 'created' | 'updated' | 'exists';
  name: string;
  identityId: string;
  clientId: string;
  issuer: string;
  subject: string;
  audience: string;
  annotations: 'applied' | 'declined' | 'current' | 'not-in-workspace' | 'unsafe' | 'failed';
}

type Credentials = ManagedServiceIdentityClient['federatedIdentityCredentials'];

/**
 * "Create federated credential": trusts the cluster's OIDC issuer for the service account's tokens
 * on a user-assigned identity. Idempotent (same issuer and subject: reported, not duplicated),
 * asks about a name clash, refuses past the 20-credential limit before writing, writes to one
 * identity one at a time, and then offers the ServiceAccount's annotations as an edit.
 */
export async function createFederatedCredential(context: FlowContext, args: unknown[]): Promise<CreateCredentialResult> {
  const { ui, log } = context;
  const target = await resolveTarget(context, args);
  const subject = subjectFor(target.namespace, target.serviceAccount);
  log.info(`Create federated credential for ${target.describe}: subject ${subject}.`);

  const connection = await connect(context);
  const identity = await pickIdentity(context, connection, target.preference);
  const cluster = await pickCluster(context, connection, {
    title: 'AKS cluster whose tokens the credential trusts',
    placeholder: 'The credential trusts this cluster\'s OIDC issuer',
    order: (c) => (c.oidcIssuerEnabled ? 0 : 1),
  });
  if (!cluster.oidcIssuerEnabled || !cluster.issuerUrl) {
    throw new FlowError(`Cluster ${cluster.name} has no OIDC issuer yet: run "Enable OIDC issuer and workload identity on an AKS cluster" first. Nothing was written.`);
  }
  if (!cluster.workloadIdentityEnabled) {
    ui.notify('warning', `Workload identity is not enabled on cluster ${cluster.name}: pods get no token until it is (run "Enable OIDC issuer and workload identity on an AKS cluster").`);
  }
  // Kept exactly as AKS gives it: the trailing slash is part of the issuer Entra compares.
  const issuer = cluster.issuerUrl;
  const unusable = issuerProblem(issuer);
  if (unusable) {
    throw new FlowError(
      `The OIDC issuer cluster ${cluster.name} reports, "${issuer}", ${unusable}: Microsoft Entra trusts only an https URL as a federated credential's issuer ` +
        '(AKS gives https://<region>.oic.prod-aks.azure.com/<tenant>/<id>/ in the public cloud). Nothing was written. ' +
        `Check the cluster's oidcIssuerProfile.issuerURL (az aks show --resource-group ${cluster.resourceGroup} --name ${cluster.name} --query oidcIssuerProfile.issuerUrl).`,
    );
  }
  const audience = context.settings.audience;
  const credentials = connection.clients.msi(connection.subscriptionId).federatedIdentityCredentials;
  const base = { identityId: identity.id, clientId: identity.clientId, issuer, subject, audience };

  const existing = await ui.progress(`Reading the federated credentials of ${identity.name}`, (progress) =>
    guarded(
      () => {
        log.info(`GET ${identity.id}/federatedIdentityCredentials`);
        return collect(credentials.list(identity.resourceGroup, identity.name, { abortSignal: progress.signal }), progress.signal);
      },
      { operation: `read the federated credentials of identity ${identity.name}`, endpoint: connection.clients.endpoint },
    ),
  );

  const same = existing.find((c) => c.issuer === issuer && c.subject === subject);
  if (same?.name) {
    const audienceNote = same.audiences?.includes(audience) ? '' : ` Its audiences are ${(same.audiences ?? []).join(', ')}, not ${audience}: fix them in the portal or with az.`;
    log.info(`Federated credential ${same.name} already trusts ${subject} from ${issuer}: nothing written.`);
    ui.notify('info', `Identity ${identity.name} already has federated credential ${same.name} for ${subject} from cluster ${cluster.name}: nothing was written.${audienceNote}`);
    const annotations = await offerAnnotations(context, target, identity);
    return { ...base, status: 'exists', name: same.name, annotations };
  }

  const { name, overwrite } = await chooseName(context, target, identity, existing);
  if (!overwrite && existing.length >= FEDERATED_CREDENTIAL_LIMIT) {
    throw new FlowError(
      `Identity ${identity.name} already has ${existing.length} federated credentials, the most Azure allows (${FEDERATED_CREDENTIAL_LIMIT}): nothing was written. ` +
        'Delete one it no longer needs, or federate another identity.',
    );
  }

  await ui.progress(`Creating federated credential ${name} on ${identity.name}`, (progress) =>
    writeCredential(context, credentials, identity, name, { issuer, subject, audiences: [audience] }, progress, connection.clients.endpoint),
  );
  const verb = overwrite ? 'Updated' : 'Created';
  log.info(`${verb} federated credential ${name} on ${identity.id}.`);
  ui.notify('info', `${verb} federated credential ${name} on identity ${identity.name}: it trusts ${subject} from cluster ${cluster.name}. It can take a few minutes to take effect.`);
  const annotations = await offerAnnotations(context, target, identity);
  return { ...base, status: overwrite ? 'updated' : 'created', name, annotations };
}

/** The offered name, or the user's; a name taken by another credential is asked about. */
async function chooseName(
  context: FlowContext,
  target: CredentialTarget,
  identity: IdentityInfo,
  existing: FederatedIdentityCredential[],
): Promise<{ name: string; overwrite: boolean }> {
  const taken = existing.flatMap((c) => (c.name ? [c.name] : []));
  const ask = (value: string) =>
    context.ui.input({
      title: `Name of the federated credential on ${identity.name}`,
      prompt: 'Letters, digits, - and _ (3 to 120); it cannot be changed later',
      value,
      validate: nameProblem,
    });
  let name = await ask(offeredName(target.namespace, target.serviceAccount));
  for (;;) {
    const clash = existing.find((c) => c.name?.toLowerCase() === name.toLowerCase());
    if (!clash) return { name, overwrite: false };
    const choice = await context.ui.ask(
      `Identity ${identity.name} already has a federated credential named ${clash.name}, for ${clash.subject} from ${clash.issuer}.`,
      ['Use another name', 'Overwrite'],
      { modal: true, level: 'warning', detail: 'Overwriting makes it trust the new subject instead: whatever uses it now loses access.' },
    );
    if (choice === 'Overwrite') return { name: clash.name!, overwrite: true };
    if (choice !== 'Use another name') throw new CancelledError('Cancelled: nothing was written.');
    name = await ask(offeredName(target.namespace, target.serviceAccount, taken));
  }
}

/**
 * PUTs the credential, one write per identity at a time, retrying 409. Cancelling stops the flow
 * until the PUT is sent; a PUT on its way is not abandoned (a credential Azure makes anyway would
 * go unreported), and the user is told it was created. When the PUT went out and failed (network,
 * error), the credential is read back, so that one Azure made anyway is reported.
 */
async function writeCredential(
  context: FlowContext,
  credentials: Credentials,
  identity: IdentityInfo,
  name: string,
  wanted: { issuer: string; subject: string; audiences: string[] },
  progress: Progress,
  endpoint: string,
): Promise<void> {
  const { log } = context;
  const path = `${identity.id}/federatedIdentityCredentials/${name}`;
  let sent = false;
  try {
    await sequentially(identity.id, () =>
      retryOnConflict(
        async () => {
          progress.signal.throwIfAborted();
          sent = true;
          progress.report(`PUT ${name}`);
          log.info(`PUT ${path} (issuer ${wanted.issuer}, subject ${wanted.subject}, audience ${wanted.audiences[0]})`);
          return credentials.createOrUpdate(identity.resourceGroup, identity.name, name, wanted);
        },
        { signal: progress.signal, log, what: `federated credential ${name}`, delayMs: context.transport?.conflictRetryDelayMs },
      ),
    );
  } catch (error) {
    if (isAbortError(error)) throw new FlowError(`Cancelled: nothing was written${sent ? ' (the cancel came between retries)' : ''}.`, true);
    const problem = describeError(error, {
      operation: `create federated credential ${name} on identity ${identity.name}`,
      permission: WRITE_PERMISSION,
      endpoint,
      retries: (error as { retries?: number }).retries,
    });
    if (!sent) throw new FlowError(`${problem} Nothing was written.`);
    log.warn(`${problem} Checking whether ${name} exists anyway.`);
    const after = await readBack(context, credentials, identity, name, wanted);
    switch (after.state) {
      case 'ours':
        log.warn(`Federated credential ${name} exists with the wanted issuer and subject despite the failure.`);
        return;
      case 'absent':
        throw new FlowError(`${problem} Checked afterwards: there is no federated credential ${name}.`);
      case 'unchanged':
        throw new FlowError(`${problem} Checked afterwards: federated credential ${name} was left as it was.`);
      case 'unknown':
        throw new FlowError(
          `${problem} Could not check whether federated credential ${name} was created (${after.why}): ` +
            `look with az identity federated-credential show --name ${name} --identity-name ${identity.name} --resource-group ${identity.resourceGroup}.`,
        );
    }
  }
  if (progress.signal.aborted) {
    log.info(`Cancel requested after the PUT of ${name} was sent: the credential was created.`);
    context.ui.notify('info', `The cancel came after the request was sent: federated credential ${name} was created on identity ${identity.name}.`);
  }
}

type ReadBack = { state: 'ours' } | { state: 'absent' } | { state: 'unchanged' } | { state: 'unknown'; why: string };

/** What Azure holds under the name now (read without the cancelled signal). */
async function readBack(
  context: FlowContext,
  credentials: Credentials,
  identity: IdentityInfo,
  name: string,
  wanted: { issuer: string; subject: string },
): Promise<ReadBack> {
  try {
    context.log.info(`GET ${identity.id}/federatedIdentityCredentials/${name}`);
    const found = await credentials.get(identity.resourceGroup, identity.name, name);
    return found.issuer === wanted.issuer && found.subject === wanted.subject ? { state: 'ours' } : { state: 'unchanged' };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { state: 'absent' };
    return { state: 'unknown', why: describeError(error, { operation: `read federated credential ${name}` }) };
  }
}

/** Offers the ServiceAccount's client-id and tenant-id annotations as an edit when missing or different. */
async function offerAnnotations(context: FlowContext, target: CredentialTarget, identity: IdentityInfo): Promise<CreateCredentialResult['annotations']> {
  const { ui, workspace } = context;
  const account = target.account;
  const wanted = `azure.workload.identity/client-id: ${identity.clientId}`;
  const text = account ? workspace.text(account.file) : undefined;
  if (!account || text === undefined) {
    ui.notify('info', `Give ${target.describe} the annotation ${wanted}${target.trigger ? ' (KEDA Helm chart: podIdentity.azureWorkload.clientId)' : ''}.`);
    return 'not-in-workspace';
  }
  const index = workspace.index();
  const change = serviceAccountAnnotationEdit(account.file, text, account, { clientId: identity.clientId, tenantId: identity.tenantId }, (obj) => index.namespaceOf(obj));
  if (change.kind === 'current') return 'current';
  if (change.kind === 'unsafe') {
    ui.notify('warning', `Set ${wanted} on ${target.describe} by hand: ${change.why}.`);
    return 'unsafe';
  }
  const choice = await ui.ask(`Set ${change.changes.join(' and ')} on ServiceAccount ${account.namespace}/${account.name}?`, ['Apply', 'Not now']);
  if (choice !== 'Apply') return 'declined';
  const applied = await ui.applyEdits([change.edit], `Workload identity annotations of ${account.namespace}/${account.name}`);
  context.log.info(`${applied ? 'Edited' : 'Could not edit'} the annotations of ServiceAccount ${account.namespace}/${account.name} in ${account.file}.`);
  return applied ? 'applied' : 'failed';
}

/**
 * Why an issuer cannot go into a federated credential, or undefined when it can: Entra takes an
 * https URL with a host (no user, query or fragment), which is what AKS reports. The issuer only
 * ever comes from the cluster; this keeps an odd answer (a proxy's rewrite, a broken cluster)
 * from being written where it would fail at token exchange.
 */
function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return `is an ${url.protocol.replace(/:$/, '')} URL, not https`;
  if (!url.hostname) return 'has no host';
  if (url.username || url.password) return 'carries a user name or password';
  if (url.search || url.hash) return 'has a query or fragment';
  return undefined;
}
