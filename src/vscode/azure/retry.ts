import { statusOf } from './errors';
import type { Log } from './result';

export interface ConflictRetry {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First wait in ms, doubled each time (default 2000). */
  delayMs?: number;
  signal?: AbortSignal;
  log: Log;
  what: string;
  /**
   * Called on each 409 first: resolves true when it waited for what held the resource (the write
   * is then made again at once, spending no retry), false to wait and retry as usual.
   */
  waitFor?: (error: unknown) => Promise<boolean>;
}

/**
 * Runs a write again, one attempt after the other, while Azure answers 409 (another write on the
 * same resource is in flight). The SDK's own policy retries 429 and network failures; it does not
 * retry 409. Resolves with the result and how many retries it took; rejects with the last error.
 */
export async function retryOnConflict<T>(write: () => Promise<T>, options: ConflictRetry): Promise<{ result: T; retries: number }> {
  const retries = options.retries ?? 4;
  let delay = options.delayMs ?? 2000;
  for (let attempt = 0, waited = 0; ; attempt++) {
    try {
      return { result: await write(), retries: attempt - waited };
    } catch (error) {
      if (statusOf(error) === 409 && options.waitFor && (await options.waitFor(error))) {
        waited++;
        continue;
      }
      if (statusOf(error) !== 409 || attempt - waited >= retries) {
        if (error instanceof Error && statusOf(error) === 409) Object.assign(error, { retries: attempt - waited });
        throw error;
      }
      options.log.warn(`409 conflict on ${options.what}; retrying in ${delay} ms (retry ${attempt - waited + 1} of ${retries}).`);
      await sleep(delay, options.signal);
      delay *= 2;
    }
  }
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs writes to one resource one at a time, in order (Azure refuses concurrent federated
 * credential writes on one identity with 409). Writes to other resources run freely.
 */
export function sequentially<T>(resourceId: string, write: () => Promise<T>): Promise<T> {
  const key = resourceId.toLowerCase();
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(write, write);
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}
