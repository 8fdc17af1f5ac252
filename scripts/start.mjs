// `npm start`: the extension's main job on the bundled examples. Builds, then runs the CLI over
// examples/ and prints what it finds (findings are the expected outcome, so they exit 0 here).
import { spawnSync } from 'node:child_process';

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const cli = spawnSync(process.execPath, ['dist/cli.js', 'check', 'examples', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(cli.status === 0 || cli.status === 1 ? 0 : (cli.status ?? 1));
