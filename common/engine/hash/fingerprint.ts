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

/**
 * `fingerprintHalves` of the text whose UTF-16 code units are the bytes `bytes[start, end)`:
 * for ASCII bytes, the fingerprint of the decoded string. The byte-level fast path
 * (common/engine/fast) hashes without decoding and still lands on the keys the string path uses.
 */
export function fingerprintBytes(bytes: Uint8Array, start: number, end: number): void {
  let a = 0x6a09e667;
  let b = 0xbb67ae85;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    a = Math.imul(a ^ c, 0x85ebca6b);
    a ^= a >>> 13;
    b = Math.imul(b ^ c, 0x27d4eb2f);
    b ^= b >>> 15;
  }
  const n = end - start;
  a ^= n;
  b ^= Math.imul(n, 0x9e3779b9);
  lastFingerprint.hi = avalanche(a ^ Math.imul(b, 0x2545f491));
  lastFingerprint.lo = avalanche(b ^ Math.imul(lastFingerprint.hi, 0x61c88647));
}

/**
 * The last step of `fingerprintBytes`, for a caller that ran the two chains itself (the fast
 * path checks bytes in the same loop): `a` and `b` after `length` units.
 */
export function finishFingerprint(a: number, b: number, length: number): void {
  a ^= length;
  b ^= Math.imul(length, 0x9e3779b9);
  lastFingerprint.hi = avalanche(a ^ Math.imul(b, 0x2545f491));
  lastFingerprint.lo = avalanche(b ^ Math.imul(lastFingerprint.hi, 0x61c88647));
}

/**
 * `fingerprintHalves` of a text given in pieces (string pieces and ASCII byte ranges), without
 * joining them: the chains run over the concatenation. `finish` leaves the result in
 * `lastFingerprint`.
 */
export class FingerprintStream {
  private a = 0x6a09e667;
  private b = 0xbb67ae85;
  private n = 0;

  reset(): void {
    this.a = 0x6a09e667;
    this.b = 0xbb67ae85;
    this.n = 0;
  }

  text(text: string): void {
    let { a, b } = this;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x85ebca6b);
      a ^= a >>> 13;
      b = Math.imul(b ^ c, 0x27d4eb2f);
      b ^= b >>> 15;
    }
    this.a = a;
    this.b = b;
    this.n += n;
  }

  bytes(bytes: Uint8Array, start: number, end: number): void {
    let { a, b } = this;
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      a = Math.imul(a ^ c, 0x85ebca6b);
      a ^= a >>> 13;
      b = Math.imul(b ^ c, 0x27d4eb2f);
      b ^= b >>> 15;
    }
    this.a = a;
    this.b = b;
    this.n += end - start;
  }

  finish(): void {
    const n = this.n;
    const a = this.a ^ n;
    const b = this.b ^ Math.imul(n, 0x9e3779b9);
    lastFingerprint.hi = avalanche(a ^ Math.imul(b, 0x2545f491));
    lastFingerprint.lo = avalanche(b ^ Math.imul(lastFingerprint.hi, 0x61c88647));
  }
}

/**
 * A 64-bit fingerprint of message contents, the bulk of a line: like `fingerprintHalves` but
 * taking four UTF-16 units per step (two chains, each fed two units packed in one word), about
 * three times faster. `contentFingerprintBytes` gives the same result from ASCII bytes, which
 * the fast path hashes without decoding.
 */
export function contentFingerprint(text: string): void {
  let a = 0x6a09e667;
  let b = 0xbb67ae85;
  const n = text.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a = Math.imul(a ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x85ebca6b);
    a ^= a >>> 15;
    b = Math.imul(b ^ (text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16)), 0x27d4eb2f);
    b ^= b >>> 13;
  }
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a ^= a >>> 15;
    b = Math.imul(b ^ c, 0x1b873593);
    b ^= b >>> 13;
  }
  finishFingerprint(a, b, n);
}

/** A DataView of the buffer hashed last, for reading four bytes at a time. */
let viewBuffer: ArrayBufferLike | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * UTF-16 units of the string `contentFingerprintBytes` hashed last: its byte length when it is
 * ASCII, fewer when it holds multi-byte characters.
 */
export let lastContentUnits = 0;

/**
 * `contentFingerprint` of the string, without escapes, that starts at `from` and ends at the
 * next '"' before `end`, given as its UTF-8 bytes: the hash runs over the UTF-16 units the bytes
 * decode to. Returns the offset of that quote, or -1 when a control character, a backslash,
 * a byte sequence that is not UTF-8 (overlong, a surrogate, cut short) or the end comes first
 * (the caller then takes the slow path). `lastContentUnits` tells its length in UTF-16 units.
 */
