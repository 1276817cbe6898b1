// What `node esbuild.mjs` leaves in dist/server besides the bundles: the code-split chunks the
// build wrote (and no stale ones), and the compact tokenizer data the token workers load in
// place of the tokenizer packages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChatMessage } from '../../common/engine/shape.ts';
import type { TokenWorkerMessage } from '../../server/src/tokens/token-protocol.ts';
import { ROOT } from './run-cli.ts';

const SERVER_DIR = join(ROOT, 'dist', 'server');
const SAMPLE: ChatMessage[] = [
  { role: 'system', content: 'You are a calm financial coach.' },
  { role: 'user', content: 'I have $500 saved — “is that enough”? 😀' },
  { role: 'assistant', content: 'It is a real start; let us look at what it covers.' },
];

function build(): void {
  const result = spawnSync(process.execPath, ['esbuild.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(result.status, 0, result.stderr);
}

/** The token count of SAMPLE from the token worker in `dir`, or the worker's error. */
function countWith(dir: string, baseModel: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(dir, 'token-worker.js'), { workerData: { baseModel } });
    const done = (settle: () => void) => {
      settle();
      void worker.terminate();
    };
    worker.on('message', (message: TokenWorkerMessage) => {
      if (message.type === 'ready') worker.postMessage({ id: 1, samples: [SAMPLE] });
      else if (message.type === 'counts') done(() => resolve(message.counts[0]));
      else done(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => done(() => reject(error)));
  });
}

describe('the build output (esbuild.mjs)', function () {
  this.timeout(60_000);

  it('deletes code-split chunks that the build did not write', function () {
    const stale = join(SERVER_DIR, 'cli-chunk-command-STALE0.js');
    writeFileSync(stale, 'export {};\n');
    build();
    assert.equal(existsSync(stale), false, 'a stale chunk is left in dist/server');
    const chunks = readdirSync(SERVER_DIR).filter((name) => /-chunk-.*\.js$/.test(name));
    assert.ok(chunks.length > 5, `the chunks the build wrote are kept: ${chunks.join(', ')}`);
  });

  for (const [baseModel, data, packageChunk] of [
    ['meta-llama/Llama-3.1-8B-Instruct', 'llama3-bpe.bin', /-chunk-llama3-tokenizer-with-baked/],
    ['mistralai/Mistral-7B-v0.1', 'mistral-bpe.bin', /-chunk-mistral-tokenizer-/],
  ] as const) {
    it(`token workers count ${baseModel} from ${data}, without the tokenizer package`, async function () {
      const expected = await countWith(SERVER_DIR, baseModel);
      const copy = mkdtempSync(join(tmpdir(), 'brightrun-dist-'));
      try {
        cpSync(SERVER_DIR, copy, { recursive: true });
        writeFileSync(join(copy, 'package.json'), '{"type":"module"}\n');
        // The package's baked vocabulary is gone: only the compact file can serve the count.
        for (const name of readdirSync(copy).filter((n) => packageChunk.test(n))) {
          rmSync(join(copy, name));
        }
        assert.equal(await countWith(copy, baseModel), expected);
        // And without the compact file the worker has nothing to count with.
        rmSync(join(copy, data));
        await assert.rejects(countWith(copy, baseModel));
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  }
});
