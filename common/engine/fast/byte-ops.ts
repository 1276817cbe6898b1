/**
 * The byte primitives the fast path leans on. The portable versions below run in any
 * JavaScript engine; a host with faster native ones (Node's Buffer: memcmp, Latin-1 decoding)
 * passes its own, as the CLI does (server/src/cli/node-byte-ops.ts).
 */
export interface ByteOps {
  /** True when `a[aStart, aStart + length)` equals `b[bStart, bStart + length)`. */
  equal(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean;
  /** The string of the ASCII bytes `bytes[start, end)`. */
  ascii(bytes: Uint8Array, start: number, end: number): string;
}

const asciiDecoder = new TextDecoder();

export const portableByteOps: ByteOps = {
  equal(a, aStart, b, bStart, length) {
    for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
    return true;
  },
  ascii(bytes, start, end) {
    return asciiDecoder.decode(bytes.subarray(start, end));
  },
};
