// Test hooks of the Azure commands, exposed on the extension's API. Kept free of runtime imports:
// the main bundle includes this file, and it must not pull in any Azure SDK.
import type { ScriptedInput, TranscriptEntry } from './scriptedUi';

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
 * implementation; this does the same: the next Azure command answers from the script.
 */
/** A QuickPick of the real UI whose items have loaded. */
export interface PickShown {
  title: string;
  labels: string[];
  /** Labels preselected (multi-select). */
  picked: string[];
  /** True when the picker showed its busy state while the items loaded. */
  wasBusy: boolean;
  /** The message shown when the list came back empty. */
  empty?: string;
}

/** A progress notification of the real UI, once VS Code runs its task. */
export interface ProgressShown {
  title: string;
}

export class AzureTesting {
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
}
