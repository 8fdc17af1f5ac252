import type { FileEdit } from '../../core/edits';
import { CancelledError, FlowError } from './result';
import type { AskOptions, InputOptions, Items, NoticeLevel, PickItem, PickOptions, Progress, Ui } from './ui';

/**
 * One scripted answer, consumed in order by the next prompt. `expect` (a substring of the
 * prompt's title or message) makes a test fail clearly when the flow asks something else.
 */
export type ScriptedAnswer =
  | { pick: string; expect?: string }
  | { pickMany: string[]; expect?: string }
  /** `null` accepts the value the flow offered. */
  | { input: string | null; expect?: string }
  /** `null` dismisses the question. */
  | { choose: string | null; expect?: string }
  /** Dismisses a picker or input box (Escape). */
  | { escape: true; expect?: string };

/** When the scripted user presses Cancel on a progress notification. */
export interface CancelTrigger {
  /** As soon as a progress with a matching title starts, before its task runs. */
  progress?: string;
  /** When the task reports a matching message. */
  report?: string;
}

export interface ScriptedInput {
  answers: ScriptedAnswer[];
  cancel?: CancelTrigger;
}

export interface TranscriptEntry {
  kind: 'pick' | 'pickMany' | 'input' | 'ask' | 'notify' | 'progress' | 'report' | 'copy' | 'edit' | 'cancel';
  /** Title, message or text. */
  text: string;
  /** Labels offered (pickers, buttons), in order. */
  offered?: string[];
  /** The value offered in an input box, or a notification's level. */
  value?: string;
  /** What the script answered. */
  answer?: string;
}

/** What a scripted run does for real instead of recording: applying edits, the clipboard (host tests). */
export interface ScriptedEffects {
  applyEdits?(edits: FileEdit[], label: string): Promise<boolean>;
  copy?(text: string): Promise<void>;
  /**
   * The errors the flows running this UI recognise, when they come from another bundle than this
   * module (the host tests' hooks, dist/test-hooks.js, drive the flows of dist/azure.js).
   */
  errors?: { FlowError: typeof FlowError; CancelledError: typeof CancelledError };
}

/** A `Ui` that answers from a script and records everything it was asked and shown. */
export class ScriptedUi implements Ui {
  readonly transcript: TranscriptEntry[] = [];
  readonly edits: FileEdit[][] = [];
  readonly copied: string[] = [];
  private readonly answers: ScriptedAnswer[];

  constructor(input: ScriptedInput | ScriptedAnswer[], private readonly effects: ScriptedEffects = {}) {
    const script = Array.isArray(input) ? { answers: input } : input;
    this.answers = [...script.answers];
    this.cancelTrigger = script.cancel;
  }

  private readonly cancelTrigger: CancelTrigger | undefined;
  private active: AbortController | undefined;

  /** Presses Cancel on the progress running now (for a test that picks the moment itself). */
  cancelProgress(why = 'cancelled by the test'): void {
    if (!this.active || this.active.signal.aborted) return;
    this.transcript.push({ kind: 'cancel', text: why });
    this.active.abort();
  }

  /** Answers not used by the run (a test usually expects none). */
  get unused(): ScriptedAnswer[] {
    return [...this.answers];
  }

  /** Notifications shown, as `level: message`. */
  get notices(): string[] {
    return this.transcript.filter((e) => e.kind === 'notify').map((e) => `${e.value}: ${e.text}`);
  }

  private next(kind: string, text: string): ScriptedAnswer {
    const answer = this.answers.shift();
    if (!answer) throw this.error(`scripted UI: no answer left for ${kind} "${text}"`);
    if (answer.expect !== undefined && !text.includes(answer.expect)) {
      throw this.error(`scripted UI: expected a prompt containing "${answer.expect}", got ${kind} "${text}"`);
    }
    return answer;
  }

  async pick<T>(items: Items<T>, options: PickOptions): Promise<T> {
    const list = await this.load(items, options, 'pick');
    const answer = this.next('pick', options.title);
    if ('escape' in answer) return this.dismiss('pick', options.title);
    if (!('pick' in answer)) throw this.error(`scripted UI: picker "${options.title}" got ${JSON.stringify(answer)}`);
    const item = this.find(list, answer.pick, options.title);
    this.last().answer = item.label;
    return item.value;
  }

