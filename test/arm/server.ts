import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeServerCertificate } from './certificate';
import { ADMIN_PREFIX, adminReply } from './admin';
import { ArmError, defaultFaultError } from './errors';
import { federatedCredentialRoutes } from './federatedCredentials';
import { FaultRegistry, type Fault } from './faults';
import { identityRoutes } from './identities';
import { managedClusterRoutes, type ClusterOperationFailure } from './managedClusters';
import type { ArmServerSettings, Reply, RequestContext, Route } from './routing';
import { ArmState, type ArmSeed } from './state';
import { checkAksApiVersion, providerRoutes } from './providers';
import { subscriptionRoutes } from './subscriptions';

export type { ArmServerSettings } from './routing';
export type { FaultSpec } from './faults';

export interface ArmServerOptions {
  seed?: ArmSeed;
  settings?: Partial<ArmServerSettings>;
  /** If given, only these bearer tokens are accepted; others get 401 InvalidAuthenticationToken. */
  acceptedTokens?: string[];
}

export interface LoggedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string without its `?`. */
  query: string;
  /** The status answered, or `dropped` for a connection destroyed by a fault. */
  status: number | 'dropped';
}

export interface ArmServer {
  /** `https://127.0.0.1:<port>`: the `endpoint` for SDK clients. */
  readonly url: string;
  readonly port: number;
  /** PEM of the server's self-signed certificate: the only CA a client needs to trust. */
  readonly cert: string;
  readonly state: ArmState;
  readonly faults: FaultRegistry;
  readonly settings: ArmServerSettings;
  /** Every request received, in order of arrival. */
  readonly requests: LoggedRequest[];
  /** Emits `request` (a LoggedRequest, status still 0) as each request arrives, before it is answered. */
  readonly events: EventEmitter;
  /** While set, every cluster operation started ends `Failed` with this error and changes nothing. */
  clusterOperationFailure: ClusterOperationFailure | undefined;
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: ArmServerSettings = { pageSize: 100, writeLatencyMs: 25, lroInProgressPolls: 2 };

/**
 * A local HTTPS server that answers the Azure Resource Manager calls the extension makes, from
 * in-memory state, so that tests can drive the real Azure SDK clients end to end.
 */
export async function startArmServer(options: ArmServerOptions = {}): Promise<ArmServer> {
  const { cert, key } = await makeServerCertificate();
  const state = new ArmState(options.seed);
  const faults = new FaultRegistry();
  const settings: ArmServerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const requests: LoggedRequest[] = [];
  let baseUrl = '';

  const armServer: ArmServer = {
    get url() {
      return baseUrl;
    },
    get port() {
      return Number(new URL(baseUrl).port);
    },
    cert,
    state,
    faults,
    settings,
    requests,
    events: new EventEmitter(),
    clusterOperationFailure: undefined,
    close: () => closeServer(server),
  };

  const routes: Route[] = [
    ...subscriptionRoutes,
    ...providerRoutes,
    ...identityRoutes,
    ...federatedCredentialRoutes(),
    ...managedClusterRoutes(() => armServer.clusterOperationFailure),
  ];

  const server = createServer({ cert, key }, (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      // Only a bug in this server gets here; answer rather than leave the client hanging.
      if (!response.headersSent) {
        send(response, { status: 500, body: { error: { code: 'TestServerBug', message: String(error) } } });
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', baseUrl);
    if (url.pathname.startsWith(ADMIN_PREFIX)) {
      const body = parseJson(await readBody(request));
      send(response, adminReply(armServer, options.seed, method, url.pathname, body));
      return;
    }
    const logged: LoggedRequest = { method, path: url.pathname, query: url.search.slice(1), status: 0 };
    requests.push(logged);
    const text = await readBody(request);
    armServer.events.emit('request', logged);

    const fault = faults.take(method, url.pathname);
    if (fault && 'drop' in fault.spec) {
      logged.status = 'dropped';
      request.socket.destroy();
      return;
    }
    const reply = fault ? faultReply(fault, method, url.pathname) : await answer(method, url, text, request);
    logged.status = reply.status;
    send(response, reply);
  }

  async function answer(method: string, url: URL, text: string, request: IncomingMessage): Promise<Reply> {
    try {
      checkAuthorization(request.headers.authorization, options.acceptedTokens);
      if (!url.searchParams.get('api-version')) {
        throw new ArmError(
          400,
          'MissingApiVersionParameter',
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      }
      checkAksApiVersion({ path: url.pathname, url, settings, state });
      const matching = routes.filter((candidate) => candidate.pattern.test(url.pathname));
      const found = matching.find((candidate) => candidate.method === method);
      if (!found) {
        throw matching.length > 0
          ? new ArmError(405, 'HttpMethodNotSupported', `The test ARM server does not support ${method} on ${url.pathname}.`)
          : new ArmError(404, 'NoRouteMatch', `The test ARM server has no route for ${method} ${url.pathname}.`);
      }
      const context: RequestContext = {
        method,
        path: url.pathname,
        url,
        params: (found.pattern.exec(url.pathname) ?? []).slice(1).map(decodeSegment),
        body: parseJson(text),
        headers: request.headers,
        state,
        settings,
        baseUrl,
      };
      return await found.handle(context);
    } catch (error) {
      if (error instanceof ArmError) {
        return { status: error.status, headers: error.headers, body: error.body() };
      }
      throw error;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return armServer;
}

function checkAuthorization(header: string | undefined, acceptedTokens: string[] | undefined): void {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (token === undefined) {
    throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", {
      'WWW-Authenticate':
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ' +
        `error_description="The authentication failed because of missing 'Authorization' header."`,
    });
  }
  if (acceptedTokens && !acceptedTokens.includes(token)) {
    throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
  }
}

function faultReply(fault: Fault, method: string, path: string): Reply {
  if ('drop' in fault.spec) {
    throw new Error('a drop fault has no reply');
  }
  const { status, body, retryAfterSeconds } = fault.spec;
  const headers: Record<string, string> = {};
  const retryAfter = retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) {
    headers['Retry-After'] = String(retryAfter);
  }
  return { status, headers, body: body ?? defaultFaultError(status, method, path).body() };
}

function send(response: ServerResponse, reply: Reply): void {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': requestId,
    ...reply.headers,
  };
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers).end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  response
    .writeHead(reply.status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(payload)),
    })
    .end(payload);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ArmError(400, 'InvalidRequestUri', `The path segment '${segment}' is not valid percent-encoding.`);
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets of SDK clients would otherwise hold the server (and the test process) open.
    server.closeAllConnections();
  });
}
