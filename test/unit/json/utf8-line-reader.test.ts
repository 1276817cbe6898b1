import assert from 'node:assert/strict';
import { findInvalidUtf8 } from '../../../common/engine/json/find-invalid-utf8.ts';
import type { ReaderLine } from '../../../common/engine/json/utf8-line-reader.ts';
import { Utf8LineReader } from '../../../common/engine/json/utf8-line-reader.ts';

const encoder = new TextEncoder();

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const arrays = parts.map((part) =>
    typeof part === 'string' ? encoder.encode(part) : Uint8Array.from(part),
  );
  const out = new Uint8Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Feeds `bytes` in chunks of the given sizes (cycled) and collects the lines. */
function read(bytes: Uint8Array, chunkSizes: number[] = [bytes.length || 1]) {
  const lines: ReaderLine[] = [];
  const reader = new Utf8LineReader((line) => lines.push(line));
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = chunkSizes[k % chunkSizes.length];
    reader.push(bytes.subarray(at, at + size));
    at += size;
  }
  reader.end();
  return { lines, reader };
}

/** The same lines as plain data, for deepEqual. */
function plain(lines: ReaderLine[]) {
  return lines.map((l) => ({ ...l }));
}

describe('Utf8LineReader', function () {
  it('splits lines, with byte offsets and lengths of the text', function () {
    const { lines, reader } = read(bytesOf('{"a":1}\né\n\n€x\n'));
    assert.deepEqual(plain(lines), [
      { text: '{"a":1}', index: 0, byteOffset: 0, byteLength: 7, invalidUtf8: undefined },
      { text: 'é', index: 1, byteOffset: 8, byteLength: 2, invalidUtf8: undefined },
      { text: '', index: 2, byteOffset: 11, byteLength: 0, invalidUtf8: undefined },
      { text: '€x', index: 3, byteOffset: 12, byteLength: 4, invalidUtf8: undefined },
    ]);
    assert.equal(reader.endedWithNewline, true);
    assert.equal(reader.lfLineCount, 4);
    assert.equal(reader.byteCount, 17);
  });

  it('gives the same lines for chunk boundaries at every byte position', function () {
    const text = '{"k":"é😀"}\r\nαβγ\n\n中文 x\r\nlast €';
    const bytes = bytesOf(text);
    const expected = plain(read(bytes).lines);
    assert.deepEqual(
      expected.map((l) => l.text),
      ['{"k":"é😀"}', 'αβγ', '', '中文 x', 'last €'],
    );
    for (const line of expected) {
      const lineBytes = bytes.subarray(line.byteOffset, line.byteOffset + line.byteLength);
      assert.equal(new TextDecoder().decode(lineBytes), line.text);
    }
    for (let split = 1; split < bytes.length; split++) {
      assert.deepEqual(plain(read(bytes, [split, bytes.length]).lines), expected, `split ${split}`);
    }
    for (const size of [1, 2, 3, 5, 7]) {
      assert.deepEqual(plain(read(bytes, [size]).lines), expected, `chunks of ${size}`);
    }
  });

  it('strips the CR of CRLF and counts CRLF lines', function () {
    const { lines, reader } = read(bytesOf('a\r\nb\nc\r\n'), [1]);
    assert.deepEqual(
      lines.map((l) => [l.text, l.byteOffset, l.byteLength]),
      [
        ['a', 0, 1],
        ['b', 3, 1],
        ['c', 5, 1],
      ],
    );
    assert.equal(reader.crlfLineCount, 2);
    assert.equal(reader.lfLineCount, 1);
  });

  it('strips and reports a byte order mark on line 0 only', function () {
    const { lines, reader } = read(bytesOf([0xef, 0xbb, 0xbf], '{}\n\ufeff{}\n'), [2]);
    assert.equal(reader.hadBom, true);
    assert.deepEqual(
      lines.map((l) => [l.text, l.byteOffset, l.byteLength]),
      [
        ['{}', 3, 2],
        ['\ufeff{}', 6, 5],
      ],
    );
    assert.equal(read(bytesOf('{}\n')).reader.hadBom, false);
  });

  it('flags invalid UTF-8 with the column of the replacement and its byte offset', function () {
    const bytes = bytesOf(
      'ok\n',
      'é',
      [0xff],
      'x\n',
      [0xe2, 0x82],
      '\n',
      'a😀',
      [0xed, 0xa0, 0x80],
      '\n',
    );
    for (const sizes of [[bytes.length], [1], [4]]) {
      const { lines } = read(bytes, sizes);
      assert.deepEqual(
        lines.map((l) => [l.text, l.invalidUtf8]),
        [
          ['ok', undefined],
          ['é\ufffdx', { column: 1, byteOffset: 5 }],
          ['\ufffd', { column: 0, byteOffset: 8 }],
          ['a😀\ufffd\ufffd\ufffd', { column: 3, byteOffset: 16 }],
        ],
        `chunks ${sizes.join()}`,
      );
    }
  });

  it('reports invalid UTF-8 on a BOM line at the column after the BOM', function () {
    const { lines } = read(bytesOf([0xef, 0xbb, 0xbf], 'ab', [0xc0], '\n'));
    assert.deepEqual(lines[0].invalidUtf8, { column: 2, byteOffset: 5 });
    assert.equal(lines[0].text, 'ab\ufffd');
  });

  it('emits a final line without newline, but no extra line after a final newline', function () {
    let result = read(bytesOf('a\nb'));
    assert.deepEqual(
      result.lines.map((l) => l.text),
      ['a', 'b'],
    );
    assert.equal(result.reader.endedWithNewline, false);
    result = read(bytesOf('a\nb\n'));
    assert.deepEqual(
      result.lines.map((l) => l.text),
      ['a', 'b'],
    );
    assert.equal(result.reader.endedWithNewline, true);
    result = read(bytesOf('\n'));
    assert.deepEqual(
      result.lines.map((l) => l.text),
      [''],
    );
  });

  it('emits nothing for empty input', function () {
    const { lines, reader } = read(new Uint8Array(0));
    assert.deepEqual(lines, []);
    assert.equal(reader.endedWithNewline, false);
    assert.equal(reader.hadBom, false);
  });

  it('does not keep a reference to pushed chunks', function () {
    const lines: string[] = [];
    const reader = new Utf8LineReader((line) => lines.push(line.text));
    const buffer = bytesOf('abc');
    reader.push(buffer);
    buffer.fill(0x7a);
    reader.push(bytesOf('d\n'));
    reader.end();
    assert.deepEqual(lines, ['abcd']);
  });

  it('copies an unfinished line out of a reused Node Buffer', function () {
    const lines: string[] = [];
    const reader = new Utf8LineReader((line) => lines.push(line.text));
    const buffer = Buffer.from('abc');
    reader.push(buffer);
    buffer.fill(0x7a);
    reader.push(Buffer.from('d\n'));
    reader.end();
    assert.deepEqual(lines, ['abcd']);
  });

  it('handles a 5 MB line split over 64 KB chunks', function () {
    this.timeout(20000);
    const long = 'x'.repeat(5 * 1024 * 1024 - 3) + 'é';
    const bytes = bytesOf('{}\n', long, '\nend\n');
    const { lines } = read(bytes, [64 * 1024]);
    assert.equal(lines.length, 3);
    assert.equal(lines[1].text, long);
    assert.equal(lines[1].byteOffset, 3);
    assert.equal(lines[1].byteLength, long.length + 1);
    assert.deepEqual([lines[2].text, lines[2].byteOffset], ['end', 3 + long.length + 2]);
  });

  it('rejects push after end', function () {
    const reader = new Utf8LineReader(() => undefined);
    reader.end();
    assert.throws(() => reader.push(bytesOf('a')), /after end/);
  });
});

