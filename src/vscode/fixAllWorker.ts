// The worker thread behind "Fix all … in this file": core `fixFileText` over a copy of the
// workspace index, so that fixing a big file (seconds) never blocks the extension host.
// The host sends only the files that changed since its last request.
import { parentPort } from 'node:worker_threads';
import { fixFileText } from '../core/engine';
import { parseManifestFile } from '../core/model';
import type { Options } from '../core/rule';
import { WorkspaceIndex } from '../core/workspace';

export interface FixAllRequest {
  id: number;
  options: Options;
  /** Files whose text changed since the last request; null: the file left the index. */
  changes: Array<[path: string, text: string | null]>;
  path: string;
  text: string;
}

export interface FixAllResponse {
  id: number;
  text?: string;
  error?: string;
}

let index: WorkspaceIndex | undefined;

parentPort?.on('message', (request: FixAllRequest) => {
  try {
    index ??= new WorkspaceIndex(request.options.defaultNamespace);
    for (const [path, text] of request.changes) {
      if (text === null) index.remove(path);
      else index.update(parseManifestFile(path, text, index.heldFile(path)));
    }
    const text = fixFileText(index, request.path, request.text, request.options);
    parentPort!.postMessage({ id: request.id, text } satisfies FixAllResponse);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies FixAllResponse);
  }
});
