#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron would download: runs the
// extension's tests in code-server (VS Code server + web workbench, Node 24 extension host)
// driven by a headless Debian chromium, all on 127.0.0.1. See /work/shared/VSCODE-HOST.md.
//
//   launcher.sh --extensionDevelopmentPath=<dir> --extensionTestsPath=<module> [folder] [other flags]
//
// Other flags (--no-sandbox, --user-data-dir=…, …) are what test-electron passes to a desktop
// VS Code; they are ignored: every run gets fresh user data and extension dirs in a temp dir.
// Environment:
//   WI_HOST_EXTENSION_ENV  JSON object of variables for the extension host
//   WI_*                   passed to the extension host as they are
//   WI_HOST_TIMEOUT_S      seconds before the run is abandoned with exit code 124 (default 900: a
//                          guard against a host that never starts or never reports; a hung test
//                          fails on mocha's own per-test limit first. The main suite, all
//                          passing, took 385 s on 2 cores shared with other builds.)
//   WI_HOST_VERBOSE=1      also echo code-server's output and the workbench's own console
//   WI_HOST_WORKSPACE_TRUST=1  keep workspace trust enabled (no --disable-workspace-trust): the
//                          folder, never trusted in the fresh user data, opens in restricted
//                          mode, with the start-up trust prompt turned off so that no modal
//                          dialog waits for a click. By default trust is disabled (all trusted).
// Exit code: the one VS Code reports for the test run; 124 on time-out (screenshot saved in
// .vscode-test/), 1 when the host cannot start.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatWithOptions } from 'node:util';
import { cacheRoot, chromiumBinary, codeServerEntry, nodeBinary } from './paths.mjs';
import { offlineBrowser } from './browser.mjs';
import { freePort, killGroup, startCodeServer } from './server.mjs';

const log = (line) => console.log(`[vscode-host] ${line}`);
const verbose = process.env.WI_HOST_VERBOSE === '1';
const timeoutSeconds = Number(process.env.WI_HOST_TIMEOUT_S ?? 900);
const workspaceTrust = process.env.WI_HOST_WORKSPACE_TRUST === '1';

// User settings of every run. The web workbench (code-server) saves edited files after a second
// by default (files.autoSave "afterDelay"; a desktop VS Code's default is "off"): on a busy
// machine a quick fix was then saved before the test reverted it (the revert read the fixed text
// back from disk, and later suites saw the fixed file), and a test's own save ran into the auto
// save (document.save() answered false). The tests expect the desktop default.
const hostSettings = {
  'files.autoSave': 'off',
};

// User settings of a run with workspace trust enabled: restricted mode without any modal dialog.
const restrictedModeSettings = {
  'security.workspace.trust.enabled': true,
  // The "Do you trust the authors…" dialog at start-up would wait for a click.
  'security.workspace.trust.startupPrompt': 'never',
  // Opening a file from outside the folder would ask the same question in a dialog.
  'security.workspace.trust.untrustedFiles': 'open',
};

function parseArgs(argv) {
  const options = { extensionDevelopmentPath: undefined, extensionTestsPath: undefined, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inlineValue] = arg.split(/=(.*)/s, 2);
    const name = flag.replace(/^--/, '');
    if (name === 'extensionDevelopmentPath' || name === 'extensionTestsPath') {
      options[name] = resolve(inlineValue ?? argv[++i]);
    } else if (!arg.startsWith('-')) {
      options.folder = resolve(arg);
    }
  }
  if (!options.extensionDevelopmentPath || !options.extensionTestsPath) {
    throw new Error('usage: launcher.sh --extensionDevelopmentPath=<dir> --extensionTestsPath=<module> [folder]');
  }
  return options;
}

function extensionHostEnvironment() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('WI_') && key !== 'WI_HOST_EXTENSION_ENV') env[key] = value;
  }
  if (process.env.WI_HOST_EXTENSION_ENV) Object.assign(env, JSON.parse(process.env.WI_HOST_EXTENSION_ENV));
  return env;
}

