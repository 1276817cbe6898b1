import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const denoBin = fileURLToPath(new URL('../../../node_modules/.bin/deno', import.meta.url));

// The engine must run unchanged in Node, in Deno (the Edge Functions) and in a browser bundle
// (the webviews): these tests load it in the other two hosts and check it gives the same answer.
describe('engine portability', () => {
  const line = '{"id":"a","turn_number":0}';

  it('runs under Deno with only read access to the repository', () => {
    const result = spawnSync(
      denoBin,
      ['run', '--no-config', '--no-lock', `--allow-read=${root}`, 'deno-smoke.ts', line],
      { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), expectedCodes(line));
  });

  it('bundles for the browser without Node built-ins and runs without Node globals', async () => {
    const built = await esbuild.build({
      stdin: {
        contents: `import { analyzeLine } from './common/engine/line/analyze-line.ts';
          globalThis.result = analyzeLine(globalThis.line, 0, { expectedShape: undefined })
            .diagnostics.map((d) => d.code);`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    // A bare context: no process, no Buffer, no require — only what a browser also has.
    const context: { line: string; result?: string[]; TextDecoder: typeof TextDecoder } = {
      line,
      TextDecoder,
    };
    runInNewContext(built.outputFiles[0].text, context);
    // The array comes from another realm: compare its JSON, not its prototype.
    assert.deepEqual(JSON.parse(JSON.stringify(context.result)), expectedCodes(line));
  });
});

async function importAnalyzeLine() {
  return (await import('../../../common/engine/line/analyze-line.ts')).analyzeLine;
}

const analyzeLine = await importAnalyzeLine();

function expectedCodes(text: string): string[] {
  return analyzeLine(text, 0, { expectedShape: undefined }).diagnostics.map((d) => d.code);
}
