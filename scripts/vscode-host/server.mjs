// Starts code-server (VS Code server + web workbench, Node 24 extension host) on 127.0.0.1 with a
// folder and, optionally, an extension under development. Shared by launcher.mjs (the tests'
// host) and scripts/start.mjs (`npm start`). See /work/shared/VSCODE-HOST.md.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { codeServerEntry, nodeBinary } from './paths.mjs';

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return listenOnce(0);
}

/** `preferred` when nothing listens on it on 127.0.0.1, else a free port. */
export async function preferredOrFreePort(preferred) {
  try {
    return await listenOnce(preferred);
  } catch (error) {
    if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
    return freePort();
  }
}

function listenOnce(port) {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      server.close(() => resolvePort(bound));
    });
  });
}

/**
 * The workbench URL. VS Code reads the extension development options from its `payload` query
 * parameter; a built VS Code honours that payload only when the server runs with the smoke-test
 * driver (startCodeServer always enables it).
 */
export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath, extensionEnvironment }) {
  const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(extensionEnvironment)]);
  const url = new URL(`http://127.0.0.1:${port}/`);
  if (folder) url.searchParams.set(folder.endsWith('.code-workspace') ? 'workspace' : 'folder', folder);
  if (payload.length > 0) url.searchParams.set('payload', JSON.stringify(payload));
  return url.href;
}

/**
 * Spawns code-server in its own process group, with user data, extensions, XDG dirs and TMPDIR
 * in `stateDir` (which must exist) and its output in `stateDir`/code-server.log. `userSettings`,
 * if given, is written as the user's settings.json. Workspace trust is off
 * (`--disable-workspace-trust`: every folder is trusted) unless `workspaceTrust` is true; then the
 * folder, never trusted in this fresh user-data dir, opens in restricted mode (unless the settings
 * say otherwise).
 *
 * Returns at once with
 *   child    the code-server process (leader of its process group: stop it with stop())
 *   url      the workbench URL for `folder` with the extension development payload
 *   ready    resolves once GET /healthz answers; rejects if the server exits first or `deadline`
 *            (epoch ms) passes
 *   stop()   SIGKILLs the whole process group (an extension host survives SIGTERM)
 */
export function startCodeServer({
  port, folder, extensionDevelopmentPath, extensionTestsPath, extensionEnvironment, stateDir,
  userSettings, workspaceTrust = false, echoOutput = false, deadline = Date.now() + 60_000,
}) {
  const env = {
    ...process.env,
    EXTENSIONS_GALLERY: '{}', // else it looks up open-vsx.org
    TMPDIR: join(stateDir, 'tmp'),
    XDG_CONFIG_HOME: join(stateDir, 'config'),
    XDG_DATA_HOME: join(stateDir, 'data'),
    XDG_CACHE_HOME: join(stateDir, 'cache'),
    XDG_STATE_HOME: join(stateDir, 'state'),
    XDG_RUNTIME_DIR: join(stateDir, 'runtime'),
  };
  for (const dir of ['tmp', 'config', 'data', 'cache', 'state', 'runtime']) mkdirSync(join(stateDir, dir), { mode: 0o700 });
  if (userSettings) {
    mkdirSync(join(stateDir, 'user-data', 'User'), { recursive: true });
    writeFileSync(join(stateDir, 'user-data', 'User', 'settings.json'), `${JSON.stringify(userSettings, null, 2)}\n`);
  }
  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', join(stateDir, 'user-data'),
    '--extensions-dir', join(stateDir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--ignore-last-opened',
    // Without the smoke-test driver a built VS Code ignores the URL payload, the extension
    // development path included (not only the tests path).
    '--vscode-option', 'enable-smoke-test-driver',
    ...(folder ? [folder] : []),
  ];
  // Its own process group, so that one kill reaches the extension host and every helper.
  const child = spawn(nodeBinary, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const logPath = join(stateDir, 'code-server.log');
  const serverLog = createWriteStream(logPath);
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      serverLog.write(chunk);
      if (echoOutput) process.stdout.write(chunk);
    });
  }
  const ready = waitForHealthz(port, child, deadline);
  ready.catch(() => {}); // the caller observes it; this only keeps an unobserved failure quiet
  return {
    child,
    port,
    logPath,
    url: workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath, extensionEnvironment }),
    ready,
    stop: () => killGroup(child),
  };
}

async function waitForHealthz(port, server, deadline) {
  const exited = new Promise((_, reject) => server.once('exit', (code, signal) => reject(
    new Error(`code-server exited before it was ready (${signal ?? `exit ${code}`})`))));
  exited.catch(() => {});
  while (Date.now() < deadline) {
    const ok = fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (await Promise.race([ok, exited])) return;
    // Not listening yet: try again shortly (the server is usually up in under a second).
    await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
  }
  throw new Error('code-server did not answer /healthz in time');
}

/** SIGKILLs the process group `child` leads; a no-op when it is already gone. */
export function killGroup(child) {
  if (child?.pid === undefined) return;
  try {
    // An extension host waiting for its client survives SIGTERM.
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}
