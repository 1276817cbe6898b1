// The README's "Only the local stack" steps, as a newcomer follows them: `npm start --
// --no-editor` until it prints `ready`, then `scripts/verify-integration.ts` against the stack it
// wrote to `.brightrun/local.json` (every check must pass), then Ctrl-C, after which nothing it
// started may still run. The commands are read from README.md, so changing them there without
// keeping them working fails here. The only additions are `--dir` (a temporary workspace instead
// of the checkout, so a developer's own stack is untouched) and free ports.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  leftovers,
  listening,
  pressCtrlC,
  readmeCommands,
  run,
  startInShell,
  stopStarted,
  tempWorkspace,
  type Started,
} from './start-harness.ts';

interface LocalJson {
  url: string;
  dbUrl: string;
  gpuClusterUrl: string;
  pid: number;
  gatewayPid: number;
}

const portOf = (url: string): number => Number(new URL(url).port);

describe('the README: only the local stack (npm start -- --no-editor)', function () {
  this.timeout(300_000);
  let workspace: string;
  let started: Started | undefined;

  before(function () {
    workspace = tempWorkspace('brightrun-readme-');
  });

  after(async function () {
    if (started) await stopStarted(started);
    rmSync(workspace, { recursive: true, force: true });
  });

  it('starts the stack, passes verify-integration, and Ctrl-C leaves nothing running', async function () {
    const [startCommand, verifyCommand, ...more] = readmeCommands('Only the local stack');
    assert.equal(startCommand, 'npm start -- --no-editor');
    assert.match(
      verifyCommand,
      /^npx tsx scripts\/verify-integration\.ts --local \.brightrun\/local\.json$/,
    );
    assert.deepEqual(more, [], 'the README lists two commands');

    started = startInShell(`${startCommand} --dir ${workspace} --port 0 --db-port 0`);
    await started.waitForLine(/^ready$/, 180_000);
    const infoFile = join(workspace, '.brightrun', 'local.json');
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as LocalJson;

    const [npx, ...args] = verifyCommand
      .split(/\s+/)
      .map((arg) => (arg === '.brightrun/local.json' ? infoFile : arg));
    const verified = await run(npx, args);
    assert.equal(verified.code, 0, `verify-integration failed:\n${verified.output}`);
    assert.doesNotMatch(verified.output, /FAIL/);

    pressCtrlC(started);
    const how = await started.exited;
    assert.ok(how === 0 || how === 'SIGINT', `npm start ended with ${how}`);
    assert.ok(
      started.lines.includes('brightrun local: stopped'),
      `the stack said it stopped:\n${started.lines.join('\n')}`,
    );

    assert.deepEqual(leftovers(started, workspace), [], 'no process of the stack is left');
    for (const url of [info.url, info.dbUrl.replace(/^postgres:/, 'http:'), info.gpuClusterUrl]) {
      assert.equal(await listening(portOf(url)), false, `nothing listens on ${url} any more`);
    }
    assert.equal(existsSync(infoFile), false, 'local.json is removed on stop');
    assert.equal(
      existsSync(join(workspace, '.brightrun', 'postgres', 'data', 'postmaster.pid')),
      false,
      'Postgres has shut down',
    );

    // The CLI's own log: one line for the `local up` run that just ended.
    const cliLog = readFileSync(join(workspace, '.brightrun', 'logs', 'cli.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const up = cliLog.find((entry) => entry.command === 'local up');
    assert.ok(up, `cli.log has the local up run:\n${JSON.stringify(cliLog)}`);
    assert.equal(up.outcome, 'ok');
    assert.equal(typeof up.duration_ms, 'number');
  });
});
