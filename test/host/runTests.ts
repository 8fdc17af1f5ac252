// Entry point of the integration tests: runs the suite in out/test/host/suite inside a real
// VS Code extension host. By default that host is code-server, started by
// scripts/vscode-host/launcher.sh (offline, see scripts/test-host.mjs); with
// WI_USE_DOWNLOADED_VSCODE=1 @vscode/test-electron downloads a desktop VS Code instead.
//
// The workspace the tests see is a fresh copy of test/host/workspace with the repository's
// examples/ added as examples/: tests edit, save and create files there (fixes, the workspace
// migration), and neither the checked-in files nor the next run may see those changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestRunFailedError, runTests } from '@vscode/test-electron';
import { startStandaloneArmServer } from '../arm/standalone';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function freshWorkspace(): string {
  const scratchRoot = path.join(repoRoot, '.vscode-test');
  fs.mkdirSync(scratchRoot, { recursive: true });
  const workspace = path.join(fs.mkdtempSync(path.join(scratchRoot, 'run-')), 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'host', 'workspace'), workspace, { recursive: true });
  const examples = path.join(workspace, 'examples');
  if (!fs.existsSync(examples)) fs.cpSync(path.join(repoRoot, 'examples'), examples, { recursive: true });
  return workspace;
}

async function main(): Promise<void> {
  const useDownloadedVsCode = process.env.WI_USE_DOWNLOADED_VSCODE === '1';
  const workspace = freshWorkspace();
  // The Azure commands' tests talk to a local HTTPS ARM server. NODE_EXTRA_CA_CERTS in this
  // process's environment reaches code-server and the extension host it starts (Node reads it at
  // start-up only); the WI_* variables reach the extension host through the payload.
  const arm = await startStandaloneArmServer();
  process.env.NODE_EXTRA_CA_CERTS = arm.caPath;
  try {
    await runTests({
      ...(useDownloadedVsCode
        ? {}
        : { vscodeExecutablePath: path.join(repoRoot, 'scripts', 'vscode-host', 'launcher.sh') }),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
      launchArgs: [workspace],
      // Variables named WI_* reach the extension host in both hosts; tests can tell them apart.
      extensionTestsEnv: { ...arm.env, WI_TEST_HOST: useDownloadedVsCode ? 'vscode' : 'code-server' },
    });
    await arm.close();
    fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  } catch (error) {
    // Keep the host's exit code (124: the run timed out) and the workspace as the tests left it.
    console.error(`Integration tests failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`The test workspace is kept in ${workspace}`);
    process.exit(error instanceof TestRunFailedError && error.code ? error.code : 1);
  }
}

void main();
