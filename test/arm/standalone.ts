// The test ARM server as a process of its own, for tests that run elsewhere (the host tests in
// VS Code's extension host). It starts the server on the sample world, writes its CA certificate
// and a fake `az` (for @azure/identity's AzureCliCredential) into a folder, and then either
// prints where they are and serves until stopped, or runs a command with the environment set:
//
//   node out/test/arm/standalone.js                    # prints {"url", "caPath", "binDir", ...}
//   node out/test/arm/standalone.js -- <command> [args] # runs it with the variables below; exits with its code
//
// Variables given to the command: WI_ARM_URL (the server), WI_ARM_CA (path of the CA PEM),
// NODE_EXTRA_CA_CERTS (the same path: Node processes started with it trust the server), PATH
// with the fake `az` first, and WI_FAKE_AZ_DIR (its folder: VS Code's server gives the extension
// host the login shell's PATH, so the host tests put it first themselves). Tests reach the admin
// routes (/__admin/…) at WI_ARM_URL.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SUBSCRIPTION_ID, TENANT_ID, sampleWorld } from './sampleWorld';
import { startArmServer, type ArmServer } from './server';

/** The bearer token the fake `az` prints; the standalone server accepts only this one. */
export const FAKE_AZ_TOKEN = 'fake-az-cli-token';

/** What the Azure CLI prints when login.microsoftonline.com does not resolve (Python's urllib3). */
export const AZ_OFFLINE_STDERR = `ERROR: HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded with url: /organizations/oauth2/v2.0/token (Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at 0x7f3a5c>: Failed to resolve 'login.microsoftonline.com' ([Errno -3] Temporary failure in name resolution)"))`;

/** What the Azure CLI prints when nobody is logged in. */
export const AZ_LOGGED_OUT_STDERR = "ERROR: Please run 'az login' to setup account.";

function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface StandaloneArmServer {
  server: ArmServer;
  url: string;
  caPath: string;
  /** Folder holding the fake `az`: put it first on PATH. */
  binDir: string;
  /** Environment for a process that should talk to this server. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * What `az account get-access-token --output json` prints (Azure CLI 2.54+: `expires_on` in epoch
 * seconds; `expiresOn` the older local time), whatever the arguments.
 */
function fakeAz(): string {
  return [
    '#!/bin/sh',
    '# Fake Azure CLI for tests: answers `az account get-access-token` only.',
    '# WI_FAKE_AZ_MODE=hang: a sign-in that does not complete (it gives up after a minute);',
    '# WI_FAKE_AZ_MODE=offline: what az prints when the sign-in host does not resolve.',
    'case "${WI_FAKE_AZ_MODE:-}" in',
    '  hang) exec sleep 60 ;;',
    `  offline) printf '%s\\n' ${shellWord(AZ_OFFLINE_STDERR)} >&2; exit 1 ;;`,
    `  loggedOut) printf '%s\\n' ${shellWord(AZ_LOGGED_OUT_STDERR)} >&2; exit 1 ;;`,
    'esac',
    'case "$*" in',
    '  *"account get-access-token"*) ;;',
    '  *) echo "fake az: unsupported: $*" >&2; exit 2 ;;',
    'esac',
    'now=$(date +%s)',
    'expires=$((now + 3600))',
    `printf '{"accessToken": "${FAKE_AZ_TOKEN}", "expiresOn": "%s", "expires_on": %s, "subscription": "${SUBSCRIPTION_ID}", "tenant": "${TENANT_ID}", "tokenType": "Bearer"}\\n' "$(date -d "@$expires" '+%Y-%m-%d %H:%M:%S.000000')" "$expires"`,
    '',
  ].join('\n');
}

/** Writes the fake `az` into `dir`/bin and returns that folder (put it first on PATH). */
export function writeFakeAz(dir: string): string {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(binDir, 'az'), fakeAz());
  chmodSync(join(binDir, 'az'), 0o755);
  return binDir;
}

export async function startStandaloneArmServer(dir = mkdtempSync(join(tmpdir(), 'wi-arm-'))): Promise<StandaloneArmServer> {
  // One in-progress poll keeps cluster operations quick in the host tests.
  const server = await startArmServer({ seed: sampleWorld(), settings: { lroInProgressPolls: 1 }, acceptedTokens: [FAKE_AZ_TOKEN] });
  const caPath = join(dir, 'arm-ca.pem');
  writeFileSync(caPath, server.cert);
  const binDir = writeFakeAz(dir);
  return {
    server,
    url: server.url,
    caPath,
    binDir,
    env: {
      WI_ARM_URL: server.url,
      WI_ARM_CA: caPath,
      NODE_EXTRA_CA_CERTS: caPath,
      WI_FAKE_AZ_DIR: binDir,
      PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
    },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const standalone = await startStandaloneArmServer();
  const stop = async (code: number) => {
    await standalone.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));
  const dash = argv.indexOf('--');
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  if (command.length === 0) {
    console.log(JSON.stringify({ url: standalone.url, caPath: standalone.caPath, binDir: standalone.binDir, env: standalone.env }));
    return;
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...standalone.env } });
  child.on('exit', (code, signal) => void stop(code ?? (signal ? 128 : 1)));
}

if (require.main === module) void main(process.argv.slice(2));
