#!/usr/bin/env node
// Runs the integration tests in a real VS Code extension host, offline:
// install the host (cached in .vscode-test/host), bundle the extension, compile the tests, run
// them. Output is streamed; the exit code is the first failing step's (124: the run timed out).
//
//   node scripts/test-host.mjs
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const steps = [
  ['install the VS Code host', process.execPath, ['scripts/vscode-host/install.mjs']],
  ['bundle the extension', 'npm', ['run', '--silent', 'build']],
  ['compile the tests', process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']],
  ['run the tests in the host', process.execPath, ['out/test/host/runTests.js']],
].filter(([title]) => !(process.env.WI_HOST_BUILT === '1' && /^(bundle|compile)/.test(title)));

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`[test-host] ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const started = Date.now();
for (const [title, command, args] of steps) {
  const stepStarted = Date.now();
  console.log(`[test-host] ${title}`);
  const code = await run(command, args);
  const took = ((Date.now() - stepStarted) / 1000).toFixed(1);
  if (code !== 0) {
    console.error(`[test-host] ${title}: failed with exit code ${code} after ${took} s`);
    process.exit(code);
  }
  console.log(`[test-host] ${title}: done in ${took} s`);
}
console.log(`[test-host] all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
