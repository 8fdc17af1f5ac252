// Highlighting through the real semantic tokens API: pod identity usages and workload identity
// keys are coloured where the checks read them (Kubernetes objects of the kinds each rule
// checks), exactly as the core finds them, and nowhere else: a GitHub workflow or a Compose file
// that mentions aadpodidbinding gets no colour, as it gets no diagnostic.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { HIGHLIGHT_KINDS, highlightsOf } from '../../../src/core/highlights';
import { parseManifestFile } from '../../../src/core/model';
import type { ExtensionApi } from '../../../src/vscode/extension';
import { EXTENSION_ID, extensionApi, setSetting, workspaceUri } from './helpers';

const TIMEOUT_MS = 20_000;

/**
 * The document's semantic tokens as `kind line:character text`, in order. The extension's provider
 * must answer unless `optional` (a language it is not registered for: then no provider may colour).
 */
async function tokensOf(document: vscode.TextDocument, optional = false): Promise<string[]> {
  const uri = document.uri;
  const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend | undefined>('vscode.provideDocumentSemanticTokensLegend', uri);
  const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens | undefined>('vscode.provideDocumentSemanticTokens', uri);
  if (optional && !legend && !tokens) return [];
  assert.ok(legend, `a semantic tokens provider answers for ${uri.path}`);
  assert.deepEqual(legend.tokenTypes, [...HIGHLIGHT_KINDS]);
  assert.ok(tokens, `semantic tokens for ${uri.path}`);
  const out: string[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [deltaLine, deltaStart, length, type] = tokens.data.slice(i, i + 4);
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    const text = document.getText(new vscode.Range(line, character, line, character + length));
    out.push(`${legend.tokenTypes[type]} ${line}:${character} ${text}`);
  }
  return out;
}

/** What the core says should be coloured in the document's current text, in the same form. */
function coreTokens(document: vscode.TextDocument): string[] {
  const text = document.getText();
  return highlightsOf(parseManifestFile(document.uri.toString(), text)).map((h) => {
    const p = document.positionAt(h.start);
    return `${h.kind} ${p.line}:${p.character} ${text.slice(h.start, h.end)}`;
  });
}

