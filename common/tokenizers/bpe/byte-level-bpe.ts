import type { BpeMerger } from './bpe-merger.ts';
import { compactMerger, compactMerges, type CompactBpeData } from './compact-data.ts';

/** Vocabulary and merges as `llama3-tokenizer-js` keeps them (GPT-2 byte-to-unicode strings). */
export interface ByteLevelData {
  /** Token strings by id, bytes written with the GPT-2 byte-to-unicode table; specials last. */
  vocabById: readonly string[];
  /** 'left right' (two token strings joined by one space) → priority; lower merges first. */
  merges: ReadonlyMap<string, number>;
}

export interface ByteLevelOptions {
  /** Pre-tokenizer: a global, unicode regex whose matches are the pieces BPE runs on. */
  pattern: RegExp;
  /** Special-token strings recognised in text (one token each); a global regex. */
  specials?: RegExp;
  /** Pieces whose count is remembered; 0 disables. Cleared when full. */
  pieceCacheSize?: number;
}

/**
 * The GPT-2 byte-to-unicode table: printable Latin-1 bytes stand for themselves, the other bytes
 * for code points from U+0100 up, in byte order. Byte-level vocabularies spell tokens with it.
 */
function byteToUnicode(): string[] {
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 0x100;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(printable(b) ? b : next++));
  return table;
}

/**
 * A byte-level BPE encoder (tiktoken style, as Llama 3 uses): split the text at special tokens,
 * cut the rest into pieces with the pre-tokenizer regex, and for each piece take its UTF-8 bytes;
 * a piece that is itself a vocabulary token is that token, otherwise its byte tokens are merged
 * lowest rank first, leftmost first among equals. Piece counts are cached.
 */
export class ByteLevelBpe {
  private readonly byteIds = new Int32Array(256);
  private readonly byteChars = byteToUnicode();
  /**
   * Token ids by spelling, built on first use: only a special token in the text or a piece
   * with a lone surrogate needs it, and for Llama 3 it is a 128,000-entry map.
   */
  private byStringMap: Map<string, number> | undefined;
  private readonly pieceCache = new Map<string, number>();
  private readonly pieceCacheSize: number;
  private readonly pattern: RegExp;
  private readonly specials: RegExp | undefined;
  private scratch = new Int32Array(256);
  /** Tokens by the text they decode to (tokens whose bytes are whole UTF-8 characters). */
  private readonly wholeByText = new Map<string, number>();
  private readonly idToByteChar = new Map<number, string>();
  private lastWellFormed = true;

  private constructor(
    private readonly vocab: string,
    private readonly merger: BpeMerger,
    options: ByteLevelOptions,
  ) {
    const vocabById = vocab.split('\n');
    const charToByte = new Int16Array(0x200).fill(-1);
    this.byteChars.forEach((c, b) => (charToByte[c.charCodeAt(0)] = b));
    // Each byte's token: the token spelled with that byte's character alone (the last, should
    // two share a spelling, as a map from spellings would keep).
    this.byteIds.fill(-1);
    vocabById.forEach((spelled, id) => {
      const c = spelled.length === 1 ? spelled.charCodeAt(0) : -1;
      const b = c >= 0 && c < 0x200 ? charToByte[c] : -1;
      if (b >= 0) this.byteIds[b] = id;
    });
    for (let b = 0; b < 256; b++) {
      const id = this.byteIds[b];
      if (id < 0) throw new Error(`byte-level vocabulary lacks byte ${b}`);
      this.idToByteChar.set(id, this.byteChars[b]);
    }
    // ignoreBOM keeps a leading U+FEFF: a token for BOM + '\n\n' must not read as '\n\n'.
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let bytes = new Uint8Array(64);
    vocabById.forEach((spelled, id) => {
      if (bytes.length < spelled.length) bytes = new Uint8Array(spelled.length * 2);
      for (let i = 0; i < spelled.length; i++) {
        const c = spelled.charCodeAt(i);
        const b = c < 0x200 ? charToByte[c] : -1;
        if (b < 0) return; // not a byte-level spelling (none in Llama 3's data)
        bytes[i] = b;
      }
      try {
        this.wholeByText.set(decoder.decode(bytes.subarray(0, spelled.length)), id);
      } catch {
        // Not whole UTF-8 characters: such a token can only be reached by merges or by spelling.
      }
    });
    if (!options.pattern.global || !options.pattern.unicode) {
      throw new Error('the pre-tokenizer pattern must have the g and u flags');
    }
    this.pattern = options.pattern;
    this.specials = options.specials;
    this.pieceCacheSize = options.pieceCacheSize ?? 65536;
  }

