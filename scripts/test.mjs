// The one test command (`npm test`): builds, type-checks and compiles, lints (typescript-eslint,
// type-aware) and checks for unused code (knip), each counted as one check, runs the unit suite with
// node's test runner, then the integration suites in a real VS Code host (a trusted run, a
// restricted-mode run, a run on the fixture repositories and one on a workspace with nothing of
// identity, each printing its own
// `N passed, N failed`), and ends with one summary line `N passed, N failed` over all of them.
import { spawn } from 'node:child_process';

/** Runs a command, streaming its output, and resolves with its exit code and stdout. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', (e) => resolve({ code: 1, out: `${out}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

let passed = 0;
let failed = 0;

const build = await run('npm', ['run', '--silent', 'build']);
const tsc = build.code === 0 ? await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']) : build;
if (build.code !== 0 || tsc.code !== 0) {
  console.log('build or type-check failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// Lint and the unused-code check: each is one check that passes or fails, its report printed above.
for (const [name, bin, args] of [
  ['lint (eslint)', 'node_modules/eslint/bin/eslint.js', ['.']],
  ['unused code (knip)', 'node_modules/knip/bin/knip.js', []],
]) {
  const check = await run(process.execPath, [bin, ...args]);
  console.log(`${name}: ${check.code === 0 ? 'passed' : 'failed'}`);
  if (check.code === 0) passed += 1;
  else failed += 1;
}

const unit = await run(process.execPath, ['--test', '--test-reporter=spec', 'out/test/unit/']);
const unitPassed = Number(unit.out.match(/^ℹ pass (\d+)/m)?.[1] ?? 0);
const unitFailed = Number(unit.out.match(/^ℹ fail (\d+)/m)?.[1] ?? 0);
passed += unitPassed;
failed += unitFailed + (unit.code !== 0 && unitFailed === 0 ? 1 : 0);

if (process.env.WI_SKIP_HOST_TESTS === '1') {
  console.log('integration tests skipped: WI_SKIP_HOST_TESTS=1');
} else {
  // Built and compiled above already: the host run skips those steps.
  const host = await run(process.execPath, ['scripts/test-host.mjs'], { WI_HOST_BUILT: '1' });
  // One summary line per host run (main, restricted mode, fixture repositories, plain workspace): add them up.
  let hostPassed = 0;
  let hostFailed = 0;
  for (const [, p, f] of host.out.matchAll(/^(\d+) passed, (\d+) failed$/gm)) {
    hostPassed += Number(p);
    hostFailed += Number(f);
  }
  passed += hostPassed;
  failed += hostFailed + (host.code !== 0 && hostFailed === 0 ? 1 : 0);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
