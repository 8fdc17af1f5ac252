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
export class AzureTesting {
  private pending: ScriptedInput | undefined;
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
