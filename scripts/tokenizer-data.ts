// `node --import tsx scripts/tokenizer-data.ts OUT`: writes the compact form of Llama 3's
// vocabulary and merges (CompactByteLevelData in common/tokenizers/bpe/byte-level-bpe.ts) taken
// from llama3-tokenizer-js. esbuild.mjs runs it when dist/server/llama3-bpe.bin is missing or
// older than the package or the format; the token workers build their encoder from the file
// instead of importing the package, which keeps its decoded maps (~100 MB) for good.
import { writeFileSync } from 'node:fs';
import llama3Tokenizer from 'llama3-tokenizer-js';
import { encodeCompact, toCompact } from '../common/tokenizers/bpe/byte-level-bpe.ts';

const [out] = process.argv.slice(2);
if (out === undefined) {
  console.error('usage: node --import tsx scripts/tokenizer-data.ts OUT');
  process.exit(2);
}
writeFileSync(out, encodeCompact(toCompact(llama3Tokenizer)));
