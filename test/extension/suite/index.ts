// The extension-host test runner: VS Code (here code-server) loads this bundle from
// `extensionTestsPath` and calls `run()` inside the extension host, where the real `vscode`
// API is available. Each in-host test file is `*.host.ts`, bundled beside this one as
// `*.host.cjs` (the name keeps the Node-side mocha of test/extension from loading them).
// The outer harness (test/extension/run-in-code-server.test.ts) cannot see mocha's output, so
// every result is appended as one JSON line to the file named by BRIGHTRUN_TEST_RESULTS,
// ending with an `end` record.
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import type { HostTestRecord } from './support/records.ts';

export async function run(): Promise<void> {
  const resultsFile = process.env.BRIGHTRUN_TEST_RESULTS;
  const write = (record: HostTestRecord): void => {
    if (resultsFile) appendFileSync(resultsFile, JSON.stringify(record) + '\n');
  };
  const grep = process.env.BRIGHTRUN_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  if (grep) mocha.grep(grep);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.host.cjs'))
    .sort();
  for (const f of files) mocha.addFile(join(__dirname, f));
  write({ event: 'start', files });
  try {
    await mocha.loadFilesAsync();
  } catch (error) {
    write({ event: 'end', passes: 0, failures: 1, error: errorText(error) });
    throw error;
  }
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((count) => resolve(count));
    runner.on('pass', (test) => {
      write({ event: 'test', title: test.fullTitle(), state: 'passed', duration: test.duration });
    });
    runner.on('fail', (test, error) => {
      write({
        event: 'test',
        title: test.fullTitle(),
        state: 'failed',
        duration: test.duration,
        error: errorText(error),
      });
    });
    runner.on('pending', (test) => {
      write({ event: 'test', title: test.fullTitle(), state: 'pending' });
    });
    runner.on('end', () => {
      write({ event: 'end', passes: runner.stats?.passes ?? 0, failures: runner.failures });
    });
  });
  // Desktop VS Code (@vscode/test-electron) reads the outcome from run()'s promise.
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
