// Worker-thread entry: loads the token counter for one base model and answers count requests.
// Each worker keeps its own content cache, so repeated system prompts and history turns are
// counted once per worker.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { setLlama3CompactSource } from '../../../common/tokenizers/llama3.ts';
import { setMistralCompactSource } from '../../../common/tokenizers/mistral.ts';
import { loadTokenCounter } from '../../../common/tokenizers/load-token-counter.ts';
import { tokenizerInfo, type TokenCounter } from '../../../common/tokenizers/token-counter.ts';
import type { CountRequest, TokenWorkerData, TokenWorkerMessage } from './token-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('token-worker must run in a worker thread');
const { baseModel, cache } = workerData as TokenWorkerData;

// The compact tokenizer data the build writes beside the bundles (scripts/tokenizer-data.ts):
// without it (running from source) the packages' own data serves, at ~100 MB more per Llama 3
// worker.
const besideBundle = (name: string) => (): Uint8Array | undefined => {
  try {
    return readFileSync(new URL(`./${name}`, import.meta.url));
  } catch {
    return undefined;
  }
};
setLlama3CompactSource(besideBundle('llama3-bpe.bin'));
setMistralCompactSource(besideBundle('mistral-bpe.bin'));

function post(message: TokenWorkerMessage): void {
  port!.postMessage(message);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function answer(counter: TokenCounter, request: CountRequest): void {
  try {
    const counts = request.samples.map((messages) => counter.countSample(messages));
    post({ type: 'counts', id: request.id, counts });
  } catch (err) {
    post({ type: 'error', id: request.id, message: errorText(err) });
  }
}

// A worker sees a conversation's repeated contents within a few batches, so a modest cache
// catches them; the default (16M characters) cost each worker tens of megabytes.
const CACHE = { maxEntries: 20_000, maxChars: 2_000_000 };

loadTokenCounter(baseModel, { cache: cache ?? CACHE }).then(
  (counter) => {
    port.on('message', (request: CountRequest) => answer(counter, request));
    post({ type: 'ready', tokenizer: tokenizerInfo(counter) });
  },
  (err: unknown) => post({ type: 'error', message: `cannot load tokenizer: ${errorText(err)}` }),
);
