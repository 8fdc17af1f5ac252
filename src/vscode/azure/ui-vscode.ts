import * as vscode from 'vscode';
import type { FileEdit } from '../../core/edits';
import { toWorkspaceEdit, type TextSource } from '../convert';
import { CancelledError, FlowError } from './result';
import type { AskOptions, InputOptions, Items, NoticeLevel, PickItem, PickOptions, Progress, Ui, UiReports } from './ui';

type QuickItem<T> = vscode.QuickPickItem & { value?: T };

/** The `Ui` of the real editor: QuickPicks (busy while loading), input boxes, notifications. */
export class VsCodeUi implements Ui {
  constructor(
    private readonly texts: TextSource,
    /** Set in host tests only. */
    private readonly testing?: UiReports,
  ) {}

  pick<T>(items: Items<T>, options: PickOptions): Promise<T> {
    return this.quickPick(items, options, false).then((chosen) => chosen[0]);
  }

  pickMany<T>(items: Items<T>, options: PickOptions): Promise<T[]> {
    return this.quickPick(items, options, true);
  }

  private quickPick<T>(items: Items<T>, options: PickOptions, many: boolean): Promise<T[]> {
    const picker = vscode.window.createQuickPick<QuickItem<T>>();
    picker.title = options.title;
    picker.placeholder = options.placeholder;
    picker.canSelectMany = many;
    picker.matchOnDescription = true;
    picker.matchOnDetail = true;
    picker.ignoreFocusOut = true;
    const loading = new AbortController();
    let empty = false;
    return new Promise<T[]>((resolve, reject) => {
      const done = (settle: () => void) => {
        loading.abort();
        settle();
        picker.dispose();
      };
      picker.onDidAccept(() => {
        if (empty) return done(() => reject(new FlowError(options.emptyMessage)));
        // Single-select: VS Code selects the active item on accept.
        const chosen = many ? picker.selectedItems : picker.selectedItems.length ? picker.selectedItems.slice(0, 1) : picker.activeItems.slice(0, 1);
        if (!many && chosen.length === 0) return;
        done(() => resolve(chosen.flatMap((i) => ('value' in i ? [i.value as T] : []))));
      });
      picker.onDidHide(() => done(() => reject(empty ? new FlowError(options.emptyMessage) : new CancelledError())));
      const wasBusy = typeof items === 'function';
      picker.busy = wasBusy;
      picker.show();
      const load = typeof items === 'function' ? items(loading.signal) : Promise.resolve(items);
      load.then(
        (list: PickItem<T>[]) => {
          if (loading.signal.aborted) return;
          picker.busy = false;
          if (list.length === 0) {
            empty = true;
            picker.placeholder = options.emptyMessage;
            picker.items = [{ label: `$(info) ${options.emptyMessage}`, alwaysShow: true }];
            this.testing?.pickShown({ title: options.title, labels: [], picked: [], wasBusy, empty: options.emptyMessage });
            return;
          }
          const quickItems = list.map((i): QuickItem<T> => ({ label: i.label, description: i.description, detail: i.detail, value: i.value, picked: i.picked }));
          if (this.testing) {
            // Reported once the workbench has shown the items (an item made active, or the
            // preselection checked): the picker can then be driven with workbench commands.
            const shown = { title: options.title, labels: list.map((i) => i.label), picked: list.filter((i) => i.picked).map((i) => i.label), wasBusy };
            const report = () => {
              active.dispose();
              selection.dispose();
              this.testing?.pickShown(shown);
            };
            const active = picker.onDidChangeActive((items) => items.length > 0 && report());
            const selection = picker.onDidChangeSelection(() => many && report());
          }
          picker.items = quickItems;
          if (many) picker.selectedItems = quickItems.filter((i) => i.picked);
        },
        (error: unknown) => done(() => reject(error)),
      );
    });
  }

  async input(options: InputOptions): Promise<string> {
    const value = await vscode.window.showInputBox({
      title: options.title,
      prompt: options.prompt,
      value: options.value,
      ignoreFocusOut: true,
      validateInput: options.validate,
    });
    if (value === undefined) throw new CancelledError();
    return value;
  }

  async ask(message: string, actions: string[], options: AskOptions = {}): Promise<string | undefined> {
    const show = options.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(message, { modal: options.modal ?? false, detail: options.detail }, ...actions);
  }

  notify(level: NoticeLevel, message: string): void {
    const show = { info: vscode.window.showInformationMessage, warning: vscode.window.showWarningMessage, error: vscode.window.showErrorMessage }[level];
    void show(message);
  }

  progress<T>(title: string, task: (progress: Progress) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        this.testing?.progressShown({ title });
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return task({ signal: controller.signal, report: (message) => progress.report({ message }) });
      }),
    );
  }

  async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  async applyEdits(edits: FileEdit[]): Promise<boolean> {
    return applyFileEdits(edits, this.texts);
  }
}

/** Offsets become a WorkspaceEdit through the extension's one conversion (convert.ts). */
export async function applyFileEdits(edits: FileEdit[], texts: TextSource): Promise<boolean> {
  const edit = toWorkspaceEdit(edits, undefined, texts);
  return edit ? vscode.workspace.applyEdit(edit) : false;
}
