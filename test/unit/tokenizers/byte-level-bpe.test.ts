import assert from 'node:assert/strict';
import llama3Tokenizer from 'llama3-tokenizer-js';
import { ByteLevelBpe } from '../../../common/tokenizers/bpe/byte-level-bpe.ts';
import { decodeCompact, encodeCompact } from '../../../common/tokenizers/bpe/compact-data.ts';
import { llama3BpeFromCompact, loadLlama3Bpe } from '../../../common/tokenizers/llama3.ts';
import { scriptRuns, variedCorpus } from './varied-corpus.ts';

describe('the compact form of byte-level BPE data', function () {
  it('round-trips through its bytes and refuses other bytes', function () {
    const compact = ByteLevelBpe.toCompact(llama3Tokenizer);
    assert.equal(compact.merges.length % 3, 0);
    assert.equal(compact.vocab.split('\n').length, llama3Tokenizer.vocabById.length);
    const back = decodeCompact(encodeCompact(compact));
    assert.equal(back.vocab, compact.vocab);
    assert.deepEqual(back.merges, compact.merges);
    assert.throws(
      () => decodeCompact(new TextEncoder().encode('not a tokenizer')),
      /not a compact/,
    );
    const bytes = encodeCompact(compact);
    assert.throws(() => decodeCompact(bytes.subarray(0, bytes.length - 2)), /truncated/);
  });
});

const encoders: [string, () => Promise<ByteLevelBpe>][] = [
  ["llama3-tokenizer-js's data", loadLlama3Bpe],
  [
    'the compact form of that data, as the token workers load it',
    () =>
      Promise.resolve(
        llama3BpeFromCompact(decodeCompact(encodeCompact(ByteLevelBpe.toCompact(llama3Tokenizer)))),
      ),
  ],
];

for (const [source, load] of encoders)
  describe(`ByteLevelBpe over ${source}`, function () {
    this.timeout(20000);
    let bpe: ByteLevelBpe;

    before(async function () {
      bpe = await load();
    });

    const reference = (text: string): number[] =>
      llama3Tokenizer.encode(text, { bos: false, eos: false });

    it("matches the package's README example", function () {
      assert.deepEqual(bpe.encode('Hello world!'), [9906, 1917, 0]);
    });

    it('produces identical ids and counts on 800 varied strings', function () {
      let tokens = 0;
      for (const text of variedCorpus(800, 11)) {
        const expected = reference(text);
        tokens += expected.length;
        assert.deepEqual(bpe.encode(text), expected, JSON.stringify(text));
        assert.equal(bpe.count(text), expected.length, JSON.stringify(text));
        assert.equal(bpe.count(text), expected.length, 'again, from the piece cache');
      }
      assert.ok(tokens > 40_000, `only ${tokens} tokens`);
    });

    it('produces identical ids on 700 unspaced runs of multi-byte scripts', function () {
      for (const text of scriptRuns(700)) assert.deepEqual(bpe.encode(text), reference(text), text);
    });

    it('keeps a BOM apart from what follows and reads specials in text as one token', function () {
      for (const text of [
        '\ufeff\n\nhi',
        '\n\nhi',
        'a<|eot_id|>b',
        '<|reserved_special_token_250|>',
      ]) {
        assert.deepEqual(bpe.encode(text), reference(text), JSON.stringify(text));
      }
    });
  });
