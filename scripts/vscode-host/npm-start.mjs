// `npm start -- --web` as a user runs it, for the manual screenshot scripts (demo-check.mjs,
// view-shots.mjs): started in its own process group, its URL read from what it prints, and
// stopped with SIGINT (SIGKILL after 15 s).
import { spawn } from 'node:child_process';
import { repoRoot } from './paths.mjs';

/** Starts it; `echo` prints each line it writes. Resolves `url` with the workbench URL it prints. */
export function startNpmStart({ echo = false } = {}) {
  // Its own process group: SIGINT reaches npm and scripts/start.mjs, which stops code-server.
  const child = spawn('npm', ['start', '--', '--web'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  let output = '';
  const url = new Promise((resolveUrl, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (echo) {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim()) console.log(`  [npm start] ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`);
        }
      }
      const match = /^\s*(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)\s*$/m.exec(output);
      if (match) resolveUrl(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code, signal }) => reject(new Error(`npm start ended before printing a URL (${signal ?? `exit ${code}`})`)));
    setTimeout(() => reject(new Error('npm start printed no URL within 10 minutes')), 600_000).unref();
  });
  return { child, url, exited };
}

/** Stops it: SIGINT to its group, SIGKILL when it has not ended 15 s later. Resolves its exit, or undefined after a SIGKILL. */
export async function stopNpmStart({ child, exited }, log = () => {}) {
  try {
    process.kill(-child.pid, 'SIGINT');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
  const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 15_000))]);
  if (!outcome) {
    log('npm start did not stop within 15 s of SIGINT: SIGKILL');
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  return outcome;
}
