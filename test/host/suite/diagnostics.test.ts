// Every finding the core makes on the example workspace appears as a diagnostic in the real
// editor: same rule, range, severity and message, with its docs link, deprecation tag and
// related locations.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { docsUrl, RULES } from '../../../src/core/rules';
import { LineIndex } from '../../../src/core/text';
import { codeOf, coreProject, extensionApi, waitForDiagnostics, workspaceUri } from './helpers';

/** Reverts and closes the active editor, the untitled `document`'s; resolves once VS Code closed the document. */
async function revertAndClose(document: vscode.TextDocument): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.toString() !== document.uri.toString()) return;
      sub.dispose();
      resolve();
    });
  });
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await closed;
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

describe('diagnostics', () => {
  before(async () => {
    await extensionApi();
  });

  it('match the core on every example file, and cover every rule', async () => {
    const project = await coreProject();
    const examples = project.paths.filter((p) => p.includes('/examples/')).sort();
    assert.ok(examples.length >= 10, `example files found: ${examples.length}`);
    const seen = new Set<string>();
    for (const path of examples) {
      const uri = vscode.Uri.parse(path);
      const expected = project.check(path);
      const document = await vscode.workspace.openTextDocument(uri);
      const lines = new LineIndex(document.getText());
      const want = expected.map((f) => {
        const s = lines.position(f.start);
        const e = lines.position(f.end);
        return `${f.ruleId} ${s.line}:${s.character}-${e.line}:${e.character} ${f.severity} ${f.message}`;
      });
      const name = Object.entries(SEVERITY);
      const got = await waitForDiagnostics(uri, (d) => d.length === expected.length, `${expected.length} diagnostics`);
      const have = got.map((d) => {
        const severity = name.find(([, v]) => v === d.severity)![0];
        return `${codeOf(d)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${severity} ${d.message}`;
      });
      assert.deepEqual(have.sort(), want.sort(), uri.path);
      for (const d of got) {
        const finding = expected.find((f) => f.ruleId === codeOf(d) && f.message === d.message)!;
        seen.add(finding.ruleId);
        assert.equal(typeof d.code === 'object' && d.code.target.toString(), vscode.Uri.parse(docsUrl(finding.ruleId)).toString());
        assert.equal(d.tags?.includes(vscode.DiagnosticTag.Deprecated) ?? false, finding.deprecated === true, `${finding.ruleId} deprecated tag`);
        assert.equal(d.relatedInformation?.length ?? 0, finding.related?.length ?? 0, `${finding.ruleId} related locations`);
        // The location names the file; a message never embeds a raw URI or an absolute path.
        const root = vscode.workspace.workspaceFolders![0].uri;
        for (const r of d.relatedInformation ?? []) {
          assert.doesNotMatch(r.message, /[a-z][\w+.-]*:\/\//i, `${finding.ruleId} related message has a URI: ${r.message}`);
          assert.ok(!r.message.includes(root.path), `${finding.ruleId} related message has an absolute path: ${r.message}`);
        }
        // A finding points at a key or value, never at a whole multi-line document.
        assert.ok(d.range.end.line - d.range.start.line <= 1 || finding.ruleId === 'unparsable-document', `${finding.ruleId} range is narrow`);
      }
    }
    assert.deepEqual([...seen].sort(), RULES.map((r) => r.id).sort(), 'every rule shows up in the editor');
  });

  it('point related information at the binding and identity in other files', async () => {
    const uri = workspaceUri('examples', 'manifests', 'orders', 'cronjob.yaml');
    await vscode.workspace.openTextDocument(uri);
    const [d] = await waitForDiagnostics(uri, (ds) => ds.some((x) => codeOf(x) === 'pod-identity-label'));
    const diag = vscode.languages.getDiagnostics(uri).find((x) => codeOf(x) === 'pod-identity-label') ?? d;
    assert.match(diag.message, /3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/);
    const files = (diag.relatedInformation ?? []).map((r) => r.location.uri.path.split('/').pop());
    assert.ok(files.includes('binding.yaml') && files.includes('azureidentity.yaml'), `related: ${files.join(', ')}`);
  });

  it('are cleared when the document is closed', async () => {
    // An untitled document's model goes as soon as its editor is reverted and closed (a file's
    // model may outlive its editor for minutes), so its close is certain to reach the extension.
    const document = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: 'apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: closing\nspec:\n  podIdentity:\n    provider: azure\n',
    });
    await vscode.window.showTextDocument(document);
    await waitForDiagnostics(document.uri, (d) => d.length > 0, 'a finding on the untitled document');
    await revertAndClose(document);
    await waitForDiagnostics(document.uri, (d) => d.length === 0, 'no diagnostics after close');
  });

  it('of a new untitled document that takes a closed one\'s name are of its own text', async () => {
    // "New File", closed unsaved, then "New File" again: VS Code gives the second document the
    // first one's URI (`untitled:Untitled-1`) and the same version, 1. What is published for that
    // URI and version must be a check of the second document's text, never the first's findings.
    const keda = 'apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: first\nspec:\n  podIdentity:\n    provider: azure\n';
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: second\n  labels:\n    aadpodidbinding: second-binding\nspec:\n  containers:\n    - name: app\n      image: app\n';
    const first = await vscode.workspace.openTextDocument({ language: 'yaml', content: keda });
    await vscode.window.showTextDocument(first);
    await waitForDiagnostics(first.uri, (d) => d.some((x) => codeOf(x) === 'keda-pod-identity-provider'), 'the first untitled document\'s finding');
    await revertAndClose(first);
    const second = await vscode.workspace.openTextDocument({ language: 'yaml', content: pod });
    await vscode.window.showTextDocument(second);
    // Right after a close, VS Code (code-server 4.139) sometimes hands the new document the closed
    // one's text (3 of 13 runs here): the expected finding is that of the text it holds.
    const text = second.getText();
    assert.ok(text === pod || text === keda, `the second document holds one of the two texts: ${JSON.stringify(text)}`);
    const expected = text === pod ? 'pod-identity-label' : 'keda-pod-identity-provider';
    const diagnostics = await waitForDiagnostics(second.uri, (d) => d.some((x) => codeOf(x) === expected), `the finding of the second untitled document's text (${expected})`);
    assert.deepEqual(diagnostics.map(codeOf), [expected], `${second.uri.toString()} shows the findings of its own text only`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
