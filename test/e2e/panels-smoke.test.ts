// Every panel's built bundle in Chromium behind the extension's CSP, in the dark, light and
// high-contrast themes, driven with the messages the extension sends (webview/smoke/): any
// console error or CSP violation fails it, and it checks what each panel shows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('webview panels in Chromium (smoke)', function () {
  it('load, render and answer their messages in every theme without a console error or CSP violation', function () {
    this.timeout(180_000);
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'webview/smoke/load-panels.ts'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
        timeout: 170_000,
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, output);
    for (const panel of ['configure', 'monitor', 'model', 'cost']) {
      for (const theme of ['vscode-light', 'vscode-dark', 'vscode-high-contrast']) {
        assert.ok(output.includes(`ok: ${panel} (${theme})`), `${panel} in ${theme}:\n${output}`);
      }
    }
  });
});
