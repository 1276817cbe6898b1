import assert from 'node:assert/strict';
import {
  ContentFingerprintStream,
  contentFingerprint,
  contentFingerprintBytes,
  lastContentUnits,
  lastFingerprint,
} from '../../../common/engine/hash/fingerprint.ts';
import { createRandom } from '../json/fuzz-helpers.ts';

function ofText(text: string): [number, number] {
  contentFingerprint(text);
  return [lastFingerprint.hi, lastFingerprint.lo];
}

function ofBytes(text: string, junk = ''): [number, number] | undefined {
  const bytes = new TextEncoder().encode(`${junk}${text}"tail`);
  const close = contentFingerprintBytes(bytes, junk.length, bytes.length);
  if (close < 0) return undefined;
  assert.equal(close, bytes.length - '"tail'.length);
  assert.equal(lastContentUnits, text.length);
  return [lastFingerprint.hi, lastFingerprint.lo];
}

describe('contentFingerprintBytes', function () {
  it('equals contentFingerprint on plain ASCII of every length and alignment', function () {
    const random = createRandom(7);
    for (let length = 0; length < 70; length++) {
      for (let k = 0; k < 20; k++) {
        let text = '';
        for (let i = 0; i < length; i++)
          text += String.fromCharCode(32 + Math.floor(random() * 95));
        text = text.replace(/["\\]/g, 'x');
        assert.deepEqual(ofBytes(text, ' '.repeat(k % 5)), ofText(text), JSON.stringify(text));
      }
    }
  });

  it('tells apart texts that differ in one character or in where they split', function () {
    const seen = new Set<string>();
    const base = 'The quick brown fox jumps over the lazy dog';
    for (let i = 0; i < base.length; i++) {
      seen.add(ofText(base.slice(0, i) + '_' + base.slice(i + 1)).join());
      seen.add(ofText(base.slice(0, i)).join());
    }
    assert.equal(seen.size, base.length * 2);
  });

  it('equals contentFingerprint of the decoded text on UTF-8 of every width and alignment', function () {
    const random = createRandom(17);
    const pieces = ['a', ' ', 'é', '€', '日', '\u2028', '\u00a0', '\ufeff', '😀', '𝔘', 'Z'];
    for (let length = 0; length < 40; length++) {
      for (let k = 0; k < 12; k++) {
        let text = '';
        for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
        assert.deepEqual(ofBytes(text, ' '.repeat(k % 5)), ofText(text), JSON.stringify(text));
      }
    }
  });

  it('stops at bytes that are not well-formed UTF-8', function () {
    const sequences = [
      [0x80], // a continuation byte alone
      [0xc0, 0xaf], // overlong '/'
      [0xe0, 0x80, 0xaf], // overlong, three bytes
      [0xed, 0xa0, 0x80], // a surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82], // cut short by the quote
      [0xff],
    ];
    for (const sequence of sequences) {
      const bytes = Uint8Array.from([0x61, 0x62, 0x63, 0x64, 0x65, ...sequence, 0x22]);
      assert.equal(contentFingerprintBytes(bytes, 0, bytes.length), -1, sequence.join(' '));
    }
  });

  it('stops at a backslash, a control character or the end', function () {
    for (const bad of ['a\\nb', 'tab\there', 'caf\u00e9\\', 'x\u0001']) {
      assert.equal(ofBytes(bad), undefined, JSON.stringify(bad));
    }
    const bytes = new TextEncoder().encode('no closing quote here');
    assert.equal(contentFingerprintBytes(bytes, 0, bytes.length), -1);
  });
});

describe('ContentFingerprintStream', function () {
  it('equals contentFingerprint of the joined text, however the text is cut', function () {
    const random = createRandom(11);
    const stream = new ContentFingerprintStream();
    for (let round = 0; round < 3000; round++) {
      const pieces: string[] = [];
      const count = Math.floor(random() * 7);
      for (let p = 0; p < count; p++) {
        let piece = '';
        const length = Math.floor(random() * 11);
        for (let i = 0; i < length; i++)
          piece += String.fromCharCode(32 + Math.floor(random() * 95));
        pieces.push(piece);
      }
      stream.reset();
      for (const [p, piece] of pieces.entries()) {
        if (p % 2 === 0) {
          stream.text(piece);
        } else {
          // At an odd offset in a larger buffer, so words straddle the piece's edges.
          const offset = 1 + (round % 4);
          const bytes = new Uint8Array(piece.length + offset + 3).fill(0x7f);
          for (let i = 0; i < piece.length; i++) bytes[offset + i] = piece.charCodeAt(i);
          stream.bytes(bytes, offset, offset + piece.length);
        }
      }
      stream.finish();
      const streamed = [lastFingerprint.hi, lastFingerprint.lo];
      assert.deepEqual(streamed, ofText(pieces.join('')), JSON.stringify(pieces));
    }
  });

  it('takes UTF-8 bytes as the units they decode to', function () {
    const random = createRandom(23);
    const chars = ['a', 'é', '€', '日', '😀', ' ', '\u2028'];
    const stream = new ContentFingerprintStream();
    const encoder = new TextEncoder();
    for (let round = 0; round < 500; round++) {
      const pieces: string[] = [];
      for (let p = 0; p < 1 + Math.floor(random() * 5); p++) {
        let piece = '';
        for (let i = Math.floor(random() * 9); i > 0; i--) {
          piece += chars[Math.floor(random() * chars.length)];
        }
        pieces.push(piece);
      }
      stream.reset();
      for (const [p, piece] of pieces.entries()) {
        if (p % 2 === 0) stream.text(piece);
        else {
          const bytes = encoder.encode(`xy${piece}z`);
          stream.utf8(bytes, 2, bytes.length - 1);
        }
      }
      stream.finish();
      const streamed = [lastFingerprint.hi, lastFingerprint.lo];
      assert.deepEqual(streamed, ofText(pieces.join('')), JSON.stringify(pieces));
    }
  });
});
