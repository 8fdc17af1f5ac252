// The test Kubernetes API server for tests that run in another process (the host tests in VS Code's
// extension host): the sample cluster, a kubeconfig and its CA written into a folder, and the
// variables that tell the tests where they are: WI_KUBECONFIG (the kubeconfig), WI_KUBE_URL (the
// server: its /__admin/requests lists every request) and WI_KUBE_CA (the CA certificate's path).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBE_EXEC_TOKEN, KUBE_TOKEN, writeKubeconfig } from './kubeconfig';
import { sampleCluster } from './sampleCluster';
import { startKubeServer } from './server';

export async function startStandaloneKubeServer(dir = mkdtempSync(join(tmpdir(), 'wi-kube-'))): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  // Small pages: the host run follows `continue` too.
  const server = await startKubeServer({ seed: sampleCluster(), tokens: [KUBE_TOKEN, KUBE_EXEC_TOKEN], maxPageSize: 5 });
  const caPath = join(dir, 'kube-ca.pem');
  writeFileSync(caPath, server.cert);
  return {
    env: { WI_KUBECONFIG: writeKubeconfig(server, dir), WI_KUBE_URL: server.url, WI_KUBE_CA: caPath },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
