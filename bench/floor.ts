// The floor of B5 and B7: reading every file of a tree and scanning it with indexOf, the least a
// check of the tree can do. Run as a script (`node floor.js <dir>`) it is B7's floor process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads every file under `dir` and scans it for `aadpodidbinding`; returns the files that hold it. */
export function scanTree(dir: string): number {
  let hits = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    if (readFileSync(join(entry.parentPath, entry.name), 'utf8').indexOf('aadpodidbinding') >= 0) hits++;
  }
  return hits;
}

if (require.main === module) process.stdout.write(`${scanTree(process.argv[2])}\n`);
