// Shared by the integration tests: find workspace files, wait for the extension's events (never
// for time), and compute what the core says about the same files for comparison.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as vscode from 'vscode';
import { Project } from '../../../src/core/engine';
import { FILE_KINDS, fileKindOf, isOfKind, searchGlobs } from '../../../src/core/fileKinds';
import type { MigrationReport } from '../../../src/core/report';
import type { ExtensionApi } from '../../../src/vscode/extension';
import type { MigrationView } from '../../../src/vscode/migrationView';
import type { TestApi } from '../../../src/vscode/testHooks';

export const EXTENSION_ID = 'wi-migrate.aks-workload-identity-migrator';
const TIMEOUT_MS = 20_000;

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** The extension's API with the test hooks the harness has it load (WI_TEST_HOOKS, runTests.ts). */
export type HostApi = ExtensionApi & TestApi;

export async function extensionApi(): Promise<HostApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(extension, 'extension installed');
  const api = await extension.activate();
  await api.ready();
  const { azureTesting, hostStall } = api;
  assert.ok(azureTesting && hostStall, `the test hooks are loaded from ${process.env.WI_TEST_HOOKS}`);
  return { ...api, azureTesting, hostStall };
}

/** Resolves with the URI's diagnostics once `accept` holds for them (checked on every change). */
export function waitForDiagnostics(uri: vscode.Uri, accept: (d: vscode.Diagnostic[]) => boolean, what = 'diagnostics'): Promise<vscode.Diagnostic[]> {
  const ours = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'wi-migrate');
  const now = ours();
  if (accept(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what} on ${uri.path}; have: ${ours().map((d) => `${d.range.start.line + 1}:${codeOf(d)}`).join(', ')}`));
    }, TIMEOUT_MS);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const current = ours();
      if (accept(current)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(current);
      }
    });
  });
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** Resolves when the document's text satisfies `accept` (after an edit, a save, a fix). */
export function waitForText(document: vscode.TextDocument, accept: (text: string) => boolean): Promise<string> {
  if (accept(document.getText())) return Promise.resolve(document.getText());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for the text of ${document.uri.path}:\n${document.getText()}`));
    }, TIMEOUT_MS);
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() !== document.uri.toString() || !accept(e.document.getText())) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.document.getText());
    });
  });
}

/** A core Project over every manifest of the workspace, as read from disk now. */
export async function coreProject(): Promise<Project> {
  const project = new Project();
  // Every file kind of the registry, as the extension's index reads them (scripts, templates, manifests…).
  const found = new Map<string, vscode.Uri>();
  for (const glob of searchGlobs(FILE_KINDS)) for (const uri of await vscode.workspace.findFiles(glob, '**/node_modules/**')) found.set(uri.toString(), uri);
  for (const uri of found.values()) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    // A JSON file is ours only when it is an ARM template, as in the extension.
    const kind = fileKindOf(uri.path);
    if (kind && !isOfKind(kind, text)) continue;
    project.set(uri.toString(), text);
  }
  return project;
}

/** The code actions VS Code gets for a range; the first `resolve` of them resolved (as when picked). */
export async function quickFixes(document: vscode.TextDocument, range: vscode.Range, kind?: vscode.CodeActionKind, resolve = 0): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, range, kind?.value, resolve)) ?? [];
}

export async function setSetting(section: string, value: unknown, language?: string): Promise<void> {
  const config = vscode.workspace.getConfiguration(undefined, language ? { languageId: language } : undefined);
  await config.update(section, value, vscode.ConfigurationTarget.Workspace, language !== undefined);
}

/** Calls the test ARM server's admin routes (test/arm/admin.ts) over HTTPS, trusting its CA (WI_ARM_URL, WI_ARM_CA). */
export function armAdmin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, process.env.WI_ARM_URL), { method, ca: readFileSync(process.env.WI_ARM_CA!, 'utf8'), headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
        else resolve((text ? JSON.parse(text) : undefined) as T);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Resolves with the migration view's model once `accept` holds for it (checked on every new model). */
export function waitForViewModel(view: MigrationView, accept: (r: MigrationReport) => boolean, what: string, timeout = 30_000): Promise<MigrationReport> {
  const now = view.current;
  if (now && accept(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      const last = view.current;
      const keys = last?.identities.flatMap((i) => i.groups.flatMap((g) => g.workloads.map((w) => `${w.key}=${w.state}`)));
      reject(new Error(`timed out waiting for the migration view: ${what}; it shows ${JSON.stringify(last?.counts)} ${keys?.join(', ')}`));
    }, timeout);
    const sub = view.onDidRefresh((r) => {
      if (!accept(r)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(r);
    });
  });
}

/** The state of the workload `key` in a migration report. */
export function workloadStateOf(report: MigrationReport, key: string): string | undefined {
  return report.identities.flatMap((i) => i.groups.flatMap((g) => g.workloads)).find((w) => w.key === key)?.state;
}
