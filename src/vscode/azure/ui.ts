import type { FileEdit } from '../../core/edits';

/**
 * Everything a flow asks of the user or shows them. The flows are written against this, so the
 * same flow runs with VS Code's pickers (ui-vscode.ts) and with scripted answers (scriptedUi.ts)
 * in the unit and host tests.
 */
export interface Ui {
  /** One item; the list may still be loading (the picker is busy meanwhile). Throws CancelledError when dismissed, FlowError(emptyMessage) when the list is empty. */
  pick<T>(items: Items<T>, options: PickOptions): Promise<T>;
  /** Several items (preselected ones have `picked`). Throws like `pick`. */
  pickMany<T>(items: Items<T>, options: PickOptions): Promise<T[]>;
  /** A line of text. Throws CancelledError when dismissed. */
  input(options: InputOptions): Promise<string>;
  /** A question with buttons; undefined when dismissed. */
  ask(message: string, actions: string[], options?: AskOptions): Promise<string | undefined>;
  /** A notification without choices. */
  notify(level: NoticeLevel, message: string): void;
  /** Runs a cancellable task with a progress notification; the task's signal aborts on cancel. */
  progress<T>(title: string, task: (progress: Progress) => Promise<T>): Promise<T>;
  /** Puts text on the clipboard. */
  copy(text: string): Promise<void>;
  /** Applies edits (offsets into the files' current text) as one workspace edit. */
  applyEdits(edits: FileEdit[], label: string): Promise<boolean>;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
  /** Preselected (pickMany). */
  picked?: boolean;
}

/** Items now, or a loader that gets a signal aborted when the picker is dismissed early. */
export type Items<T> = PickItem<T>[] | ((signal: AbortSignal) => Promise<PickItem<T>[]>);

export interface PickOptions {
  title: string;
  placeholder?: string;
  /** What the picker says when the list is empty (and the flow's error then). */
  emptyMessage: string;
}

export interface InputOptions {
  title: string;
  prompt: string;
  value?: string;
  /** An error message for an invalid value, undefined when valid. */
  validate?: (value: string) => string | undefined;
}

export interface AskOptions {
  modal?: boolean;
  detail?: string;
  level?: 'info' | 'warning';
}

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Progress {
  report(message: string): void;
  /** Aborted when the user cancels. */
  readonly signal: AbortSignal;
}

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

/** What the real UI reports as it shows things: host tests wait for these, then drive the workbench. */
export interface UiReports {
  pickShown(pick: PickShown): void;
  progressShown(progress: ProgressShown): void;
}
