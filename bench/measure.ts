// Timing: medians after warm-up, in this process. Never a wall-clock limit: the benchmark reports.
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median milliseconds of one call. */
  ms: number;
  /** Samples the median is of. */
  runs: number;
  /** Calls per sample (a call under a millisecond is timed in batches). */
  batch: number;
  /** Set when the only sample was the warm-up itself (a call longer than the budget). */
  warmupOnly: boolean;
}

/** Time spent on one measure's samples, beyond which fewer runs are taken. */
const BUDGET_MS = Number(process.env.WI_BENCH_BUDGET_MS ?? 20_000);
const MAX_RUNS = 7;
/** A sample of a call this short is a batch of calls (timer resolution, noise). */
const MIN_SAMPLE_MS = 20;

function once(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** One sample: `batch` calls, the time of one. */
function sample(fn: () => void, batch: number): number {
  const t = performance.now();
  for (let b = 0; b < batch; b++) fn();
  return (performance.now() - t) / batch;
}

const batchOf = (warm: number) => (warm < MIN_SAMPLE_MS ? Math.ceil(MIN_SAMPLE_MS / Math.max(warm, 0.001)) : 1);
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

/**
 * Times `fn` and its `floor` in turns (so that a change in the machine's load weighs on both):
 * one warm-up call each, then up to 7 samples of each within the budget (at least one), and
 * returns their medians. A warm-up of `fn` longer than the whole budget is its only sample (the
 * earlier measures of the run have warmed the code already); the output says so.
 */
export function timeAgainst(fn: () => void, floor: () => void): [Timing, Timing] {
  const warm = once(fn);
  const warmFloor = once(floor);
  const floorBatch = batchOf(warmFloor);
  if (warm > BUDGET_MS) {
    const floors = [0, 1, 2].map(() => sample(floor, floorBatch));
    return [
      { ms: warm, runs: 1, batch: 1, warmupOnly: true },
      { ms: median(floors), runs: floors.length, batch: floorBatch, warmupOnly: false },
    ];
  }
  const batch = batchOf(warm);
  const runs = Math.max(1, Math.min(MAX_RUNS, Math.floor(BUDGET_MS / Math.max(warm * batch + warmFloor * floorBatch, 1))));
  const samples: number[] = [];
  const floors: number[] = [];
  for (let r = 0; r < runs; r++) {
    samples.push(sample(fn, batch));
    floors.push(sample(floor, floorBatch));
  }
  return [
    { ms: median(samples), runs, batch, warmupOnly: false },
    { ms: median(floors), runs, batch: floorBatch, warmupOnly: false },
  ];
}

/** How a timing was taken, for the notes under the results. */
export function describe(t: Timing): string {
  if (t.warmupOnly) return '1 run (the warm-up: one run is longer than the budget)';
  return `median of ${t.runs} run${t.runs === 1 ? '' : 's'} after warm-up${t.batch > 1 ? `, ${t.batch} calls each` : ''}${t.runs < MAX_RUNS ? ' (fewer runs: slow measure)' : ''}`;
}
