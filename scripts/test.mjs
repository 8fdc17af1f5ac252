// The one test command (`npm test`): type-checks and compiles, runs the unit suite with node's
// test runner, then the integration suite in a real VS Code host, and ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
const echo = (r) => process.stdout.write(r.stdout ?? '');

let passed = 0;
let failed = 0;

const build = run('npm', ['run', '--silent', 'build']);
echo(build);
const tsc = run('npx', ['tsc', '-p', '.']);
echo(tsc);
if (build.status !== 0 || tsc.status !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const unit = run(process.execPath, ['--test', '--test-reporter=spec', 'out/test/unit/']);
echo(unit);
passed += Number(unit.stdout.match(/^ℹ pass (\d+)/m)?.[1] ?? 0);
failed += Number(unit.stdout.match(/^ℹ fail (\d+)/m)?.[1] ?? 0);
if (unit.status !== 0 && failed === 0) failed += 1;

if (existsSync('scripts/test-host.mjs') && process.env.WI_SKIP_HOST_TESTS !== '1') {
  const host = run(process.execPath, ['scripts/test-host.mjs']);
  echo(host);
  const summary = [...(host.stdout ?? '').matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  passed += Number(summary?.[1] ?? 0);
  failed += Number(summary?.[2] ?? 0);
  if (host.status !== 0 && !Number(summary?.[2])) failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