export function contentFingerprintBytes(bytes: Uint8Array, from: number, end: number): number {
  let a = 0x6a09e667;
  let b = 0xbb67ae85;
  if (bytes.buffer !== viewBuffer) {
    viewBuffer = bytes.buffer;
    view = new DataView(bytes.buffer);
  }
  const words = view;
  const base = bytes.byteOffset;
  let i = from;
  // Four bytes per step, checked together (SWAR): any byte that is non-ASCII, below 0x20, a
  // quote or a backslash ends the fast loop and the byte loop below looks closer.
  for (; i + 4 <= end; i += 4) {
    const w = words.getUint32(base + i, true);
    const quote = w ^ 0x22222222;
    const backslash = w ^ 0x5c5c5c5c;
    const special =
      (w & 0x80808080) |
      ((w - 0x20202020) & ~w & 0x80808080) |
      ((quote - 0x01010101) & ~quote & 0x80808080) |
      ((backslash - 0x01010101) & ~backslash & 0x80808080);
    if (special !== 0) break;
    a = Math.imul(a ^ ((w & 0xff) | ((w & 0xff00) << 8)), 0x85ebca6b);
    a ^= a >>> 15;
    b = Math.imul(b ^ (((w >>> 16) & 0xff) | ((w >>> 8) & 0xff0000)), 0x27d4eb2f);
    b ^= b >>> 13;
  }
  // Here i - from is a multiple of four: no unit waits for a step.
  const wordStart = i;
  const wordA = a;
  const wordB = b;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c === 34) {
      lastContentUnits = i - from;
      finishFingerprint(a, b, i - from);
      return i;
    }
    if (c > 127)
      return utf8ContentFingerprint(bytes, wordStart, end, wordA, wordB, wordStart - from);
    if (c < 32 || c === 92) return -1;
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a ^= a >>> 15;
    b = Math.imul(b ^ c, 0x1b873593);
    b ^= b >>> 13;
  }
  return -1;
}

/**
 * The rest of `contentFingerprintBytes` once a multi-byte character shows up: from `i`, where
 * `units` units (a multiple of four) are already in the chains `a` and `b`, one UTF-16 unit at
 * a time, four per step as `contentFingerprint` takes them, the last n mod 4 one per step.
 */
function utf8ContentFingerprint(
  bytes: Uint8Array,
  i: number,
  end: number,
  a: number,
  b: number,
  units: number,
): number {
  // Units waiting for a full step of four; n counts every unit taken so far.
  let u0 = 0;
  let u1 = 0;
  let u2 = 0;
  let n = units;
  let second = -1;
  while (i < end) {
    let c = bytes[i];
    if (c === 34) {
      const tail = n & 3;
      for (let j = 0; j < tail; j++) {
        const u = j === 0 ? u0 : j === 1 ? u1 : u2;
        a = Math.imul(a ^ u, 0xcc9e2d51);
        a ^= a >>> 15;
        b = Math.imul(b ^ u, 0x1b873593);
        b ^= b >>> 13;
      }
      lastContentUnits = n;
      finishFingerprint(a, b, n);
      return i;
    }
    if (c < 128) {
      if (c < 32 || c === 92) return -1;
      i++;
    } else {
      const point = utf8CodePoint(bytes, i, end);
      if (point < 0) return -1;
      i += utf8Width(point);
      if (point >= 0x10000) {
        c = 0xd800 + ((point - 0x10000) >> 10);
        second = 0xdc00 + ((point - 0x10000) & 0x3ff);
      } else {
        c = point;
      }
    }
    // One unit, or the two of a surrogate pair.
    for (;;) {
      switch (n++ & 3) {
        case 0:
          u0 = c;
          break;
        case 1:
          u1 = c;
          break;
        case 2:
          u2 = c;
          break;
        default:
          a = Math.imul(a ^ (u0 | (u1 << 16)), 0x85ebca6b);
          a ^= a >>> 15;
          b = Math.imul(b ^ (u2 | (c << 16)), 0x27d4eb2f);
          b ^= b >>> 13;
      }
      if (second < 0) break;
      c = second;
      second = -1;
    }
  }
  return -1;
}

/** Bytes of the UTF-8 sequence of a code point at or above U+0080. */
export function utf8Width(point: number): number {
  return point >= 0x10000 ? 4 : point >= 0x800 ? 3 : 2;
}

/**
 * The code point of the UTF-8 sequence that starts with the lead byte `bytes[i]` (≥ 0x80), or
 * -1 when it is not well-formed UTF-8: a stray continuation byte, an overlong form, a
 * surrogate, a value above U+10FFFF or a sequence cut short by `end` (what TextDecoder would
 * replace with U+FFFD).
 */
