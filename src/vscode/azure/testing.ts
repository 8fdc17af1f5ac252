// Test hooks of the Azure commands, in the test-only bundle dist/test-hooks.js (never in
// dist/extension.js or dist/azure.js): the extension hands them to the Azure commands only when a
// host test run names that bundle.
import type { AzureTestHooks } from './index';
import { ScriptedUi, type ScriptedEffects, type ScriptedInput, type TranscriptEntry } from './scriptedUi';
import type { PickShown, ProgressShown } from './ui';

/** What a scripted run recorded: for host tests to assert on. */
export interface ScriptedRun {
  command: string;
  transcript: TranscriptEntry[];
  /** Output channel lines of the run. */
  log: string[];
  /** Answers the run did not use. */
  unused: unknown[];
}

/**
 * Microsoft's Azure extensions drive their pickers in tests by swapping in a test user-input
 * implementation; this does the same: the next Azure command answers from the script. Without a
 * script, the real UI runs and reports its pickers and progress notifications here.
 */
export class AzureTesting implements AzureTestHooks {
  private pending: ScriptedInput | undefined;
  private readonly pickListeners = new Set<(pick: PickShown) => void>();
  private readonly progressListeners = new Set<(progress: ProgressShown) => void>();

  /** Called with each progress notification of the real UI. */
  onProgressShown(listener: (progress: ProgressShown) => void): { dispose(): void } {
    this.progressListeners.add(listener);
    return { dispose: () => this.progressListeners.delete(listener) };
  }

  /** The real UI reports a progress notification. */
  progressShown(progress: ProgressShown): void {
    for (const listener of this.progressListeners) listener(progress);
  }

  /** Called with each real QuickPick once its items are in (tests then drive it with workbench commands). */
  onPickShown(listener: (pick: PickShown) => void): { dispose(): void } {
    this.pickListeners.add(listener);
    return { dispose: () => this.pickListeners.delete(listener) };
  }

  /** The real UI reports a loaded QuickPick. */
  pickShown(pick: PickShown): void {
    for (const listener of this.pickListeners) listener(pick);
  }
  /** The last scripted run, once it has finished. */
  lastRun: ScriptedRun | undefined;

  setUserInput(input: ScriptedInput): void {
    this.pending = input;
    this.lastRun = undefined;
  }

  /** Taken by the next command run (once). */
  takeUserInput(): ScriptedInput | undefined {
    const input = this.pending;
    this.pending = undefined;
    return input;
  }

  /** A command run: the script set for it, if any, answers instead of the user. */
  scriptedRun(command: string, effects: Required<ScriptedEffects>): { ui: ScriptedUi; finished(log: string[]): void } | undefined {
    const script = this.takeUserInput();
    if (!script) return undefined;
    const ui = new ScriptedUi(script, effects);
    return { ui, finished: (log) => (this.lastRun = { command, transcript: ui.transcript, log, unused: ui.unused }) };
  }
}
