// A kubeconfig for the test Kubernetes API server, written as a user's would be: the cluster's CA
// inline, and three contexts: a bearer token (current), an exec credential plugin (a fake
// kubelogin, the way AKS clusters with Entra ID sign in), and a token the server refuses.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeServer } from './server';

export const KUBE_TOKEN = 'test-kube-token';
export const KUBE_EXEC_TOKEN = 'test-kube-exec-token';
export const CONTEXTS = { token: 'aks-test', exec: 'aks-exec', refused: 'aks-refused' } as const;

/** Writes the kubeconfig (and the fake kubelogin beside it) into `dir`; returns the kubeconfig's path. */
export function writeKubeconfig(server: KubeServer, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const plugin = join(dir, 'fake-kubelogin');
  // What `kubelogin get-token` prints: an ExecCredential with the token.
  writeFileSync(
    plugin,
    `#!/bin/sh\nprintf '%s\\n' '${JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: KUBE_EXEC_TOKEN } })}'\n`,
  );
  chmodSync(plugin, 0o755);
  const cluster = { server: server.url, 'certificate-authority-data': Buffer.from(server.cert).toString('base64') };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': CONTEXTS.token,
    clusters: [{ name: 'test-cluster', cluster }],
    users: [
      { name: 'token-user', user: { token: KUBE_TOKEN } },
      { name: 'exec-user', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, args: ['get-token', '--login', 'azurecli'], interactiveMode: 'Never' } } },
      { name: 'refused-user', user: { token: 'a-token-the-server-refuses' } },
    ],
    contexts: [
      { name: CONTEXTS.token, context: { cluster: 'test-cluster', user: 'token-user' } },
      { name: CONTEXTS.exec, context: { cluster: 'test-cluster', user: 'exec-user' } },
      { name: CONTEXTS.refused, context: { cluster: 'test-cluster', user: 'refused-user' } },
    ],
  };
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
