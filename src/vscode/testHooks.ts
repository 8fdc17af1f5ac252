// Entry of the test-only bundle dist/test-hooks.js (scripts/build.mjs; not in the VSIX). The host
// tests' harness names it in WI_TEST_HOOKS; only then does the extension load it and add these
// hooks to its API. Normal use never loads it: no scripted UI, no event-loop monitor.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { AzureTesting } from './azure/testing';

/** What host tests get beside the extension's own API. */
export interface TestApi {
  /** Test hooks of the Azure commands: scripted answers instead of pickers, the last run's transcript. */
  azureTesting: AzureTesting;
  /**
   * Longest the extension host's event loop was blocked since the last reset (the first call
   * starts measuring), in ms. With WI_HOST_PROFILE naming a folder, a CPU profile of the extension
   * host runs from `reset` to `maxMs`, is written there, and `longest()` says what its longest
   * run without a turn of the event loop was busy with (else it is undefined). `slices()` says, for
   * the same span, the sliced work's longest turn and step and the garbage collector's pauses.
   */
  hostStall: { maxMs(): number; reset(): void; longest(): string | undefined; slices(): string };
}

export interface TestHooks {
  api: TestApi;
  dispose(): void;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The longest run of samples without an idle one, and the frames that took most of it (inclusive). */
function longestBlock(profile: Profile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let best = { from: 0, to: 0, us: 0 };
  let from = 0;
  let us = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const idle = byId.get(profile.samples[i])?.callFrame.functionName === '(idle)';
    if (idle) {
      if (us > best.us) best = { from, to: i, us };
      from = i + 1;
      us = 0;
    } else us += profile.timeDeltas[i + 1] ?? 0;
  }
  if (us > best.us) best = { from, to: profile.samples.length, us };
  const frames = new Map<string, number>();
  for (let i = best.from; i < best.to; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      frames.set(key, (frames.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
    }
  }
  const top = [...frames].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return `longest block ${(best.us / 1000).toFixed(0)} ms, inclusive:\n${top.map(([k, t]) => `  ${(t / 1000).toFixed(1).padStart(7)} ms ${k}`).join('\n')}`;
}

/** The kind of a `gc` performance entry: major (mark-compact), minor (scavenge), incremental marking or weak callbacks. */
function gcKind(entry: PerformanceEntry): string {
  const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
  const names: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  return kind === undefined ? 'unknown' : (names[kind] ?? `kind ${kind}`);
}

export function createTestHooks(): TestHooks {
  // Measured only once a test asks (hostStall.reset).
  let stall: ReturnType<typeof monitorEventLoopDelay> | undefined;
  const monitor = () => {
    if (!stall) (stall = monitorEventLoopDelay({ resolution: 10 })).enable();
    return stall;
  };
  const folder = process.env.WI_HOST_PROFILE;
  let session: Session | undefined;
  let described: string | undefined;
  // An in-thread inspector session answers each message before `post` returns.
  const stopProfile = () => {
    if (!session) return;
    session.post('Profiler.stop', (error, result) => {
      if (error || !folder) return;
      writeFileSync(join(folder, `host-${Date.now()}.cpuprofile`), JSON.stringify(result.profile));
      described = longestBlock(result.profile as unknown as Profile);
    });
    session.disconnect();
    session = undefined;
  };
  // The sliced work's own measure (vscode/slices.ts reads it): its longest turn and step.
  const sliceTrace = { longestTurnMs: 0, longestStepMs: 0, longestStepOf: undefined as string | undefined };
  (globalThis as Record<symbol, unknown>)[Symbol.for('wi-migrate.sliceTrace')] = sliceTrace;
  // The garbage collector's pauses of the extension host's thread: a stall longer than any step is one.
  const gc = { longestMs: 0, longestKind: '', totalMs: 0, pauses: 0 };
  const count = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      gc.totalMs += entry.duration;
      gc.pauses++;
      if (entry.duration > gc.longestMs) Object.assign(gc, { longestMs: entry.duration, longestKind: gcKind(entry) });
    }
  };
  // Observed from the first reset on. Entries reach the callback a turn later: reset and slices take the ones still pending first.
  let gcObserver: PerformanceObserver | undefined;
  const slices = () => {
    if (gcObserver) count(gcObserver.takeRecords());
    return (
      `longest turn of the sliced work ${sliceTrace.longestTurnMs.toFixed(0)} ms, longest step ${sliceTrace.longestStepMs.toFixed(0)} ms (work started at ${sliceTrace.longestStepOf ?? 'none'}); ` +
      `longest GC pause ${gc.longestMs.toFixed(0)} ms (${gc.longestKind || 'none'}), ${gc.totalMs.toFixed(0)} ms in ${gc.pauses} pauses`
    );
  };
  const reset = () => {
    monitor().reset();
    if (!gcObserver) (gcObserver = new PerformanceObserver((list) => count(list.getEntries()))).observe({ entryTypes: ['gc'] });
    gcObserver.takeRecords();
    Object.assign(gc, { longestMs: 0, longestKind: '', totalMs: 0, pauses: 0 });
    Object.assign(sliceTrace, { longestTurnMs: 0, longestStepMs: 0, longestStepOf: undefined });
    if (!folder) return;
    stopProfile();
    described = undefined;
    session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
  };
  const maxMs = () => {
    stopProfile();
    return monitor().max / 1e6;
  };
  return {
    api: { azureTesting: new AzureTesting(), hostStall: { maxMs, reset, longest: () => described, slices } },
    dispose: () => {
      stopProfile();
      gcObserver?.disconnect();
      delete (globalThis as Record<symbol, unknown>)[Symbol.for('wi-migrate.sliceTrace')];
      stall?.disable();
    },
  };
}
