import type { ChatRole } from '../engine/shape.ts';
import { ByteLevelBpe, type ByteLevelData } from './bpe/byte-level-bpe.ts';
import { decodeCompact, type CompactBpeData } from './bpe/compact-data.ts';
import { TemplatedCounter, type ChatTemplateCost } from './chat-template.ts';
import { CountCache, type CountCacheLimits } from './count-cache.ts';
import type { TokenCounter } from './token-counter.ts';

/**
 * Llama 3's pre-tokenizer (its tokenizer.json `Split` pattern). The case-insensitive group of the
 * original, `(?i:'s|'t|'re|'ve|'m|'ll|'d)`, is spelled out because JavaScript has no inline flags.
 */
const LLAMA3_PATTERN =
  /'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** The special tokens recognised inside text, as llama3-tokenizer-js recognises them. */
const LLAMA3_SPECIALS =
  /<\|(?:begin_of_text|end_of_text|start_header_id|end_header_id|eot_id|eom_id|python_tag|finetune_right_pad_id|reserved_special_token_(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-3][0-9]|24[0-7]))\|>/g;

let shared: Promise<ByteLevelBpe> | undefined;
let compactSource: (() => Uint8Array | undefined) | undefined;

/** A Llama 3 encoder over vocabulary and merges in llama3-tokenizer-js's form. */
export function llama3BpeFromData(data: ByteLevelData, pieceCacheSize?: number): ByteLevelBpe {
  return ByteLevelBpe.fromData(data, {
    pattern: LLAMA3_PATTERN,
    specials: LLAMA3_SPECIALS,
    pieceCacheSize,
  });
}

/** A Llama 3 encoder over the compact form of the same data (see CompactBpeData). */
export function llama3BpeFromCompact(data: CompactBpeData, pieceCacheSize?: number): ByteLevelBpe {
  return ByteLevelBpe.fromCompact(data, {
    pattern: LLAMA3_PATTERN,
    specials: LLAMA3_SPECIALS,
    pieceCacheSize,
  });
}

/**
 * Where a host keeps the compact form of Llama 3's data (`encodeCompact` bytes), read when the
 * encoder is first built; undefined from it, or no source, means the package's own data. The
 * Node hosts (CLI, language server, token workers) give the file the build writes beside them.
 */
export function setLlama3CompactSource(read: () => Uint8Array | undefined): void {
  compactSource = read;
}

/** The encoder, built once per realm: from the compact form when the host has it (~0.1 s). */
export function loadLlama3Bpe(): Promise<ByteLevelBpe> {
  if (shared !== undefined) return shared;
  const compact = compactSource?.();
  if (compact !== undefined) {
    shared = Promise.resolve(llama3BpeFromCompact(decodeCompact(compact)));
    return shared;
  }
  // Lazy: the package bakes 3 MB of vocabulary and merges into its module and decodes them
  // into maps it keeps. Only its data is used; its own encoder is ~1 MB/s, ours 4–7 MB/s
  // without caches (bench/tokens.ts).
  shared ??= import('llama3-tokenizer-js').then((m) => llama3BpeFromData(m.default));
  return shared;
}

/**
 * Llama 3 template: `<|begin_of_text|>` then per message
 * `<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>`: four template tokens
 * (three specials and '\n\n', one token) plus the role's own tokens. Llama 3.1's default
 * "Cutting Knowledge Date" system preamble is not counted: the trainer does not add it.
 */
export function llama3Template(bpe: ByteLevelBpe): ChatTemplateCost {
  const role = (r: ChatRole): number => 4 + bpe.count(r);
  return {
    perSample: 1,
    perMessage: {
      system: role('system'),
      user: role('user'),
      assistant: role('assistant'),
      tool: role('tool'),
    },
  };
}

export async function createLlama3Counter(
  modelId: string,
  cacheLimits?: CountCacheLimits,
): Promise<TokenCounter> {
  const bpe = await loadLlama3Bpe();
  return new TemplatedCounter(
    { modelId, name: 'llama3-bpe', exact: true },
    (text) => bpe.count(text),
    llama3Template(bpe),
    new CountCache(cacheLimits),
  );
}
