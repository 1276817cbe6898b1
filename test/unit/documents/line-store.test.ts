import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineStore } from '../../../server/src/documents/line-store.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('LineStore', () => {
  it('applies a one-character edit to the line it touches', () => {
    const store = new LineStore('{"a":1}\n{"b":2}\n');
    const splice = store.applyEdit(
      { start: { line: 1, character: 5 }, end: { line: 1, character: 6 } },
      '3',
    );
    assert.deepEqual(splice, { start: 1, removed: 1, inserted: 1 });
    assert.equal(store.getText(), '{"a":1}\n{"b":3}\n');
  });

  it('splits and joins lines', () => {
    const store = new LineStore('one\ntwo\nthree');
    assert.deepEqual(
      store.applyEdit({ start: { line: 0, character: 3 }, end: { line: 2, character: 0 } }, ' '),
      { start: 0, removed: 3, inserted: 1 },
    );
    assert.equal(store.getText(), 'one three');
    store.applyEdit({ start: { line: 0, character: 3 }, end: { line: 0, character: 4 } }, '\nx\n');
    assert.equal(store.getText(), 'one\nx\nthree');
    assert.equal(store.lineCount, 3);
  });

  it('clamps positions past the end, as LSP requires', () => {
    const store = new LineStore('ab\ncd');
    store.applyEdit({ start: { line: 1, character: 99 }, end: { line: 7, character: 0 } }, '!');
    assert.equal(store.getText(), 'ab\ncd!');
  });

  it('keeps CRLF documents CRLF', () => {
    const store = new LineStore('a\r\nb\r\n');
    store.applyEdit({ start: { line: 1, character: 1 }, end: { line: 1, character: 1 } }, 'c');
    assert.equal(store.getText(), 'a\r\nbc\r\n');
  });

  it('agrees with TextDocument.update on random edits', () => {
    const random = seeded(42);
    const alphabet = ['a', '{', '}', '"', '\n', 'xyz', '\n\n', ''];
    let text = '{"id":"a"}\n{"id":"b"}\n\n{"x":1}';
    let doc = TextDocument.create('file:///t.jsonl', 'jsonl', 0, text);
    const store = new LineStore(text);
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(random() * (text.length + 1));
      const b = Math.min(text.length, a + Math.floor(random() * 6));
      const insert = alphabet[Math.floor(random() * alphabet.length)];
      const range = { start: doc.positionAt(a), end: doc.positionAt(b) };
      store.applyEdit(range, insert);
      doc = TextDocument.update(doc, [{ range, text: insert }], i + 1);
      text = doc.getText();
      assert.equal(store.getText(), text, `edit ${i}`);
    }
  });
});
