import { BpeMerger } from './bpe-merger.ts';
import { PairTable } from './pair-table.ts';

/**
 * BPE vocabulary and merges in a compact form: what an encoder needs and nothing to decode. A
 * host keeps it in a file (`encodeCompact`, written by scripts/tokenizer-data.ts at build time)
 * and builds the encoder from it without importing the tokenizer package, whose own decoded
 * maps (a 280,000-entry merge map for Llama 3) a worker would otherwise keep for good.
 */
export interface CompactBpeData {
  /** Token spellings by id, joined by '\n' (no spelling holds a newline; checked when made). */
  vocab: string;
  /** Per merge, in rank order: left id, right id, merged id. */
  merges: Int32Array;
}

/**
 * The compact form of a vocabulary and its merges ('left right' → priority, lower first),
 * every merge resolved to token ids once. `check` may refuse a merge (it throws).
 */
export function compactMerges(
  vocabById: readonly string[],
  merges: ReadonlyMap<string, number>,
  check?: (left: string, right: string, key: string) => void,
): CompactBpeData {
  const byString = new Map<string, number>();
  vocabById.forEach((s, id) => {
    if (s.includes('\n')) throw new Error(`token ${id} holds a newline`);
    byString.set(s, id);
  });
  const ordered = [...merges.entries()];
  // Packages store merges in priority order; sort only if some other data does not.
  if (ordered.some((e, i) => i > 0 && e[1] < ordered[i - 1][1])) {
    ordered.sort((a, b) => a[1] - b[1]);
  }
  const out = new Int32Array(ordered.length * 3);
  ordered.forEach(([key], rank) => {
    const space = key.indexOf(' ');
    const left = key.slice(0, space);
    const right = key.slice(space + 1);
    const l = byString.get(left);
    const r = byString.get(right);
    const m = byString.get(left + right);
    if (space < 0 || l === undefined || r === undefined || m === undefined) {
      throw new Error(`merge '${key}' does not resolve to vocabulary tokens`);
    }
    check?.(left, right, key);
    out[3 * rank] = l;
    out[3 * rank + 1] = r;
    out[3 * rank + 2] = m;
  });
  return { vocab: vocabById.join('\n'), merges: out };
}

/** Tokens in a compact vocabulary. */
function compactTokenCount(data: CompactBpeData): number {
  let tokens = 1;
  for (let at = data.vocab.indexOf('\n'); at >= 0; at = data.vocab.indexOf('\n', at + 1)) {
    tokens++;
  }
  return tokens;
}

/** The merger over compact data's merges, ranked in their order (dense ranks: small heap keys). */
export function compactMerger(data: CompactBpeData): BpeMerger {
  const tokens = compactTokenCount(data);
  const count = data.merges.length / 3;
  const pairs = new PairTable(count);
  const mergedId = new Int32Array(count);
  const leftId = new Int32Array(count);
  const rightId = new Int32Array(count);
  for (let rank = 0; rank < count; rank++) {
    const l = data.merges[3 * rank];
    const r = data.merges[3 * rank + 1];
    const m = data.merges[3 * rank + 2];
    if (!(l < tokens && r < tokens && m < tokens)) {
      throw new Error(`merge ${rank} names a token the vocabulary lacks`);
    }
    pairs.set(l, r, rank);
    mergedId[rank] = m;
    leftId[rank] = l;
    rightId[rank] = r;
  }
  return new BpeMerger(pairs, mergedId, leftId, rightId);
}

const COMPACT_MAGIC = 0x31424c42; // 'BLB1', little-endian

/**
 * The bytes of a compact form: 'BLB1', the vocabulary's UTF-8 length (u32), the vocabulary,
 * zero padding to a multiple of four, then the merges as little-endian int32.
 */
export function encodeCompact(data: CompactBpeData): Uint8Array {
  const vocab = new TextEncoder().encode(data.vocab);
  const padded = Math.ceil(vocab.length / 4) * 4;
  const out = new Uint8Array(8 + padded + data.merges.length * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, COMPACT_MAGIC, true);
  view.setUint32(4, vocab.length, true);
  out.set(vocab, 8);
  for (let i = 0; i < data.merges.length; i++) {
    view.setInt32(8 + padded + 4 * i, data.merges[i], true);
  }
  return out;
}

/** The compact form in `bytes` (from `encodeCompact`); throws on anything else. */
export function decodeCompact(bytes: Uint8Array): CompactBpeData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== COMPACT_MAGIC) {
    throw new Error('not a compact BPE file');
  }
  const vocabLength = view.getUint32(4, true);
  const padded = Math.ceil(vocabLength / 4) * 4;
  const mergeBytes = bytes.byteLength - 8 - padded;
  if (vocabLength > bytes.byteLength - 8 || mergeBytes < 0 || mergeBytes % 12 !== 0) {
    throw new Error('truncated compact BPE file');
  }
  const vocab = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
    bytes.subarray(8, 8 + vocabLength),
  );
  const merges = new Int32Array(mergeBytes / 4);
  for (let i = 0; i < merges.length; i++) merges[i] = view.getInt32(8 + padded + 4 * i, true);
  return { vocab, merges };
}
