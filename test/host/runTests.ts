// Entry point of the integration tests: runs the suite in out/test/host/suite inside a real
// VS Code extension host. By default that host is code-server, started by
// scripts/vscode-host/launcher.sh (offline, see scripts/test-host.mjs); with
// WI_USE_DOWNLOADED_VSCODE=1 @vscode/test-electron downloads a desktop VS Code instead.
//
// The workspace the tests see is a fresh copy of test/host/workspace with the repository's
// examples/ added as examples/: tests edit, save and create files there (fixes, the workspace
// migration), and neither the checked-in files nor the next run may see those changes.
//
// A second, small run follows in restricted mode: the suite in out/test/host/untrusted on a fresh
// copy of test/host/untrusted-workspace, with workspace trust enabled in the launcher
// (WI_HOST_WORKSPACE_TRUST=1) so that the folder, never trusted, is untrusted.
//
// A third run checks the fixture repositories: the suite in out/test/host/repos on a workspace that
// holds each test/repos/<name>/before/ tree (of those with an after/) as <name>/. Each run prints its
// own "N passed, N failed" line (scripts/test.mjs adds them up); all always run; the exit code is
// the first failing run's. A fourth run, on a copy of test/host/plain-workspace (YAML with nothing
// of identity in it), runs out/test/host/plain: the analysis bundle is loaded only when needed. With
// WI_USE_DOWNLOADED_VSCODE=1 the restricted run is skipped: test-electron always passes
// --disable-workspace-trust to a desktop VS Code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestRunFailedError, runTests } from '@vscode/test-electron';
import { startStandaloneArmServer } from '../arm/standalone';
import { startStandaloneKubeServer } from '../kube/standalone';
import { copyReposSideBySide } from '../support/repos';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function scratchWorkspace(): string {
  const scratchRoot = path.join(repoRoot, '.vscode-test');
  fs.mkdirSync(scratchRoot, { recursive: true });
  return path.join(fs.mkdtempSync(path.join(scratchRoot, 'run-')), 'workspace');
}

function freshWorkspace(source = 'workspace', withExamples = true): string {
  const workspace = scratchWorkspace();
  fs.cpSync(path.join(repoRoot, 'test', 'host', source), workspace, { recursive: true });
  const examples = path.join(workspace, 'examples');
  if (withExamples && !fs.existsSync(examples)) fs.cpSync(path.join(repoRoot, 'examples'), examples, { recursive: true });
  return workspace;
}

/** Runs one tests module in the host; resolves with 0 or the run's exit code (124: timed out). */
async function hostRun(
  title: string,
  options: { tests: string; workspace: string; env: Record<string, string>; useDownloadedVsCode: boolean },
): Promise<number> {
  try {
    await runTests({
      ...(options.useDownloadedVsCode
        ? {}
        : { vscodeExecutablePath: path.join(repoRoot, 'scripts', 'vscode-host', 'launcher.sh') }),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', options.tests, 'index.js'),
      launchArgs: [options.workspace],
      // Variables named WI_* reach the extension host in both hosts; tests can tell them apart.
      // WI_TEST_HOOKS: the extension loads the test-only hooks bundle (its API then has them).
      extensionTestsEnv: {
        ...options.env,
        WI_TEST_HOST: options.useDownloadedVsCode ? 'vscode' : 'code-server',
        WI_TEST_HOOKS: path.join(repoRoot, 'dist', 'test-hooks.js'),
      },
    });
    fs.rmSync(path.dirname(options.workspace), { recursive: true, force: true });
    return 0;
  } catch (error) {
    // Keep the host's exit code and the workspace as the tests left it.
    console.error(`${title} failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`The test workspace is kept in ${options.workspace}`);
    return error instanceof TestRunFailedError && error.code ? error.code : 1;
  }
}

async function main(): Promise<void> {
  const useDownloadedVsCode = process.env.WI_USE_DOWNLOADED_VSCODE === '1';
  // The Azure commands' tests talk to a local HTTPS ARM server. NODE_EXTRA_CA_CERTS in this
  // process's environment reaches code-server and the extension host it starts (Node reads it at
  // start-up only); the WI_* variables reach the extension host through the payload.
  const arm = await startStandaloneArmServer();
  process.env.NODE_EXTRA_CA_CERTS = arm.caPath;
  // The cluster check's tests read a local HTTPS Kubernetes API server through a kubeconfig.
  const kube = await startStandaloneKubeServer();
  const mainRun = await hostRun('Integration tests', {
    tests: 'suite', workspace: freshWorkspace(), env: { ...arm.env, ...kube.env }, useDownloadedVsCode,
  });
  // The restricted-mode run gets the ARM server too: its tests check that no request reached it
  // (the cluster check's among them, which reads the Kubernetes API server).
  let restricted = 0;
  if (useDownloadedVsCode) {
    console.log('restricted-mode tests skipped: test-electron disables workspace trust in a downloaded VS Code');
  } else {
    restricted = await hostRun('Restricted-mode integration tests', {
      tests: 'untrusted',
      workspace: freshWorkspace('untrusted-workspace', false),
      env: { ...arm.env, ...kube.env, WI_HOST_WORKSPACE_TRUST: '1' },
      useDownloadedVsCode,
    });
  }
  await kube.close();
  const reposWorkspace = scratchWorkspace();
  copyReposSideBySide(reposWorkspace);
  const repos = await hostRun('Fixture repository tests', { tests: 'repos', workspace: reposWorkspace, env: {}, useDownloadedVsCode });
  const plain = await hostRun('Plain-workspace tests', { tests: 'plain', workspace: freshWorkspace('plain-workspace', false), env: {}, useDownloadedVsCode });
  await arm.close();
  const code = mainRun || restricted || repos || plain;
  if (code !== 0) process.exit(code);
}

void main();
