import { Buffer } from 'node:buffer';
import type { ByteOps } from '../../../common/engine/fast/byte-ops.ts';

/** Below a few dozen bytes the call into C++ costs more than comparing in JavaScript. */
const NATIVE_COMPARE_MIN = 64;

/**
 * Buffer's methods, which accept any Uint8Array as `this`, so the engine's own arrays need no
 * Buffer wrapping (a new Buffer object per call would cost more than the call saves).
 */
interface NativeBytes {
  compare: (
    this: Uint8Array,
    target: Uint8Array,
    targetStart: number,
    targetEnd: number,
    sourceStart: number,
    sourceEnd: number,
  ) => number;
  latin1Slice: (this: Uint8Array, start: number, end: number) => string;
}
const native = Buffer.prototype as unknown as NativeBytes;

/** Node's native comparison (memcmp) and Latin-1 decoding for the fast path. */
export const nodeByteOps: ByteOps = {
  ascii(bytes, start, end) {
    // ASCII is Latin-1.
    return native.latin1Slice.call(bytes, start, end);
  },
  equal(a, aStart, b, bStart, length) {
    if (length < NATIVE_COMPARE_MIN) {
      for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
      return true;
    }
    return native.compare.call(a, b, bStart, bStart + length, aStart, aStart + length) === 0;
  },
};