describe('findInvalidUtf8', function () {
  it('agrees with a fatal TextDecoder on random byte strings', function () {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
    const interesting = [
      0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xf0, 0x90, 0xf4, 0x8f,
      0xf5, 0xff,
    ];
    for (let n = 0; n < 5000; n++) {
      const bytes = new Uint8Array(1 + (next() % 6));
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = next() % 2 ? interesting[next() % interesting.length] : next() % 256;
      }
      let valid = true;
      try {
        decoder.decode(bytes);
      } catch {
        valid = false;
      }
      const at = findInvalidUtf8(bytes);
      assert.equal(at < 0, valid, `bytes ${Array.from(bytes).join(',')}`);
      if (!valid) {
        // Everything before the reported byte decodes cleanly; the byte starts the bad part.
        decoder.decode(bytes.subarray(0, at));
        const lenient = new TextDecoder().decode(bytes);
        const prefix = new TextDecoder().decode(bytes.subarray(0, at));
        assert.equal(lenient.charCodeAt(prefix.length), 0xfffd);
      }
    }
  });

  it('respects the start and end of the range', function () {
    const bytes = bytesOf('a', [0xff], 'b', [0xe2, 0x82, 0xac]);
    assert.equal(findInvalidUtf8(bytes), 1);
    assert.equal(findInvalidUtf8(bytes, 2), -1);
    assert.equal(findInvalidUtf8(bytes, 2, 5), 3);
  });
});

