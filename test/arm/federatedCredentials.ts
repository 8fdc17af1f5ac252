import { ArmError, badRequest } from './errors';
import { IDENTITIES_IN_GROUP, IDENTITY_TYPE, requireIdentity } from './identities';
import { delay, ok, page, route, SEGMENT, type Reply, type RequestContext, type Route } from './routing';
import { FEDERATED_CREDENTIAL_LIMIT, identityId, keyOf, type FederatedCredentialRecord, type IdentityRecord } from './state';

const CREDENTIALS = `${IDENTITIES_IN_GROUP}/${SEGMENT}/federatedIdentityCredentials`;
const CREDENTIAL_TYPE = `${IDENTITY_TYPE}/federatedIdentityCredentials`;
const NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;
/** Regions whose user-assigned identities cannot have federated credentials (they answer 405). */
const UNSUPPORTED_REGIONS = new Set(['malaysiasouth', 'newzealandnorth']);

/**
 * Federated identity credentials under a user-assigned identity. Writes (PUT, DELETE) hold their
 * identity for `settings.writeLatencyMs`; a second write on the same identity meanwhile gets the
 * 409 Azure gives for concurrent writes. Each server gets its own set of held identities.
 */
export function federatedCredentialRoutes(): Route[] {
  const writing = new Set<string>();

  /** Runs a write while holding the identity, or answers 409 if another write holds it. */
  async function exclusively(context: RequestContext, identity: IdentityRecord, write: () => Reply): Promise<Reply> {
    const id = identityId(identity);
    if (writing.has(keyOf(id))) {
      throw new ArmError(
        409,
        'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity',
        `Too many Federated Identity Credentials are written concurrently for the managed identity '${id.toLowerCase()}'. ` +
          'Concurrent Federated Identity Credentials writes under the same managed identity are not supported.',
      );
    }
    writing.add(keyOf(id));
    try {
      await delay(context.settings.writeLatencyMs);
      return write();
    } finally {
      writing.delete(keyOf(id));
    }
  }

  return [
    route('GET', CREDENTIALS, (context) => {
      const identity = requireParent(context);
      return page(context, [...context.state.credentialsOf(identityId(identity)).values()].map((c) => credentialJson(identity, c)));
    }),
    route('GET', `${CREDENTIALS}/${SEGMENT}`, (context) => {
      const identity = requireParent(context);
      const name = context.params[3];
      const credential = context.state.credentialsOf(identityId(identity)).get(keyOf(name));
      if (!credential) {
        throw new ArmError(
          404,
          'NotFound',
          `Federated Identity Credential '${name}' was not found under the managed identity '${identityId(identity)}'.`,
        );
      }
      return ok(credentialJson(identity, credential));
    }),
    route('PUT', `${CREDENTIALS}/${SEGMENT}`, (context) => {
      const identity = requireParent(context);
      const name = context.params[3];
      // Microsoft Entra's "Unsupported regions (user-assigned managed identities)".
      if (UNSUPPORTED_REGIONS.has(identity.location.toLowerCase())) {
        throw new ArmError(405, 'MethodNotAllowed', 'The request format was unexpected: Support for federated identity credentials not enabled.');
      }
      if (!NAME_RULE.test(name)) {
        throw badRequest(`Federated Identity Credential name '${name}' is invalid.`);
      }
      const wanted = { name, ...credentialProperties(context.body) };
      return exclusively(context, identity, () => {
        const credentials = context.state.credentialsOf(identityId(identity));
        const existing = credentials.get(keyOf(name));
        const clash = [...credentials.values()].find(
          (other) => other !== existing && other.issuer === wanted.issuer && other.subject === wanted.subject,
        );
        if (clash) {
          throw badRequest('Issuer and subject combination already exists for this Managed Identity.');
        }
        if (!existing && credentials.size >= FEDERATED_CREDENTIAL_LIMIT) {
          throw badRequest(
            `The managed identity '${identityId(identity)}' already has the maximum of ${FEDERATED_CREDENTIAL_LIMIT} ` +
              'federated identity credentials.',
          );
        }
        // The name is immutable and keeps the casing it was created with.
        const record = { ...wanted, name: existing?.name ?? name };
        credentials.set(keyOf(name), record);
        return ok(credentialJson(identity, record), existing ? 200 : 201);
      });
    }),
    route('DELETE', `${CREDENTIALS}/${SEGMENT}`, (context) => {
      const identity = requireParent(context);
      const name = context.params[3];
      return exclusively(context, identity, () => {
        const removed = context.state.credentialsOf(identityId(identity)).delete(keyOf(name));
        return { status: removed ? 200 : 204 };
      });
    }),
  ];
}

function requireParent(context: RequestContext): IdentityRecord {
  try {
    return requireIdentity(context);
  } catch (error) {
    if (error instanceof ArmError && error.code === 'ResourceNotFound') {
      throw new ArmError(404, 'ParentResourceNotFound', 'The parent user-assigned identity does not exist.');
    }
    throw error;
  }
}

function credentialProperties(body: unknown): Omit<FederatedCredentialRecord, 'name'> {
  const properties = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
  const { issuer, subject, audiences } = properties ?? {};
  if (
    typeof issuer !== 'string' ||
    issuer === '' ||
    typeof subject !== 'string' ||
    subject === '' ||
    !Array.isArray(audiences) ||
    audiences.length === 0
  ) {
    throw badRequest('Federated Identity Credential from HTTP body has empty properties');
  }
  if (audiences.length !== 1 || typeof audiences[0] !== 'string') {
    throw badRequest('Federated identity credentials must have exactly 1 audience.');
  }
  return { issuer, subject, audiences: [audiences[0]] };
}

function credentialJson(identity: IdentityRecord, credential: FederatedCredentialRecord): unknown {
  return {
    id: `${identityId(identity)}/federatedIdentityCredentials/${credential.name}`,
    name: credential.name,
    type: CREDENTIAL_TYPE,
    properties: { issuer: credential.issuer, subject: credential.subject, audiences: [...credential.audiences] },
  };
}
