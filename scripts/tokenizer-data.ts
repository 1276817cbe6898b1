// `node --import tsx scripts/tokenizer-data.ts DIR`: writes the compact form (CompactBpeData in
// common/tokenizers/bpe/compact-data.ts) of Llama 3's and Mistral's vocabularies and merges, taken
// from llama3-tokenizer-js and mistral-tokenizer-js, to DIR/llama3-bpe.bin and DIR/mistral-bpe.bin.
// esbuild.mjs runs it when a file is missing or older than the packages or the format; the token
// workers build their encoders from the files instead of importing the packages, which keep their
// decoded maps (~100 MB for Llama 3) for good.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import { ByteLevelBpe } from '../common/tokenizers/bpe/byte-level-bpe.ts';
import { encodeCompact } from '../common/tokenizers/bpe/compact-data.ts';
import { SentencePieceBpe } from '../common/tokenizers/bpe/sentencepiece-bpe.ts';

const [dir] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: node --import tsx scripts/tokenizer-data.ts DIR');
  process.exit(2);
}
writeFileSync(join(dir, 'llama3-bpe.bin'), encodeCompact(ByteLevelBpe.toCompact(llama3Tokenizer)));
writeFileSync(
  join(dir, 'mistral-bpe.bin'),
  encodeCompact(SentencePieceBpe.toCompact(mistralTokenizer)),
);