describe('Utf8LineReader fuzz', function () {
  this.timeout(20000);

  /** The obvious, slow way to split and decode, to compare the reader with. */
  function reference(bytes: Uint8Array) {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const lines: ReaderLine[] = [];
    let start = 0;
    for (let index = 0; start < bytes.length; index++) {
      let end = bytes.indexOf(10, start);
      const terminated = end >= 0;
      if (!terminated) end = bytes.length;
      let contentEnd = end;
      if (terminated && contentEnd > start && bytes[contentEnd - 1] === 13) contentEnd--;
      let contentStart = start;
      if (index === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        contentStart = Math.min(3, contentEnd);
      }
      const content = bytes.subarray(contentStart, contentEnd);
      const bad = findInvalidUtf8(content);
      lines.push({
        text: decoder.decode(content),
        index,
        byteOffset: contentStart,
        byteLength: content.length,
        invalidUtf8:
          bad < 0
            ? undefined
            : {
                column: decoder.decode(content.subarray(0, bad)).length,
                byteOffset: contentStart + bad,
              },
      });
      start = end + 1;
    }
    return lines;
  }

  it('matches a line-by-line reference for random bytes and random chunk sizes', function () {
    let seed = 12345;
    const next = (limit: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % limit;
    };
    const pieces = [
      bytesOf('{"a":1}'),
      bytesOf('plain ascii text '),
      bytesOf('é€😀中'),
      bytesOf('\n'),
      bytesOf('\r\n'),
      bytesOf('\r'),
      Uint8Array.from([0xff]),
      Uint8Array.from([0xe2, 0x82]),
      Uint8Array.from([0xed, 0xa0, 0x80]),
      Uint8Array.from([0xf0, 0x9f]),
      Uint8Array.from([0xef, 0xbb, 0xbf]),
    ];
    for (let n = 0; n < 1500; n++) {
      const parts: Uint8Array[] = [];
      const count = next(30);
      for (let k = 0; k < count; k++) {
        // Mostly valid text, so that whole blocks take the fast path too.
        parts.push(pieces[next(10) < 7 ? next(6) : next(pieces.length)]);
      }
      const bytes = bytesOf(...parts.map((p) => Array.from(p)));
      const sizes = [1 + next(8), 1 + next(64), 1 + next(300)];
      const label = `case ${n}: ${Array.from(bytes).join(',')} in chunks ${sizes.join()}`;
      const { lines, reader } = read(bytes, sizes);
      const expected = reference(bytes);
      assert.deepEqual(plain(lines), expected, label);
      assert.equal(reader.hadBom, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
      assert.equal(reader.endedWithNewline, bytes.length > 0 && bytes[bytes.length - 1] === 10);
    }
  });
});
