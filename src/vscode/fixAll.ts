import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { Options } from '../core/rule';
import type { WorkspaceIndex } from '../core/workspace';
import type { FixAllRequest, FixAllResponse } from './fixAllWorker';

/**
 * Runs core `fixFileText` in a worker thread (dist/fixAllWorker.js) against a copy of the
 * workspace index, kept current by sending the files that changed. The output is the core's,
 * computed off the extension host's thread; a cancelled request ends the worker (its work is for
 * an outdated version) and the next one starts a fresh worker.
 */
export class FixAllWorker implements vscode.Disposable {
  private worker: Worker | undefined;
  /** Text of each file as the worker's index holds it. */
  private sent = new Map<string, string>();
  private namespace: string | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (response: FixAllResponse | undefined) => void>();

  /** The file's text after fix-all; undefined when cancelled or failed. */
  async fixFileText(index: WorkspaceIndex, file: string, text: string, options: Options, token: vscode.CancellationToken): Promise<string | undefined> {
    if (this.namespace !== options.defaultNamespace) this.stop();
    this.namespace = options.defaultNamespace;
    const worker = this.start();
    const changes: FixAllRequest['changes'] = [];
    const paths = new Set(index.paths);
    for (const p of paths) {
      const current = index.textOf(p);
      if (current !== undefined && this.sent.get(p) !== current) {
        changes.push([p, current]);
        this.sent.set(p, current);
      }
    }
    for (const p of [...this.sent.keys()]) {
      if (!paths.has(p)) {
        changes.push([p, null]);
        this.sent.delete(p);
      }
    }
    const id = this.nextId++;
    const response = new Promise<FixAllResponse | undefined>((resolve) => this.waiting.set(id, resolve));
    const cancel = token.onCancellationRequested(() => this.stop());
    worker.postMessage({ id, options, changes, path: file, text } satisfies FixAllRequest);
    try {
      const r = await response;
      return r?.text;
    } finally {
      cancel.dispose();
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(__dirname, 'fixAllWorker.js'));
    worker.on('message', (r: FixAllResponse) => {
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
    worker.on('error', () => this.stop());
    worker.on('exit', () => {
      if (this.worker === worker) this.stop();
    });
    this.worker = worker;
    return worker;
  }

  /** Ends the worker and every request waiting for it (they resolve with nothing). */
  private stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.sent = new Map();
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
    void worker?.terminate();
  }

  dispose(): void {
    this.stop();
  }
}
