import type { BpeMerger } from './bpe-merger.ts';
import { compactMerger, compactMerges, type CompactBpeData } from './compact-data.ts';

/** Vocabulary and merges as `mistral-tokenizer-js` (and its llama-tokenizer-js sibling) keep them. */
export interface SentencePieceData {
  /** Token strings by id; '▁' stands for a space, '<0xNN>' for a byte-fallback token. */
  vocabById: readonly string[];
  /** 'left right' (two token strings joined by one space) → priority; lower merges first. */
  merges: ReadonlyMap<string, number>;
}

export interface SentencePieceOptions {
  /**
   * Chunks (a space run plus the word after it) whose token count is remembered; 0 disables the
   * cache. When full the cache is cleared: cheap, and words that matter come back at once.
   */
  chunkCacheSize?: number;
}

const SPACE = 0x20;
const LOWER_BLOCK = 0x2581; // '▁', which SentencePiece uses for a space

/**
 * A SentencePiece-BPE encoder (Llama 1/2 and Mistral v0.x style) that produces the same ids as
 * `mistral-tokenizer-js` `encode(text, false, true)`, but much faster.
 *
 * How it matches the reference: the text gets a leading space; spaces become '▁'; each code
 * point that is a vocabulary token becomes that token, any other becomes its UTF-8 byte tokens
 * (a lone surrogate becomes U+FFFD's bytes, as TextEncoder does); then merges are applied
 * lowest priority first, leftmost first among equals.
 *
 * Why it is faster: the text is cut into chunks that no merge can cross, and each chunk is merged
 * on its own (and its count cached). The cuts are (1) before a '▁' that follows a non-'▁' symbol,
 * because no vocabulary token contains '▁' after another symbol, and (2) around byte-fallback
 * tokens, because no merge involves a byte token. `fromData` verifies both facts for the data
 * it is given and refuses data that breaks them, so the cuts cannot silently change results.
 */
export class SentencePieceBpe {
  private readonly bmp = new Int32Array(65536).fill(-1);
  private readonly astral = new Map<number, number>();
  private readonly byteIds = new Int32Array(256);
  private readonly chunkCache = new Map<string, number>();
  private readonly chunkCacheSize: number;
  private scratch = new Int32Array(256);

  private constructor(
    vocab: string,
    private readonly merger: BpeMerger,
    options: SentencePieceOptions,
  ) {
    this.chunkCacheSize = options.chunkCacheSize ?? 65536;
    const vocabById = vocab.split('\n');
    this.vocabSize = vocabById.length;
    // Later duplicates win, as in a Map built by iterating the vocabulary.
    for (let id = 0; id < vocabById.length; id++) {
      const s = vocabById[id];
      const cp = s.codePointAt(0);
      if (cp === undefined || s.length !== (cp > 0xffff ? 2 : 1)) continue;
      if (cp <= 0xffff) this.bmp[cp] = id;
      else this.astral.set(cp, id);
    }
    const space = this.bmp[LOWER_BLOCK];
    if (space < 0) throw new Error("SentencePiece vocabulary has no '▁' token");
    this.bmp[SPACE] = space;
    const byString = new Map<string, number>();
    vocabById.forEach((s, id) => byString.set(s, id));
    for (let b = 0; b < 256; b++) {
      const id = byString.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      if (id === undefined) throw new Error(`SentencePiece vocabulary lacks byte token ${b}`);
      this.byteIds[b] = id;
    }
  }

  /** Tokens in the vocabulary. */
  readonly vocabSize: number;

  static fromData(data: SentencePieceData, options: SentencePieceOptions = {}): SentencePieceBpe {
    return SentencePieceBpe.fromCompact(SentencePieceBpe.toCompact(data), options);
  }

  /**
   * The compact form of `data` (see CompactBpeData), once the two facts the chunk cuts rely on
   * are checked: it is only made from data they hold for.
   */
  static toCompact(data: SentencePieceData): CompactBpeData {
    for (const s of data.vocabById) {
      // Cut (1) in the class comment depends on this.
      if (/[^\u2581]\u2581/u.test(s)) throw new Error(`token '${s}' has '▁' after a symbol`);
    }
    return compactMerges(data.vocabById, data.merges, (left, right, key) => {
      if (right.includes(' '))
        throw new Error(`merge '${key}' does not resolve to vocabulary tokens`);
      // Cut (2) in the class comment depends on this.
      if (/^<0x[0-9A-F]{2}>$/.test(left) || /^<0x[0-9A-F]{2}>$/.test(right)) {
        throw new Error(`merge '${key}' involves a byte token`);
      }
    });
  }