export function utf8CodePoint(bytes: Uint8Array, i: number, end: number): number {
  const lead = bytes[i];
  const cont = (k: number): number => {
    const c = i + k < end ? bytes[i + k] : -1;
    return (c & 0xc0) === 0x80 ? c & 0x3f : -1;
  };
  if (lead >= 0xc2 && lead <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? -1 : ((lead & 0x1f) << 6) | c1;
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return -1;
    const point = ((lead & 0x0f) << 12) | (c1 << 6) | c2;
    return point < 0x800 || (point >= 0xd800 && point <= 0xdfff) ? -1 : point;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return -1;
    const point = ((lead & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    return point < 0x10000 || point > 0x10ffff ? -1 : point;
  }
  return -1;
}

/**
 * `contentFingerprint` of a text given in pieces (string pieces and ASCII byte ranges), without
 * joining them: the same four-units-per-step chains run over the concatenation, with up to
 * three units carried between pieces. The byte-level fast path hashes a line's canonical
 * conversation context (BRL035) with it, about four times faster than `FingerprintStream`.
 */
export class ContentFingerprintStream {
  private a = 0x6a09e667;
  private b = 0xbb67ae85;
  private n = 0;
  /** Units waiting for a full step (n mod 4 of them). */
  private u0 = 0;
  private u1 = 0;
  private u2 = 0;
  private viewBuffer: ArrayBufferLike | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  reset(): void {
    this.a = 0x6a09e667;
    this.b = 0xbb67ae85;
    this.n = 0;
  }

  /** One more unit. */
  private unit(c: number): void {
    switch (this.n++ & 3) {
      case 0:
        this.u0 = c;
        return;
      case 1:
        this.u1 = c;
        return;
      case 2:
        this.u2 = c;
        return;
      default: {
        const a = Math.imul(this.a ^ (this.u0 | (this.u1 << 16)), 0x85ebca6b);
        this.a = a ^ (a >>> 15);
        const b = Math.imul(this.b ^ (this.u2 | (c << 16)), 0x27d4eb2f);
        this.b = b ^ (b >>> 13);
      }
    }
  }

  text(text: string): void {
    const length = text.length;
    let i = 0;
    while ((this.n & 3) !== 0 && i < length) this.unit(text.charCodeAt(i++));
    let a = this.a;
    let b = this.b;
    const from = i;
    for (; i + 4 <= length; i += 4) {
      a = Math.imul(a ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x85ebca6b);
      a ^= a >>> 15;
      b = Math.imul(b ^ (text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16)), 0x27d4eb2f);
      b ^= b >>> 13;
    }
    this.a = a;
    this.b = b;
    this.n += i - from;
    while (i < length) this.unit(text.charCodeAt(i++));
  }

  /**
   * The UTF-8 bytes `bytes[start, end)`, well-formed (the scanner checked them), decoded to
   * UTF-16 units one by one: for a range that holds multi-byte characters.
   */
  utf8(bytes: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end) {
      const c = bytes[i];
      if (c < 128) {
        this.unit(c);
        i++;
        continue;
      }
      const point = utf8CodePoint(bytes, i, end);
      if (point < 0) throw new Error('ContentFingerprintStream.utf8: not well-formed UTF-8');
      i += utf8Width(point);
      if (point >= 0x10000) {
        this.unit(0xd800 + ((point - 0x10000) >> 10));
        this.unit(0xdc00 + ((point - 0x10000) & 0x3ff));
      } else {
        this.unit(point);
      }
    }
  }

  /** The ASCII bytes `bytes[start, end)`. */
  bytes(bytes: Uint8Array, start: number, end: number): void {
    let i = start;
    while ((this.n & 3) !== 0 && i < end) this.unit(bytes[i++]);
    if (i + 4 <= end) {
      if (bytes.buffer !== this.viewBuffer) {
        this.viewBuffer = bytes.buffer;
        this.view = new DataView(bytes.buffer);
      }
      const words = this.view;
      const base = bytes.byteOffset;
      let a = this.a;
      let b = this.b;
      const from = i;
      for (; i + 4 <= end; i += 4) {
        const w = words.getUint32(base + i, true);
        a = Math.imul(a ^ ((w & 0xff) | ((w & 0xff00) << 8)), 0x85ebca6b);
        a ^= a >>> 15;
        b = Math.imul(b ^ (((w >>> 16) & 0xff) | ((w >>> 8) & 0xff0000)), 0x27d4eb2f);
        b ^= b >>> 13;
      }
      this.a = a;
      this.b = b;
      this.n += i - from;
    }
    while (i < end) this.unit(bytes[i++]);
  }

  /** The fingerprint of everything given since `reset`, into `lastFingerprint`. */
  finish(): void {
    const n = this.n;
    let a = this.a;
    let b = this.b;
    const tail = n & 3;
    // The last n mod 4 units, one per step, as contentFingerprint's tail loop takes them.
    for (let j = 0; j < tail; j++) {
      const c = j === 0 ? this.u0 : j === 1 ? this.u1 : this.u2;
      a = Math.imul(a ^ c, 0xcc9e2d51);
      a ^= a >>> 15;
      b = Math.imul(b ^ c, 0x1b873593);
      b ^= b >>> 13;
    }
    finishFingerprint(a, b, n);
  }
}