/** Opens a workspace file and resolves once the extension has checked it (its diagnostics are set). */
async function openChecked(api: ExtensionApi, uri: vscode.Uri): Promise<vscode.TextDocument> {
  const alreadyOpen = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (alreadyOpen) return alreadyOpen;
  let sub: vscode.Disposable | undefined;
  let timer: NodeJS.Timeout | undefined;
  const checked = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for the check of ${uri.path}`)), TIMEOUT_MS);
    sub = api.onDidCheck((u) => {
      if (u.toString() === uri.toString()) resolve();
    });
  });
  try {
    const document = await vscode.workspace.openTextDocument(uri);
    await checked;
    return document;
  } finally {
    clearTimeout(timer);
    sub?.dispose();
  }
}

/** The extension's grammars injected into YAML or Helm (a TextMate injection sees no file, no object). */
function yamlInjections(): string[] {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension);
  const grammars = ((extension.packageJSON as { contributes?: { grammars?: unknown } }).contributes?.grammars ?? []) as Array<{ scopeName: string; injectTo?: string[] }>;
  return grammars.filter((g) => g.injectTo?.some((s) => s === 'source.yaml' || s === 'source.helm')).map((g) => g.scopeName);
}

describe('highlighting', () => {
  let api: ExtensionApi;
  before(async () => {
    api = await extensionApi();
  });

  it('colours the examples where the core finds pod identity usages and workload identity keys', async () => {
    const uris = (await vscode.workspace.findFiles('examples/**/*.{yaml,yml,tpl}')).sort((a, b) => a.path.localeCompare(b.path));
    assert.ok(uris.length >= 10, `example files found: ${uris.length}`);
    const seen = new Set<string>();
    for (const uri of uris) {
      const document = await vscode.workspace.openTextDocument(uri);
      const tokens = await tokensOf(document);
      assert.deepEqual(tokens, coreTokens(document), uri.path);
      for (const t of tokens) seen.add(t.split(' ')[0]);
    }
    // The pod template's aadpodidbinding label key of orders-api, as a user sees it.
    const deployment = await vscode.workspace.openTextDocument(workspaceUri('examples', 'manifests', 'orders', 'deployment.yaml'));
    const labelLine = deployment.getText().split(/\r?\n/).findIndex((l) => /^\s+aadpodidbinding: /.test(l));
    assert.ok(labelLine >= 0, 'orders/deployment.yaml still has its aadpodidbinding label');
    const column = deployment.lineAt(labelLine).firstNonWhitespaceCharacterIndex;
    assert.ok((await tokensOf(deployment)).includes(`podIdentityLabel ${labelLine}:${column} aadpodidbinding`), 'the label key is coloured');
    assert.deepEqual([...seen].sort(), HIGHLIGHT_KINDS.filter((k) => k !== 'podIdentityAnnotation').sort(), 'every kind but the annotation shows up in the examples');
  });

  it('colours every kind in an untitled manifest', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: [
        'apiVersion: aadpodidentity.k8s.io/v1',
        'kind: AzureIdentity',
        'metadata:',
        '  name: highlight-identity',
        '  annotations:',
        '    aadpodidentity.k8s.io/Behavior: namespaced',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  labels:',
        '    aadpodidbinding: highlight-identity',
        '    azure.workload.identity/use: "true"',
        '---',
        'apiVersion: secrets-store.csi.x-k8s.io/v1',
        'kind: SecretProviderClass',
        'spec:',
        '  provider: azure',
        '  parameters:',
        '    usePodIdentity: "true"',
        '---',
        'apiVersion: keda.sh/v1alpha1',
        'kind: TriggerAuthentication',
        'spec:',
        '  podIdentity:',
        '    provider: azure',
        '',
      ].join('\n'),
    });
    assert.deepEqual(await tokensOf(document), [
      'podIdentityApiVersion 0:12 aadpodidentity.k8s.io/v1',
      'podIdentityKind 1:6 AzureIdentity',
      'podIdentityAnnotation 5:4 aadpodidentity.k8s.io/Behavior',
      'podIdentityLabel 11:4 aadpodidbinding',
      'workloadIdentityKey 12:4 azure.workload.identity/use',
      'podIdentityCsi 19:4 usePodIdentity',
      'podIdentityCsi 19:21 true',
      'podIdentityKedaProvider 25:14 azure',
    ]);
  });

  it('colours nothing in a file over the size limit, like the checks, and colours it again when the limit is raised', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceUri('examples', 'manifests', 'orders', 'deployment.yaml'));
    const before = await tokensOf(document);
    assert.ok(before.length > 0 && document.getText().length > 1024);
    // A settings change re-checks the open documents: the check after it says the new limit is in force.
    const setLimit = async (kb: number | undefined) => {
      const checked = new Promise<void>((resolve) => {
        const sub = api.onDidCheck((u) => {
          if (u.toString() !== document.uri.toString()) return;
          sub.dispose();
          resolve();
        });
      });
      await setSetting('wiMigrate.maxFileSizeKB', kb);
      await checked;
    };
    await setLimit(1);
    try {
      assert.deepEqual(await tokensOf(document), []);
    } finally {
      await setLimit(undefined);
    }
    assert.deepEqual(await tokensOf(document), before);
  });

  it('colours nothing and reports nothing in a GitHub workflow that mentions aadpodidbinding', async () => {
    const uri = workspaceUri('.github', 'workflows', 'deploy.yml');
    const document = await openChecked(api, uri);
    assert.equal(document.languageId, 'yaml');
    assert.match(document.getText(), /^\s+aadpodidbinding: /m);
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'wi-migrate'), []);
    // The provider answers for the workflow (a YAML document like any other) and finds nothing.
    assert.deepEqual(await tokensOf(document), []);
  });

  it('colours nothing and reports nothing in a Compose file that labels a container aadpodidbinding', async () => {
    const uri = workspaceUri('compose.yaml');
    // VS Code gives compose.yaml a language of its own (dockercompose) over the YAML grammar: the
    // checks do not read it, so it is not checked at all; as YAML it would be checked.
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId === 'yaml') await openChecked(api, uri);
    assert.match(document.getText(), /^\s+aadpodidbinding: /m);
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'wi-migrate'), []);
    assert.deepEqual(await tokensOf(document, document.languageId !== 'yaml'), [], `no semantic tokens in ${uri.path} (${document.languageId})`);
    // The compose language is coloured by the YAML grammar: nothing of this extension may be injected into it.
    assert.deepEqual(yamlInjections(), []);
  });

  it('contributes no TextMate grammar to YAML or Helm, which would colour every file', () => {
    assert.deepEqual(yamlInjections(), []);
  });
});
