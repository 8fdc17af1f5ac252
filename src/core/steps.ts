/**
 * Work that can pause: a generator that yields between units of work (a YAML document, say) and
 * returns its result. The CLI runs it to the end at once; the editor runs it in time slices so
 * that a big file never blocks the extension host, and drops it when its input is outdated.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step now and returns the result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