// The workbench logs what the extension host prints (the tests' console.log included) through
// its own logger, as console.log('%c INFO', <css>, format, ...args), exactly like its own
// messages. What tells them apart is the caller: MainThreadConsole.$logExtensionHostMessage, an
// RPC method whose name survives minification. This init script reports those lines.
function reportExtensionHostConsole() {
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const original = console[level];
    console[level] = function (...args) {
      if (new Error().stack?.includes('$logExtensionHostMessage')) {
        try {
          globalThis.wiExtensionHostLog?.(JSON.parse(JSON.stringify(args)));
        } catch {
          globalThis.wiExtensionHostLog?.(args.map(String));
        }
      }
      return original.apply(this, args);
    };
  }
}

function extensionHostLine(args) {
  const [first, ...rest] = args;
  // Drop the workbench's '%c INFO' tag and its style; keep the caller's own format string.
  const message = typeof first === 'string' && first.startsWith('%c') ? rest.slice(1) : args;
  return formatWithOptions({ colors: false }, ...message);
}

async function runInBrowser({ url, deadline, serverExited }) {
  const { browser, context } = await offlineBrowser({ width: 1280, height: 800 });
  await context.exposeFunction('wiExtensionHostLog', (args) => console.log(extensionHostLine(args)));
  await context.addInitScript(reportExtensionHostConsole);
  const page = await context.newPage();
  if (verbose) page.on('console', (message) => console.log(`[workbench] ${message.text()}`));

  let reportExit;
  let reportFailure;
  const exitCode = new Promise((resolveExit, reject) => { reportExit = resolveExit; reportFailure = reject; });
  exitCode.catch(() => {}); // observed by the race below; this only keeps a late failure quiet
  // VS Code's smoke-test driver calls this with the test run's exit code.
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
  page.on('crash', () => reportFailure(new Error('the workbench page crashed')));
  browser.on('disconnected', () => reportFailure(new Error('chromium went away')));

  let timer;
  const timedOut = new Promise((r) => { timer = setTimeout(() => r('timeout'), deadline - Date.now()); });
  try {
    await page.goto(url);
    const outcome = await Promise.race([exitCode, timedOut, serverExited]);
    if (outcome === 'timeout') {
      const shot = join(cacheRoot, `host-timeout-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
      mkdirSync(cacheRoot, { recursive: true });
      await page.screenshot({ path: shot }).then(() => log(`screenshot: ${shot}`), () => {});
      log(`timed out after ${timeoutSeconds} s`);
      return 124;
    }
    return outcome;
  } finally {
    clearTimeout(timer);
    await browser.close().catch(() => {});
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  for (const file of [nodeBinary, codeServerEntry, chromiumBinary]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run node scripts/vscode-host/install.mjs`);
  }
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  const stateDir = mkdtempSync(join(tmpdir(), 'wi-vscode-host-'));
  let server;
  let exitCode = 1;
  const cleanUp = () => {
    killGroup(server);
    if (exitCode === 0) rmSync(stateDir, { recursive: true, force: true });
    else log(`kept user data and code-server.log in ${stateDir}`);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      cleanUp();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  try {
    const port = await freePort();
    const host = startCodeServer({
      port,
      ...options,
      extensionEnvironment: extensionHostEnvironment(),
      stateDir,
      workspaceTrust,
      userSettings: { ...hostSettings, ...(workspaceTrust ? restrictedModeSettings : {}) },
      echoOutput: verbose,
      deadline,
    });
    server = host.child;
    const serverExited = new Promise((_, reject) => server.once('exit', (code, signal) => reject(
      new Error(`code-server exited during the run (${signal ?? `exit ${code}`})`))));
    serverExited.catch(() => {});
    await host.ready;
    log(`code-server up on 127.0.0.1:${port} after ${Date.now() - started} ms${workspaceTrust ? ' (workspace trust enabled: restricted mode)' : ''}; opening the workbench`);
    exitCode = await runInBrowser({ url: host.url, deadline, serverExited });
    log(`exiting with code ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    log(`error: ${error.message}`);
    exitCode = 1;
  } finally {
    cleanUp();
  }
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`[vscode-host] ${error.message}`);
  process.exit(1);
});
