import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { brightrun, EXTENSION_ID } from './support/host.ts';

describe('activation', () => {
  it('activates and registers every contributed command', async () => {
    const api = await brightrun();
    assert.ok(api.services, 'activate() returns the services');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.isActive, true);
    const manifest = extension?.packageJSON as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 20, `commands contributed: ${contributed.length}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'every contributed command has a handler');
  });

  it('puts every command in the BrightRun category', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    const manifest = extension?.packageJSON as {
      contributes: { commands: { command: string; category?: string }[] };
    };
    const outside = manifest.contributes.commands.filter((c) => c.category !== 'BrightRun');
    assert.deepEqual(outside, []);
  });
});
