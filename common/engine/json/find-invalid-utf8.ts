/**
 * Finds the first byte of the first ill-formed UTF-8 sequence in `bytes[start, end)`, or
 * returns -1 when the range is valid UTF-8. "Ill-formed" follows the WHATWG Encoding
 * standard, the same rules TextDecoder uses: overlong forms, surrogates (U+D800–U+DFFF),
 * code points above U+10FFFF, stray continuation bytes and sequences cut short by `end`.
 * The returned index is where TextDecoder puts its first U+FFFD.
 */
export function findInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b < 0xc2 || b > 0xf4) return i;
    if (b < 0xe0) {
      if (i + 1 >= end || !isContinuation(bytes[i + 1])) return i;
      i += 2;
      continue;
    }
    // The second byte of 3- and 4-byte sequences has a narrower range that excludes overlong
    // forms, surrogates and code points above U+10FFFF.
    let low = 0x80;
    let high = 0xbf;
    if (b === 0xe0) low = 0xa0;
    else if (b === 0xed) high = 0x9f;
    else if (b === 0xf0) low = 0x90;
    else if (b === 0xf4) high = 0x8f;
    if (i + 1 >= end) return i;
    const second = bytes[i + 1];
    if (second < low || second > high) return i;
    if (i + 2 >= end || !isContinuation(bytes[i + 2])) return i;
    if (b < 0xf0) {
      i += 3;
      continue;
    }
    if (i + 3 >= end || !isContinuation(bytes[i + 3])) return i;
    i += 4;
  }
  return -1;
}

function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}
