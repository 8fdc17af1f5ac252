import { spawn, type SpawnOptions } from 'node:child_process';

/**
 * Runs a command and collects its output, without blocking this process's event loop (so that a
 * test server in this process can answer the child).
 */
export async function runAsync(command: string, args: readonly string[], options: SpawnOptions): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stdout, stderr };
}