  async pickMany<T>(items: Items<T>, options: PickOptions): Promise<T[]> {
    const list = await this.load(items, options, 'pickMany');
    this.last().value = list.filter((i) => i.picked).map((i) => i.label).join(', ');
    const answer = this.next('pickMany', options.title);
    if ('escape' in answer) return this.dismiss('pickMany', options.title);
    if (!('pickMany' in answer)) throw this.error(`scripted UI: picker "${options.title}" got ${JSON.stringify(answer)}`);
    const chosen = answer.pickMany.map((label) => this.find(list, label, options.title));
    this.last().answer = chosen.map((i) => i.label).join(', ');
    return chosen.map((i) => i.value);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a scripted answer is there at once; async keeps a throw a rejection, as the real UI's
  async input(options: InputOptions): Promise<string> {
    this.transcript.push({ kind: 'input', text: options.title, value: options.value });
    const answer = this.next('input', `${options.title}: ${options.prompt}`);
    if ('escape' in answer) return this.dismiss('input', options.title);
    if (!('input' in answer)) throw this.error(`scripted UI: input "${options.title}" got ${JSON.stringify(answer)}`);
    const value = answer.input ?? options.value ?? '';
    const invalid = options.validate?.(value);
    if (invalid) throw this.error(`scripted UI: input "${value}" for "${options.title}" is invalid: ${invalid}`);
    this.last().answer = value;
    return value;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as for input
  async ask(message: string, actions: string[], options: AskOptions = {}): Promise<string | undefined> {
    this.transcript.push({ kind: 'ask', text: options.detail ? `${message}\n${options.detail}` : message, offered: actions });
    const answer = this.next('question', message);
    if ('escape' in answer) return undefined;
    if (!('choose' in answer)) throw this.error(`scripted UI: question "${message}" got ${JSON.stringify(answer)}`);
    if (answer.choose === null) return undefined;
    if (!actions.includes(answer.choose)) throw this.error(`scripted UI: "${answer.choose}" is not one of ${actions.join(', ')} for "${message}"`);
    this.last().answer = answer.choose;
    return answer.choose;
  }

  notify(level: NoticeLevel, message: string): void {
    this.transcript.push({ kind: 'notify', text: message, value: level });
  }

  async progress<T>(title: string, task: (progress: Progress) => Promise<T>): Promise<T> {
    this.transcript.push({ kind: 'progress', text: title });
    const controller = new AbortController();
    this.active = controller;
    const cancel = (why: string) => {
      if (controller.signal.aborted) return;
      this.transcript.push({ kind: 'cancel', text: why });
      controller.abort();
    };
    if (this.cancelTrigger?.progress !== undefined && title.includes(this.cancelTrigger.progress)) cancel(title);
    try {
      return await task({
        signal: controller.signal,
        report: (message) => {
          this.transcript.push({ kind: 'report', text: message });
          if (this.cancelTrigger?.report !== undefined && message.includes(this.cancelTrigger.report)) cancel(message);
        },
      });
    } finally {
      if (this.active === controller) this.active = undefined;
    }
  }

  async copy(text: string): Promise<void> {
    this.transcript.push({ kind: 'copy', text });
    this.copied.push(text);
    await this.effects.copy?.(text);
  }

  async applyEdits(edits: FileEdit[], label: string): Promise<boolean> {
    this.transcript.push({ kind: 'edit', text: label });
    this.edits.push(edits);
    return this.effects.applyEdits ? this.effects.applyEdits(edits, label) : true;
  }

  private async load<T>(items: Items<T>, options: PickOptions, kind: 'pick' | 'pickMany'): Promise<PickItem<T>[]> {
    const list = typeof items === 'function' ? await items(new AbortController().signal) : items;
    this.transcript.push({ kind, text: options.title, offered: list.map((i) => i.label) });
    if (list.length === 0) throw this.error(options.emptyMessage);
    return list;
  }

  private dismiss(kind: string, title: string): never {
    this.last().answer = '(dismissed)';
    throw new (this.effects.errors?.CancelledError ?? CancelledError)(`Cancelled at ${kind} "${title}".`);
  }

  private last(): TranscriptEntry {
    return this.transcript[this.transcript.length - 1];
  }

  private error(message: string): FlowError {
    return new (this.effects.errors?.FlowError ?? FlowError)(message);
  }

  /** The item a scripted label names: the exact label, else the only label that starts with it. */
  private find<T>(list: PickItem<T>[], label: string, title: string): PickItem<T> {
    const exact = list.find((i) => i.label === label);
    if (exact) return exact;
    const prefixed = list.filter((i) => i.label.startsWith(label));
    if (prefixed.length === 1) return prefixed[0];
    throw this.error(`scripted UI: "${label}" is not one of the items of "${title}": ${list.map((i) => i.label).join(' | ')}`);
  }
}
