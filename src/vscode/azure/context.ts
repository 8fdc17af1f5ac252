import type { WorkspaceIndex } from '../../core/workspace';
import type { SignIn } from './auth';
import type { Transport } from './clients';
import type { Log } from './result';
import type { AzureSettings } from './settings';
import type { Ui } from './ui';

/** The workspace as the flows see it: the index, current texts, where the cursor is. */
interface WorkspaceView {
  index: () => WorkspaceIndex;
  /** Current text of a file by its key (URI string): the open document first. */
  text: (path: string) => string | undefined;
  /** The active editor's file and cursor offset, if any. */
  cursor?: { file: string; offset: number };
}

/** Everything a command's flow needs; the VS Code entry and the tests each build one. */
export interface FlowContext {
  ui: Ui;
  log: Log;
  settings: AzureSettings;
  signIn: SignIn;
  workspace: WorkspaceView;
  transport?: Transport;
}
