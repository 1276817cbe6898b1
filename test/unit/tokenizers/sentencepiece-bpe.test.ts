import assert from 'node:assert/strict';
import mistralTokenizer from 'mistral-tokenizer-js';
import { decodeCompact, encodeCompact } from '../../../common/tokenizers/bpe/compact-data.ts';
import {
  SentencePieceBpe,
  type SentencePieceOptions,
} from '../../../common/tokenizers/bpe/sentencepiece-bpe.ts';
import { scriptRuns, variedCorpus } from './varied-corpus.ts';

const builds: [string, (options?: SentencePieceOptions) => SentencePieceBpe][] = [
  [
    "mistral-tokenizer-js's data",
    (options) => SentencePieceBpe.fromData(mistralTokenizer, options),
  ],
  [
    'the compact form of that data, as the token workers load it',
    (options) =>
      SentencePieceBpe.fromCompact(
        decodeCompact(encodeCompact(SentencePieceBpe.toCompact(mistralTokenizer))),
        options,
      ),
  ],
];

for (const [source, build] of builds)
  describe(`SentencePieceBpe over ${source}`, function () {
    this.timeout(20000);
    let cached: SentencePieceBpe;
    let uncached: SentencePieceBpe;

    before(function () {
      cached = build();
      uncached = build({ chunkCacheSize: 0 });
    });

    /** The reference ids without the BOS, as the encoder is defined. */
    const reference = (text: string): number[] => mistralTokenizer.encode(text, false, true);

    it("matches the package's own test cases", function () {
      const cases: [string, number[]][] = [
        ['grabbed', [13300]],
        [' grabbed', [28705, 13300]],
        ['           grabbed', [17422, 13300]],
        ['\n', [28705, 13]],
        [' \n', [259, 13]],
        ['\ttabs\t\t\t\tout here', [28705, 12, 24856, 12, 12, 12, 12, 406, 1236]],
        ['ax\n####\nboo', [6056, 13, 2000, 13, 1798, 28709]],
        ['镇', [28705, 29780]],
        ['🦙', [28705, 243, 162, 169, 156]],
        ['🦙Ꙋ', [28705, 243, 162, 169, 156, 237, 156, 141]],
        ['Ꙋ🦙', [28705, 237, 156, 141, 243, 162, 169, 156]],
      ];
      for (const [text, ids] of cases)
        assert.deepEqual(cached.encode(text), ids, JSON.stringify(text));
    });

    it('gives no tokens for the empty string, like the reference', function () {
      assert.deepEqual(cached.encode(''), reference(''));
      assert.equal(cached.count(''), 0);
    });

    it('produces identical ids and counts on 800 varied strings', function () {
      const corpus = variedCorpus(800);
      let tokens = 0;
      for (const text of corpus) {
        const expected = reference(text);
        tokens += expected.length;
        assert.deepEqual(cached.encode(text), expected, JSON.stringify(text));
        assert.equal(cached.count(text), expected.length, JSON.stringify(text));
        assert.equal(uncached.count(text), expected.length, JSON.stringify(text));
      }
      // The corpus must really exercise the encoder, or the test proves little.
      assert.ok(tokens > 50_000, `only ${tokens} tokens`);
    });

    it('produces identical ids on 700 unspaced runs of multi-byte scripts', function () {
      for (const text of scriptRuns(700))
        assert.deepEqual(cached.encode(text), reference(text), text);
    });

    it('counts the same when a chunk comes from the cache', function () {
      const text = 'The same words, the same words, the same words again.';
      const first = cached.count(text);
      assert.equal(cached.count(text), first);
      assert.equal(first, reference(text).length);
    });

    it('handles long runs without spaces (the heap path) and lone surrogates', function () {
      for (const text of [
        'a'.repeat(5000),
        'ab'.repeat(3000),
        '日本語の文章には空白がありません。'.repeat(50),
        'x\ud800y\udc00z',
        '\ud83d',
        'base64:' + 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo='.repeat(40),
      ]) {
        assert.deepEqual(cached.encode(text), reference(text), text.slice(0, 40));
      }
    });

    it('treats a literal ▁ exactly like a space', function () {
      assert.deepEqual(cached.encode('a\u2581\u2581b'), reference('a  b'));
    });

    it('refuses data whose tokens would let merges cross its chunk cuts', function () {
      assert.throws(
        () =>
          SentencePieceBpe.fromData({ vocabById: [...tinyVocab, 'a\u2581'], merges: new Map() }),
        /after a symbol/,
      );
    });
  });

/** The smallest vocabulary the encoder accepts: '▁' and the 256 byte tokens. */
const tinyVocab = [
  '\u2581',
  ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`),
];
