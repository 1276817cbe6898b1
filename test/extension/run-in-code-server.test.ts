// Runs the in-host suite (test/extension/suite/*.host.ts, bundled to dist/test/extension/) inside
// code-server's extension host, driven by headless Chromium, and reports each in-host test as a
// test of this Node-side mocha run. The bundles must be built first (`node esbuild.mjs`; the
// extension tier of scripts/run-tests.mjs does it). BRIGHTRUN_TEST_GREP narrows the in-host run.
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import type { Browser } from 'playwright-core';
import type { HostTestRecord } from './suite/support/records.ts';
import {
  extensionTestUrl,
  launchChromium,
  startCodeServer,
  withTimeout,
  type CodeServer,
} from './support/code-server.ts';
import { startStack, type Stack } from '../../server/src/local/stack.ts';
import { createTestWorkspace } from './support/workspace.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runnerBundle = join(root, 'dist', 'test', 'extension', 'index.cjs');
/** The whole in-host run; each in-host test has its own (shorter) mocha timeout inside. */
const RUN_TIMEOUT_MS = 8 * 60_000;

describe('extension host (code-server)', function () {
  let server: CodeServer | undefined;
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let records: HostTestRecord[] = [];
  let scratch = '';
  let workspace = '';
  const pageLog: string[] = [];

  before(async function () {
    this.timeout(RUN_TIMEOUT_MS + 120_000);
    if (!existsSync(runnerBundle))
      throw new Error(`${runnerBundle} is missing: run node esbuild.mjs`);
    scratch = mkdtempSync(join(tmpdir(), 'brightrun-ext-results-'));
    const resultsFile = join(scratch, 'results.jsonl');
    writeFileSync(resultsFile, '');
    workspace = createTestWorkspace();
    // The local stack for this workspace: it writes .brightrun/local.json, which the extension
    // finds as its Local backend (the in-host backend tests upload, train and download there).
    stack = await startStack({ workspace, port: 0, dbPort: 0 });
    server = await startCodeServer({
      folder: workspace,
      env: {
        BRIGHTRUN_TEST_RESULTS: resultsFile,
        ...(process.env.BRIGHTRUN_TEST_GREP
          ? { BRIGHTRUN_TEST_GREP: process.env.BRIGHTRUN_TEST_GREP }
          : {}),
      },
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => pageLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => pageLog.push(`[pageerror] ${e.message}`));
    const ended = waitForEnd(resultsFile);
    await page.goto(extensionTestUrl(server, workspace, root, runnerBundle));
    try {
      await withTimeout(
        Promise.race([
          ended.promise,
          server.exited.then((code) => {
            throw new Error(`code-server exited (${code}) before the in-host run ended`);
          }),
        ]),
        RUN_TIMEOUT_MS,
        'the in-host test run did not end',
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${message}\n--- results so far\n${readFileSync(resultsFile, 'utf8')}` +
          `\n--- code-server\n${server.output().slice(-4000)}\n--- page\n${pageLog.slice(-40).join('\n')}`,
      );
    } finally {
      ended.close();
    }
    records = parseRecords(readFileSync(resultsFile, 'utf8'));
    // Each in-host test becomes a test here; mocha runs the suite's tests after `before`.
    const suite = this.test?.parent;
    for (const record of records) {
      if (record.event !== 'test') continue;
      const test = new Mocha.Test(`[host] ${record.title}`, function (this: Mocha.Context) {
        if (record.state === 'pending') this.skip();
        if (record.state === 'failed') throw new HostTestError(record.error ?? 'failed');
      });
      suite?.addTest(test);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    await stack?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('runs the in-host suite to its end', function () {
    const start = records.find((r) => r.event === 'start');
    const end = records.find((r) => r.event === 'end');
    if (!start || start.files.length === 0)
      throw new Error('the in-host runner found no test files');
    if (!end) throw new Error('the in-host runner did not finish');
    if (end.error) throw new HostTestError(end.error);
    const tests = records.filter((r) => r.event === 'test');
    if (tests.length === 0) throw new Error('the in-host run reported no tests');
  });
});

/** An in-host failure, with the stack the extension host reported. */
class HostTestError extends Error {
  constructor(text: string) {
    super(text.split('\n')[0]);
    this.stack = text;
  }
}

function parseRecords(text: string): HostTestRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HostTestRecord);
}

/** Resolves when the results file holds the runner's `end` record. */
function waitForEnd(file: string): { promise: Promise<void>; close: () => void } {
  let close = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const check = (): void => {
      // The last line may be half written when the watcher fires; the next event completes it.
      const lines = readFileSync(file, 'utf8').split('\n');
      if (lines.slice(0, -1).some((line) => line.startsWith('{"event":"end"'))) resolve();
    };
    const watcher = watch(file, check);
    close = () => watcher.close();
    check();
  });
  return { promise, close };
}
