/** An ARM error reply: `{ error: { code, message } }` with an HTTP status, thrown by handlers. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function badRequest(message: string, code = 'BadRequest'): ArmError {
  return new ArmError(400, code, message);
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
      'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
  );
}

export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

export function subscriptionNotFound(subscriptionId: string): ArmError {
  return new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
}

/**
 * The RBAC action ARM would check for a request, e.g. a PUT on a federated credential is
 * `Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write`.
 */
export function actionFor(method: string, path: string): string {
  const verb = method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'write';
  const providerAt = path.toLowerCase().lastIndexOf('/providers/');
  if (providerAt < 0) {
    return `Microsoft.Resources/subscriptions/${verb}`;
  }
  const segments = path.slice(providerAt + '/providers/'.length).split('/');
  // Namespace, then alternating type/name: keep the namespace and every type segment.
  const types = segments.filter((_, index) => index === 0 || index % 2 === 1);
  return `${types.join('/')}/${verb}`;
}

/** The default ARM-shaped error for an injected fault of the given status. */
export function defaultFaultError(status: number, method: string, path: string): ArmError {
  switch (status) {
    case 401:
      return new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    case 403:
      return new ArmError(
        403,
        'AuthorizationFailed',
        `The client '00000000-0000-0000-0000-00000000a11c' with object id '00000000-0000-0000-0000-00000000a11c' ` +
          `does not have authorization to perform action '${actionFor(method, path)}' over scope '${path}' ` +
          'or the scope is invalid. If access was recently granted, please refresh your credentials.',
      );
    case 404:
      return new ArmError(404, 'ResourceNotFound', `The Resource at '${path}' was not found.`);
    case 409:
      return new ArmError(409, 'Conflict', `The request on '${path}' conflicts with the current state of the resource.`);
    case 429:
      return new ArmError(
        429,
        'TooManyRequests',
        `The request is being throttled as the limit has been reached for operation type - ${actionFor(method, path)}.`,
      );
    default:
      return new ArmError(status, 'InternalServerError', 'Encountered internal server error. Please try again.');
  }
}