  static fromData(data: ByteLevelData, options: ByteLevelOptions): ByteLevelBpe {
    return ByteLevelBpe.fromCompact(ByteLevelBpe.toCompact(data), options);
  }

  /** The compact form of `data` (see CompactBpeData), for a host to keep in a file. */
  static toCompact(data: ByteLevelData): CompactBpeData {
    // Byte-level token strings never contain a space (0x20 is spelled 'Ġ').
    return compactMerges(data.vocabById, data.merges);
  }

  static fromCompact(data: CompactBpeData, options: ByteLevelOptions): ByteLevelBpe {
    return new ByteLevelBpe(data.vocab, compactMerger(data), options);
  }

  private get byString(): Map<string, number> {
    if (this.byStringMap === undefined) {
      const map = new Map<string, number>();
      this.vocab.split('\n').forEach((s, id) => map.set(s, id));
      this.byStringMap = map;
    }
    return this.byStringMap;
  }

  /** Token ids of `text` (specials in the text become their ids; no BOS/EOS added). */
  encode(text: string): number[] {
    const out: number[] = [];
    this.run(text, out);
    return out;
  }

  count(text: string): number {
    return this.run(text, undefined);
  }

  private run(text: string, out: number[] | undefined): number {
    if (this.specials === undefined || !text.includes('<|')) return this.plain(text, out);
    let total = 0;
    let last = 0;
    for (const m of text.matchAll(this.specials)) {
      total += this.plain(text.slice(last, m.index), out);
      const id = this.byString.get(m[0]);
      if (id === undefined) throw new Error(`special token ${m[0]} is not in the vocabulary`);
      out?.push(id);
      total++;
      last = m.index + m[0].length;
    }
    return total + this.plain(text.slice(last), out);
  }

  private plain(text: string, out: number[] | undefined): number {
    let total = 0;
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      total += this.piece(m[0], out);
    }
    return total;
  }

  private piece(piece: string, out: number[] | undefined): number {
    if (out === undefined && this.pieceCacheSize > 0) {
      const hit = this.pieceCache.get(piece);
      if (hit !== undefined) return hit;
    }
    const n = this.toByteIds(piece);
    const ids = this.scratch;
    // A piece that is a whole token is that token, even where merges would not reach it. A
    // piece with a lone surrogate is looked up by its bytes (the surrogate became U+FFFD).
    const whole = this.lastWellFormed
      ? this.wholeByText.get(piece)
      : this.byString.get(this.spell(ids, n));
    let count: number;
    if (whole !== undefined) {
      ids[0] = whole;
      count = 1;
    } else {
      count = this.merger.merge(ids, n);
    }
    if (out !== undefined) {
      for (let i = 0; i < count; i++) out.push(ids[i]);
    } else if (this.pieceCacheSize > 0) {
      if (this.pieceCache.size >= this.pieceCacheSize) this.pieceCache.clear();
      this.pieceCache.set(piece, count);
    }
    return count;
  }

  /** Writes the byte tokens of `piece`'s UTF-8 bytes to `scratch`; returns how many. */
  private toByteIds(piece: string): number {
    if (this.scratch.length < piece.length * 3) this.scratch = new Int32Array(piece.length * 6);
    const ids = this.scratch;
    const b = this.byteIds;
    let n = 0;
    this.lastWellFormed = true;
    for (let i = 0; i < piece.length; i++) {
      let cp = piece.charCodeAt(i);
      if (cp < 0x80) {
        ids[n++] = b[cp];
        continue;
      }
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const d = i + 1 < piece.length ? piece.charCodeAt(i + 1) : 0;
        if (cp <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
        } else {
          cp = 0xfffd; // TextEncoder's answer to a lone surrogate
          this.lastWellFormed = false;
        }
      }
      if (cp < 0x800) {
        ids[n++] = b[0xc0 | (cp >> 6)];
      } else if (cp < 0x10000) {
        ids[n++] = b[0xe0 | (cp >> 12)];
        ids[n++] = b[0x80 | ((cp >> 6) & 63)];
      } else {
        ids[n++] = b[0xf0 | (cp >> 18)];
        ids[n++] = b[0x80 | ((cp >> 12) & 63)];
        ids[n++] = b[0x80 | ((cp >> 6) & 63)];
      }
      ids[n++] = b[0x80 | (cp & 63)];
    }
    return n;
  }

  /** The vocabulary spelling of byte tokens (each is one byte character). */
  private spell(ids: Int32Array, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.idToByteChar.get(ids[i]);
    return s;
  }
}
