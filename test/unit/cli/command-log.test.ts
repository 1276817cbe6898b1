// The CLI's run log (`.brightrun/logs/cli.log`): one JSON line per run inside a workspace that
// has `.brightrun/`, nothing elsewhere, and never an error when the log cannot be written.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logCommand, workspaceBrightrunDir } from '../../../server/src/cli/command-log.ts';

describe('cli.log (server/src/cli/command-log.ts)', function () {
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'brightrun-cli-log-'));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one line with command, files, duration and outcome, found from a subfolder', function () {
    mkdirSync(join(dir, '.brightrun'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'a.jsonl'), '{}\n');
    logCommand(['validate', '--no-tokens', 'a.jsonl', 'missing.jsonl'], 1, 12.4, join(dir, 'data'));
    logCommand(['stats', 'a.jsonl'], 0, 3, join(dir, 'data'));
    const lines = readFileSync(join(dir, '.brightrun', 'logs', 'cli.log'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(first.command, 'validate');
    assert.deepEqual(first.files, [join(dir, 'data', 'a.jsonl')]);
    assert.equal(first.duration_ms, 12);
    assert.equal(first.outcome, 'findings');
    assert.equal(first.exit_code, 1);
    assert.match(String(first.ts), /^\d{4}-\d\d-\d\dT/);
    assert.equal((JSON.parse(lines[1]) as Record<string, unknown>).outcome, 'ok');
  });

  it('names the local subcommand and follows --dir', function () {
    mkdirSync(join(dir, 'ws', '.brightrun'), { recursive: true });
    assert.equal(
      workspaceBrightrunDir(['local', 'up', '--dir', 'ws'], dir),
      join(dir, 'ws', '.brightrun'),
    );
    logCommand(['local', 'up', '--dir', 'ws'], 0, 5000, dir);
    const entry = JSON.parse(
      readFileSync(join(dir, 'ws', '.brightrun', 'logs', 'cli.log'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(entry.command, 'local up');
    assert.equal(entry.outcome, 'ok');
  });

  it('writes nothing outside a workspace with .brightrun/', function () {
    logCommand(['validate', 'x.jsonl'], 2, 1, dir);
    assert.equal(existsSync(join(dir, '.brightrun')), false);
  });

  it('never throws when the log cannot be written', function () {
    mkdirSync(join(dir, '.brightrun'));
    // A file where the logs folder should be: mkdir fails (as root, permissions would not).
    writeFileSync(join(dir, '.brightrun', 'logs'), 'not a folder');
    assert.doesNotThrow(() => logCommand(['validate', 'x.jsonl'], 0, 1, dir));
  });
});
