// Runs first (the file name sorts first): activation must not load the Azure bundle or SDKs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('activates on a YAML workspace without loading the Azure SDKs', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
    assert.equal(extension.isActive, true);
    const loaded = Object.keys(require.cache);
    assert.ok(loaded.some((p) => p.endsWith('/dist/extension.js')), 'the main bundle is loaded');
    assert.deepEqual(loaded.filter((p) => p.endsWith('/dist/azure.js') || p.includes('@azure/')), []);
    const events = (extension.packageJSON as { activationEvents: string[] }).activationEvents;
    assert.ok(events.includes('onLanguage:yaml') && events.includes('onLanguage:helm'));
  });
});