  /** An encoder over data in compact form, made by `toCompact` (which checked it). */
  static fromCompact(data: CompactBpeData, options: SentencePieceOptions = {}): SentencePieceBpe {
    return new SentencePieceBpe(data.vocab, compactMerger(data), options);
  }

  /** Token ids of `text` with SentencePiece's leading space and no BOS; '' gives []. */
  encode(text: string): number[] {
    const out: number[] = [];
    this.run(text, out);
    return out;
  }

  /** The number of tokens `encode` would return. */
  count(text: string): number {
    return this.run(text, undefined);
  }

  /** Walks the chunks of `text`; appends ids to `out` when given, else counts (with the cache). */
  private run(text: string, out: number[] | undefined): number {
    const n = text.length;
    if (n === 0) return 0;
    let total = 0;
    // The virtual leading space belongs to the first chunk.
    let lead = true;
    let start = 0;
    let prevSpace = true;
    for (let i = 0; i < n; ) {
      const c = text.charCodeAt(i);
      const isSpace = c === SPACE || c === LOWER_BLOCK;
      if (isSpace && !prevSpace) {
        total += this.chunk(text, start, i, lead, out);
        lead = false;
        start = i;
      }
      prevSpace = isSpace;
      let cp = c;
      let width = 1;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const id = cp <= 0xffff ? this.bmp[cp] : (this.astral.get(cp) ?? -1);
      if (id < 0) {
        total += this.chunk(text, start, i, lead, out);
        lead = false;
        total += this.bytes(cp, out);
        start = i + width;
      }
      i += width;
    }
    total += this.chunk(text, start, n, lead, out);
    return total;
  }

  /** Byte-fallback tokens of one code point (a lone surrogate is encoded as U+FFFD). */
  private bytes(cp: number, out: number[] | undefined): number {
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (out === undefined) return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    const b = this.byteIds;
    if (cp < 0x80) out.push(b[cp]);
    else if (cp < 0x800) out.push(b[0xc0 | (cp >> 6)], b[0x80 | (cp & 63)]);
    else if (cp < 0x10000) {
      out.push(b[0xe0 | (cp >> 12)], b[0x80 | ((cp >> 6) & 63)], b[0x80 | (cp & 63)]);
    } else {
      out.push(
        b[0xf0 | (cp >> 18)],
        b[0x80 | ((cp >> 12) & 63)],
        b[0x80 | ((cp >> 6) & 63)],
        b[0x80 | (cp & 63)],
      );
    }
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  /** Tokens of `text[start..end)` (every code point in the vocabulary), `lead` adds a '▁'. */
  private chunk(
    text: string,
    start: number,
    end: number,
    lead: boolean,
    out: number[] | undefined,
  ): number {
    if (start === end && !lead) return 0;
    let key: string | undefined;
    if (out === undefined && this.chunkCacheSize > 0) {
      key = lead ? ' ' + text.slice(start, end) : text.slice(start, end);
      const hit = this.chunkCache.get(key);
      if (hit !== undefined) return hit;
    }
    if (this.scratch.length < end - start + 1) this.scratch = new Int32Array((end - start) * 2 + 1);
    const ids = this.scratch;
    let m = 0;
    if (lead) ids[m++] = this.bmp[SPACE];
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
        const cp = ((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000;
        ids[m++] = this.astral.get(cp) as number;
        i++;
      } else {
        ids[m++] = this.bmp[c];
      }
    }
    const count = this.merger.merge(ids, m);
    if (out !== undefined) {
      for (let i = 0; i < count; i++) out.push(ids[i]);
    } else if (key !== undefined) {
      if (this.chunkCache.size >= this.chunkCacheSize) this.chunkCache.clear();
      this.chunkCache.set(key, count);
    }
    return count;
  }
}
