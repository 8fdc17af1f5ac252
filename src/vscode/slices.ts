import { performance } from 'node:perf_hooks';
import type { Steps } from '../core/steps';

/** Longest stretch of work between two turns of the extension host's event loop. */
const SLICE_MS = 10;

/**
 * Set by the host tests' hooks (testHooks.ts), read once per turn: the longest turn and the
 * longest single step since they reset it, with where the sliced work was started. Never set in use.
 */
interface SliceTrace {
  longestTurnMs: number;
  longestStepMs: number;
  longestStepOf?: string;
}
const TRACE = Symbol.for('wi-migrate.sliceTrace');
const trace = (): SliceTrace | undefined => (globalThis as { [TRACE]?: SliceTrace })[TRACE];

interface Task {
  steps: Steps<unknown>;
  /** Where the work was started (only while traced). */
  origin?: string;
  outdated: () => boolean;
  onSlice?: () => void;
  settle: (result: { value: unknown } | undefined) => void;
  fail: (error: unknown) => void;
}

/**
 * Every piece of sliced work of the extension (checks of open documents, the index's reads) shares
 * one queue: a turn runs steps, round-robin, for about SLICE_MS, then gives the event loop back
 * (setImmediate), so the extension host serves its messages, timers and I/O in between however
 * many tasks there are.
 */
const queue: Task[] = [];
let turnScheduled = false;

/**
 * Runs `steps` in time slices. Resolves with `{ value }`, or undefined when `outdated()` turned
 * true between two slices: the rest of the work is dropped, not finished. `onSlice` is called each
 * time the work gives the event loop back before it is done.
 */
export function runSliced<T>(steps: Steps<T>, outdated: () => boolean, onSlice?: () => void): Promise<{ value: T } | undefined> {
  return new Promise((resolve, reject) => {
    const origin = trace() ? new Error().stack?.split('\n').filter((l) => l.includes('(') && !/runSliced|new Promise|^Error/.test(l)).slice(0, 3).map((l) => l.trim()).join(' < ') : undefined;
    queue.push({ steps, outdated, onSlice, origin, settle: resolve as Task['settle'], fail: reject });
    scheduleTurn();
  });
}

function scheduleTurn(): void {
  if (turnScheduled || queue.length === 0) return;
  turnScheduled = true;
  setImmediate(turn);
}

function turn(): void {
  turnScheduled = false;
  const start = performance.now();
  const traced = trace();
  let running: Task | undefined;
  while (queue.length > 0 && performance.now() - start < SLICE_MS) {
    const task = queue[0];
    try {
      // Nothing changes during a turn: whether the work is outdated is asked once per turn.
      if (task !== running && task.outdated()) {
        queue.shift();
        task.steps.return(undefined);
        task.settle(undefined);
        continue;
      }
      running = task;
      const stepStart = traced ? performance.now() : 0;
      const r = task.steps.next();
      if (traced && performance.now() - stepStart > traced.longestStepMs) {
        traced.longestStepMs = performance.now() - stepStart;
        traced.longestStepOf = task.origin;
      }
      if (r.done) {
        queue.shift();
        running = undefined;
        task.settle({ value: r.value });
      }
    } catch (error) {
      queue.shift();
      running = undefined;
      task.fail(error);
    }
  }
  if (traced) traced.longestTurnMs = Math.max(traced.longestTurnMs, performance.now() - start);
  if (running && queue[0] === running) {
    // The task that was interrupted waits behind the others: tasks share the turns.
    queue.shift();
    running.onSlice?.();
    queue.push(running);
  }
  scheduleTurn();
}
