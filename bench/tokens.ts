// Token-counting micro-benchmark: `node --import tsx bench/tokens.ts`. Prints MB/s of
// mistral-tokenizer-js against our SentencePiece-BPE encoder (no cache, word cache) and against
// the full counter with its content cache on v4-like data; the same for Llama 3. About 30 s.
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import { SentencePieceBpe } from '../common/tokenizers/bpe/sentencepiece-bpe.ts';
import { llama3BpeFromData } from '../common/tokenizers/llama3.ts';
import { loadTokenCounter } from '../common/tokenizers/load-token-counter.ts';
import { v4LikeLines } from './v4-like.ts';

const lines = v4LikeLines(400);
/** Distinct message contents: what a tokenizer sees when nothing repeats. */
const texts = [...new Set(lines.flatMap((l) => l.messages.map((m) => m.content)))];
const textBytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const jsonlBytes = lines.reduce((n, l) => n + Buffer.byteLength(l.json) + 1, 0);
const renderedBytes = lines.reduce(
  (n, l) => n + l.messages.reduce((m, x) => m + Buffer.byteLength(x.content), 0),
  0,
);

/** Runs `fn` over `items` until `seconds` pass (at least once); returns MB/s of `bytes` per run. */
function rate<T>(
  items: readonly T[],
  bytes: number,
  seconds: number,
  fn: (item: T) => number,
): string {
  let runs = 0;
  let sink = 0;
  const start = performance.now();
  do {
    for (const item of items) sink += fn(item);
    runs++;
  } while (performance.now() - start < seconds * 1000);
  const mbps = (bytes * runs) / 1e6 / ((performance.now() - start) / 1000);
  return `${mbps.toFixed(2).padStart(7)} MB/s  (${runs} run(s), checksum ${sink})`;
}

console.log(
  `v4-like data: ${lines.length} lines, ${(jsonlBytes / 1e6).toFixed(1)} MB JSONL, ` +
    `${(renderedBytes / 1e6).toFixed(1)} MB rendered content, ` +
    `${texts.length} distinct contents (${(textBytes / 1e6).toFixed(1)} MB)`,
);
const slice = texts.slice(0, Math.ceil(texts.length / 6));
const sliceBytes = slice.reduce((n, t) => n + Buffer.byteLength(t), 0);
console.log('\nMistral, distinct contents (raw text MB/s):');
console.log(
  '  mistral-tokenizer-js encode      ',
  rate(slice, sliceBytes, 2, (t) => mistralTokenizer.encode(t, false, true).length),
);
const raw = SentencePieceBpe.fromData(mistralTokenizer, { chunkCacheSize: 0 });
console.log(
  '  ours, no cache at all            ',
  rate(texts, textBytes, 3, (t) => raw.count(t)),
);
const words = SentencePieceBpe.fromData(mistralTokenizer);
words.count(texts.join(' ')); // warm the word cache once, as a long-running worker would be
console.log(
  '  ours, word-chunk cache (warm)    ',
  rate(texts, textBytes, 3, (t) => words.count(t)),
);

console.log('\nCounters on v4 lines (content cache + word cache):');
const perLine = async (model: string): Promise<void> => {
  // A fresh counter per run, so the content cache starts cold as on a new file; the first run
  // also finds the realm's word cache cold.
  const jsonlRate = (runs: number, ms: number): string =>
    `${((jsonlBytes * runs) / 1e6 / (ms / 1000)).toFixed(2).padStart(7)} MB/s of JSONL ` +
    `(${((renderedBytes * runs) / 1e6 / (ms / 1000)).toFixed(2)} MB/s of rendered content)`;
  let counter = await loadTokenCounter(model);
  let start = performance.now();
  for (const l of lines) counter.countSample(l.messages);
  console.log(
    `  ${model.padEnd(28)} first run, all caches cold: ${jsonlRate(1, performance.now() - start)}`,
  );
  let runs = 0;
  start = performance.now();
  do {
    counter = await loadTokenCounter(model);
    for (const l of lines) counter.countSample(l.messages);
    runs++;
  } while (performance.now() - start < 2000);
  console.log(
    `  ${model.padEnd(28)} later runs, new content cache: ${jsonlRate(runs, performance.now() - start)}`,
  );
};
await perLine('mistralai/Mistral-7B-v0.1');

console.log('\nLlama 3, distinct contents (raw text MB/s):');
console.log(
  '  llama3-tokenizer-js encode       ',
  rate(slice, sliceBytes, 2, (t) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length),
);
const llamaRaw = llama3BpeFromData(llama3Tokenizer, 0);
console.log(
  '  ours, no cache at all            ',
  rate(texts, textBytes, 3, (t) => llamaRaw.count(t)),
);
const llamaPieces = llama3BpeFromData(llama3Tokenizer);
llamaPieces.count(texts.join(' '));
console.log(
  '  ours, piece cache (warm)         ',
  rate(texts, textBytes, 3, (t) => llamaPieces.count(t)),
);
await perLine('meta-llama/Meta-Llama-3-8B');
