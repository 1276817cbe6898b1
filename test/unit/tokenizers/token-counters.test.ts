import assert from 'node:assert/strict';
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import type { ChatMessage } from '../../../common/engine/shape.ts';
import { estimateTokens } from '../../../common/tokenizers/estimate.ts';
import { loadTokenCounter } from '../../../common/tokenizers/load-token-counter.ts';
import { MISTRAL_TEMPLATE } from '../../../common/tokenizers/mistral.ts';
import { SUPPORTED_BASE_MODELS, tokenizerFamily } from '../../../common/tokenizers/models.ts';
import { utf8Length } from '../../../common/tokenizers/tiny-gpt.ts';

const chat: ChatMessage[] = [
  { role: 'system', content: 'You are a calm, practical financial coach.' },
  { role: 'user', content: 'Hello world!' },
  { role: 'assistant', content: "Hi! Let's look at your budget together." },
];

describe('loadTokenCounter', function () {
  this.timeout(20000);

  it('loads an exact counter for every supported base model', async function () {
    for (const { id } of SUPPORTED_BASE_MODELS) {
      const counter = await loadTokenCounter(id);
      assert.equal(counter.modelId, id);
      assert.equal(counter.exact, true, id);
      assert.doesNotMatch(counter.name, /estimate/);
      assert.ok(counter.countSample(chat) > 10, id);
    }
  });

  it('matches model ids case-insensitively', function () {
    assert.equal(tokenizerFamily('MistralAI/mistral-7b-v0.1'), 'mistral');
    assert.equal(tokenizerFamily('some/other-model'), undefined);
  });

  it('labels any other model as an estimate', async function () {
    const counter = await loadTokenCounter('Qwen/Qwen2-7B');
    assert.equal(counter.exact, false);
    assert.match(counter.name, /estimate/);
    assert.equal(counter.modelId, 'Qwen/Qwen2-7B');
  });

  it('counts Mistral content like mistral-tokenizer-js (no BOS, leading space)', async function () {
    const counter = await loadTokenCounter('mistralai/Mistral-7B-v0.1');
    assert.equal(counter.name, 'mistral-sentencepiece');
    assert.equal(counter.countText('Hello world!'), 3); // ▁Hello ▁world !
    for (const m of chat) {
      assert.equal(
        counter.countText(m.content),
        mistralTokenizer.encode(m.content, false, true).length,
      );
    }
    assert.equal(counter.countText(''), 0);
  });

  it('applies the Mistral template rule to a sample', async function () {
    const counter = await loadTokenCounter('mistralai/Mistral-7B-Instruct-v0.2');
    const content = chat.reduce((n, m) => n + counter.countText(m.content), 0);
    assert.equal(counter.countSample(chat), 1 + 2 + 7 + 1 + content);
  });

  it("derives the Mistral overheads from the tokenizer's own encoding of the template", function () {
    const enc = (s: string, space: boolean): number =>
      mistralTokenizer.encode(s, false, space).length;
    // '[INST]' with its leading space, then ' [/INST]' (leading space included).
    assert.equal(MISTRAL_TEMPLATE.perMessage.user, enc('[INST]', true) + enc(' [/INST]', false));
    assert.equal(MISTRAL_TEMPLATE.perMessage.system, enc('\n\n', false));
    assert.equal(MISTRAL_TEMPLATE.perMessage.assistant, 1); // '</s>', a special token
  });

  it('counts Llama 3 content and template like llama3-tokenizer-js', async function () {
    const counter = await loadTokenCounter('meta-llama/Meta-Llama-3-8B-Instruct');
    assert.equal(counter.countText('Hello world!'), 3);
    // The whole rendered string, specials encoded as themselves, is the reference here: with
    // content that does not start with whitespace the per-message rule is exact.
    const rendered =
      '<|begin_of_text|>' +
      chat
        .map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content}<|eot_id|>`)
        .join('');
    const expected = llama3Tokenizer.encode(rendered, { bos: false, eos: false }).length;
    assert.equal(counter.countSample(chat), expected);
  });

  it('counts builtin/tiny-gpt as UTF-8 bytes plus specials', async function () {
    const counter = await loadTokenCounter('builtin/tiny-gpt');
    assert.equal(counter.countText('héllo 🙂'), 11);
    assert.equal(utf8Length('a\ud800'), 4); // a lone surrogate encodes as U+FFFD
    const bytes = chat.reduce((n, m) => n + Buffer.byteLength(m.content), 0);
    assert.equal(counter.countSample(chat), 1 + 2 * chat.length + bytes);
  });

  it('caches per content without changing counts', async function () {
    const counter = await loadTokenCounter('mistralai/Mistral-7B-v0.1', {
      cache: { maxEntries: 2 },
    });
    const texts = ['one two', 'three four five', 'six', 'one two'];
    const first = texts.map((t) => counter.countText(t));
    const again = texts.map((t) => counter.countText(t));
    assert.deepEqual(again, first);
    assert.deepEqual(
      first,
      texts.map((t) => mistralTokenizer.encode(t, false, true).length),
    );
  });
});

describe('estimateTokens', function () {
  it('stays within 35% of the Mistral count on English prose', function () {
    const prose =
      "I've been feeling really overwhelmed about our finances lately. My partner and I keep " +
      "arguing about the budget, and I don't know where to start with paying down $12,500 of " +
      'credit card debt while still saving something for retirement. Where should we begin?';
    const exact = mistralTokenizer.encode(prose, false, true).length;
    const estimate = estimateTokens(prose);
    assert.ok(Math.abs(estimate - exact) / exact < 0.35, `${estimate} vs ${exact}`);
  });

  it('counts CJK and emoji about one token per character', function () {
    assert.ok(estimateTokens('日本語のテキスト') >= 8);
    assert.ok(estimateTokens('🙂🙂🙂') >= 3);
    assert.equal(estimateTokens(''), 0);
  });
});
