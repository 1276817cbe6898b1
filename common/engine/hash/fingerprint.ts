/**
 * 64-bit fingerprints of strings, as two 32-bit halves, for sets and maps that must stay small
 * on million-line files (conversation ids, duplicate samples). With 64 bits, the chance that any
 * two of ten million distinct strings share a fingerprint is about 3 in a million.
 *
 * Two independent chains run over the UTF-16 code units (so no UTF-8 encoding is needed): each
 * step xors the unit in, multiplies by an odd constant and folds the high bits back down. Every
 * step is a bijection of the chain's state, so no information is lost along the way; a final
 * avalanche mixes length and both chains into each half.
 */
export interface Fingerprint {
  hi: number;
  lo: number;
}

/** Written by `fingerprintHalves`; read it right after the call. */
export const lastFingerprint: Fingerprint = { hi: 0, lo: 0 };

/** Fingerprints `text` into `lastFingerprint` without allocating. */
export function fingerprintHalves(text: string): void {
  let a = 0x6a09e667;
  let b = 0xbb67ae85;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x85ebca6b);
    a ^= a >>> 13;
    b = Math.imul(b ^ c, 0x27d4eb2f);
    b ^= b >>> 15;
  }
  a ^= n;
  b ^= Math.imul(n, 0x9e3779b9);
  lastFingerprint.hi = avalanche(a ^ Math.imul(b, 0x2545f491));
  lastFingerprint.lo = avalanche(b ^ Math.imul(lastFingerprint.hi, 0x61c88647));
}

/** The 64-bit fingerprint of `text` as a new object. */
export function fingerprint(text: string): Fingerprint {
  fingerprintHalves(text);
  return { hi: lastFingerprint.hi, lo: lastFingerprint.lo };
}

/** Murmur3's 32-bit finaliser: each input bit flips each output bit with probability ~1/2. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
