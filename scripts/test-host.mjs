#!/usr/bin/env node
// Runs the integration tests in a real VS Code extension host, offline:
// install the host (cached in .vscode-test/host), bundle the extension, compile the tests, run
// them. Output is streamed; the exit code is the first failing step's (124: the run timed out).
//
//   node scripts/test-host.mjs
//   node scripts/test-host.mjs --repeat 10 [--bail] [--log-dir <dir>]
//
// --repeat N runs the host suites (the main run, the restricted-mode run, the fixture-repository
// run, the plain-workspace run) N times in a row after one install, bundle and compile, to find a flaky test. It goes on
// after a failing run unless --bail is given. Each run's whole output goes to <dir>/run-<n>.log (default
// .vscode-test/repeat-<time>/); what is printed is one line per run (its suites' results, exit
// code, time), the failures of a failing run, and a final line `repeat: N runs, N passed, N failed,
// longest streak of passing runs N`. The exit code is the first failing run's.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function options(argv) {
  const out = { repeat: 0, bail: false, logDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--repeat') out.repeat = Number(value());
    else if (flag === '--bail') out.bail = true;
    else if (flag === '--log-dir') out.logDir = resolve(value());
    else throw new Error(`unknown argument ${argv[i]}: usage: test-host.mjs [--repeat N [--bail] [--log-dir <dir>]]`);
  }
  if (!Number.isInteger(out.repeat) || out.repeat < 0) throw new Error('--repeat takes a whole number of runs');
  return out;
}

const { repeat, bail, logDir } = options(process.argv.slice(2));
const hostRun = ['run the tests in the host', process.execPath, ['out/test/host/runTests.js']];
const steps = [
  ['install the VS Code host', process.execPath, ['scripts/vscode-host/install.mjs']],
  ['bundle the extension', 'npm', ['run', '--silent', 'build']],
  ['compile the tests', process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']],
  ...(repeat > 0 ? [] : [hostRun]),
].filter(([title]) => !(process.env.WI_HOST_BUILT === '1' && /^(bundle|compile)/.test(title)));

/** Runs a command; with `sink`, its output goes there only. Resolves with its exit code. */
function run(command, args, sink) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: sink ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    child.stdout?.on('data', sink);
    child.stderr?.on('data', sink);
    child.on('error', (error) => {
      (sink ?? ((line) => process.stderr.write(line)))(`[test-host] ${command}: ${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

const started = Date.now();
for (const [title, command, args] of steps) {
  const stepStarted = Date.now();
  console.log(`[test-host] ${title}`);
  const code = await run(command, args);
  if (code !== 0) {
    console.error(`[test-host] ${title}: failed with exit code ${code} after ${seconds(stepStarted)} s`);
    process.exit(code);
  }
  console.log(`[test-host] ${title}: done in ${seconds(stepStarted)} s`);
}
if (repeat === 0) {
  console.log(`[test-host] all steps passed in ${seconds(started)} s`);
  process.exit(0);
}

// --repeat: the host suites N times, each run's output in its own log file.
const dir = logDir ?? join(repoRoot, '.vscode-test', `repeat-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(dir, { recursive: true });
console.log(`[test-host] running the host suites ${repeat} times${bail ? ', stopping at the first failing run' : ', going on after a failing run'}; logs in ${dir}`);
let passedRuns = 0;
let failedRuns = 0;
let streak = 0;
let longest = 0;
let firstFailure = 0;
for (let n = 1; n <= repeat; n++) {
  const file = join(dir, `run-${String(n).padStart(String(repeat).length, '0')}.log`);
  const log = createWriteStream(file);
  const chunks = [];
  const runStarted = Date.now();
  const code = await run(hostRun[1], hostRun[2], (chunk) => {
    log.write(chunk);
    chunks.push(Buffer.from(chunk));
  });
  await new Promise((done) => log.end(done));
  const output = Buffer.concat(chunks).toString('utf8');
  // The suites' own summary lines: the main run's, the restricted-mode run's, the repositories' run's, the plain workspace's.
  const suites = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].map(([line]) => line);
  const green = code === 0 && suites.length > 0 && suites.every((s) => s.endsWith(' 0 failed'));
  if (green) {
    passedRuns++;
    longest = Math.max(longest, ++streak);
  } else {
    failedRuns++;
    streak = 0;
    firstFailure ||= code || 1;
  }
  console.log(`[test-host] run ${n}/${repeat}: ${green ? 'passed' : 'FAILED'} (${suites.join('; ') || 'no summary line'}; exit code ${code}) in ${seconds(runStarted)} s; log ${file}`);
  if (!green) {
    // Each failure as the suites report it (title, error, the top of its stack), and a time-out.
    const lines = output.split('\n');
    lines.forEach((line, i) => {
      if (line.startsWith('failed: ')) console.log(lines.slice(i, i + 6).map((l) => `    ${l}`).join('\n'));
      else if (/^\[vscode-host\] (timed out|error)/.test(line)) console.log(`    ${line}`);
    });
    if (bail) break;
  }
}
console.log(`[test-host] repeat: ${passedRuns + failedRuns} runs, ${passedRuns} passed, ${failedRuns} failed, longest streak of passing runs ${longest}, in ${seconds(started)} s`);
process.exit(firstFailure);
