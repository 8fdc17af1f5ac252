// Preloaded (`node -r rss-probe.js <script> …`) into B7's child processes: on exit, writes the
// process's peak resident set size in KB to the file WI_BENCH_RSS_FILE names.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.WI_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
