import assert from 'node:assert/strict';
import type { JsonNode, JsonObject, JsonProblem } from '../../../common/engine/json/ast.ts';
import { getProperty } from '../../../common/engine/json/ast.ts';
import { nodeToValue } from '../../../common/engine/json/node-to-value.ts';
import { parseLine } from '../../../common/engine/json/parse-line.ts';

function parseObject(text: string): JsonObject {
  const result = parseLine(text);
  assert.equal(result.syntaxError, undefined, result.syntaxError?.message);
  const root = result.root;
  assert.ok(root?.type === 'object', 'expected an object');
  return root;
}

function syntaxError(text: string): JsonProblem {
  const result = parseLine(text);
  assert.equal(result.root, undefined, `expected ${JSON.stringify(text)} to be invalid`);
  assert.ok(result.syntaxError);
  assert.equal(result.syntaxError.kind, 'syntax');
  return result.syntaxError;
}

/** Asserts the error range and that the message contains `words`. */
function expectError(text: string, start: number, end: number, words: string): void {
  const error = syntaxError(text);
  assert.deepEqual(
    { start: error.start, end: error.end },
    { start, end },
    `range of "${error.message}" for ${JSON.stringify(text)}`,
  );
  assert.ok(error.message.includes(words), `"${error.message}" should mention "${words}"`);
}

function slice(text: string, node: { start: number; end: number }): string {
  return text.slice(node.start, node.end);
}

describe('parseLine', function () {
  describe('offsets', function () {
    it('gives every key its range including quotes, and every value its exact range', function () {
      const text =
        ' { "id" : "a\\"b" ,"n":-1.5e3, "list":[ true,false , null,{} ], "o":{"k":[]} }\r';
      const root = parseObject(text);
      assert.deepEqual([root.start, root.end], [1, text.length - 1]);
      const keys = root.properties.map((p) => text.slice(p.keyStart, p.keyEnd));
      assert.deepEqual(keys, ['"id"', '"n"', '"list"', '"o"']);
      const values = root.properties.map((p) => slice(text, p.value));
      assert.deepEqual(values, ['"a\\"b"', '-1.5e3', '[ true,false , null,{} ]', '{"k":[]}']);
      const list = getProperty(root, 'list')?.value;
      assert.equal(list?.type, 'array');
      if (list?.type !== 'array') return;
      assert.deepEqual(
        list.items.map((item) => slice(text, item)),
        ['true', 'false', 'null', '{}'],
      );
      assert.deepEqual(nodeToValue(root), JSON.parse(text));
    });

    it('counts offsets in UTF-16 code units (astral characters take two)', function () {
      const text = '{"😀":"é😀","x":1}';
      const root = parseObject(text);
      assert.deepEqual([root.properties[0].keyStart, root.properties[0].keyEnd], [1, 5]);
      assert.deepEqual([root.properties[0].value.start, root.properties[0].value.end], [6, 11]);
      assert.equal(slice(text, root.properties[1].value), '1');
    });

    it('unescapes strings exactly as JSON.parse does', function () {
      const text = '["\\"\\\\\\/\\b\\f\\n\\r\\t", "\\u00e9\\uD83D\\uDE00", "a\\u0000b", "plain"]';
      const root = parseLine(text).root as JsonNode;
      assert.deepEqual(nodeToValue(root), JSON.parse(text));
    });

    it('reads numbers as Number() does, including -0 and huge exponents', function () {
      for (const text of [
        '0',
        '-0',
        '-0.0',
        '12',
        '1.25',
        '1e2',
        '1E-2',
        '-1e+400',
        '9007199254740993',
        '123456789012345678901234567890',
        '0.1',
        '5e-324',
      ]) {
        const root = parseLine(text).root;
        assert.equal(root?.type, 'number', text);
        if (root?.type === 'number') assert.ok(Object.is(root.value, JSON.parse(text)), text);
      }
    });

    it('reads short decimals exactly as JSON.parse does (the fast path for numbers)', function () {
      this.timeout(20000);
      let seed = 99;
      const next = (limit: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 8) % limit;
      };
      for (let n = 0; n < 20_000; n++) {
        const intDigits = String(next(10 ** (1 + next(9))));
        const fraction = next(2)
          ? `.${String(next(10 ** (1 + next(9)))).padStart(1 + next(8), '0')}`
          : '';
        const exponent = next(3)
          ? ''
          : `${next(2) ? 'e' : 'E'}${['', '+', '-'][next(3)]}${next(40)}`;
        const text = `${next(2) ? '-' : ''}${intDigits}${fraction}${exponent}`;
        const root = parseLine(text).root;
        assert.ok(root?.type === 'number', text);
        assert.ok(Object.is(root.value, JSON.parse(text)), text);
      }
    });
  });

  describe('syntax errors', function () {
    it('reports an empty or blank line at its end', function () {
      expectError('', 0, 0, 'expected a JSON value');
      expectError(' \t\r', 3, 3, 'expected a JSON value');
    });

    it('points at a missing comma or closing bracket', function () {
      expectError('{"a":1 "b":2}', 7, 8, "Expected ',' or '}' after the property value");
      expectError('[1 2]', 3, 4, "Expected ',' or ']'");
      expectError('[1}', 2, 3, "close the array with ']'");
      expectError('{"a":1]', 6, 7, "close the object with '}'");
    });

    it('reports unexpected end of line with what is missing', function () {
      expectError('{"a":1', 6, 6, "Unexpected end of line: missing '}'");
      expectError('[1,2', 4, 4, "missing ']'");
      expectError('[', 1, 1, "missing ']'");
      expectError('{"a"', 4, 4, "missing ':'");
      expectError('{"a":', 5, 5, 'expected a value');
      expectError('{', 1, 1, "missing '}'");
    });

    it('points at a trailing comma', function () {
      expectError('[1,2,]', 4, 5, 'Trailing comma is not allowed');
      expectError('{"a":1, }', 6, 7, 'Trailing comma is not allowed');
    });

    it('explains quotes around keys and strings', function () {
      expectError("{'a':1}", 1, 4, 'Single quotes are not valid in JSON; use double quotes');
      expectError("['x']", 1, 4, 'Single quotes');
      expectError('{a:1}', 1, 2, 'Property names must be double-quoted strings');
      expectError('{"a":1,id:2}', 7, 9, 'Property names must be double-quoted strings');
      expectError('{"a" 1}', 5, 6, "Expected ':' after the property name");
    });

    it('reports string errors at the offending character', function () {
      expectError('{"a":"abc', 9, 9, 'Unterminated string');
      expectError('"a\nb"', 2, 3, 'Control character U+000A must be escaped');
      expectError('"a\tb"', 2, 3, 'U+0009');
      expectError('"C:\\x"', 3, 5, "Invalid escape '\\x'");
      expectError('"\\u12G4"', 1, 6, '4 hex digits');
      expectError('"abc\\', 5, 5, 'Unterminated string');
    });

    it('reports number errors', function () {
      expectError('01', 0, 2, 'leading zeros');
      expectError('[-01]', 1, 4, 'leading zeros');
      expectError('-', 1, 1, "digit after '-'");
      expectError('[-x]', 2, 3, "digit after '-'");
      expectError('1.', 2, 2, 'decimal point');
      expectError('[1.e5]', 3, 4, 'decimal point');
      expectError('1e+', 3, 3, 'exponent');
      expectError('[+1]', 1, 2, "cannot start with '+'");
      expectError('[.5]', 1, 2, "digit before '.'");
    });

    it('reports bad literals and bare words with their whole range', function () {
      expectError('tru', 0, 3, 'expected true, false or null');
      expectError('[True]', 1, 5, 'lowercase');
      expectError('{"a":undefined}', 5, 14, 'use null');
      expectError('[NaN]', 1, 4, 'finite number');
      expectError('[hello]', 1, 6, 'double quotes');
    });

    it('reports text after the value, a BOM and stray characters', function () {
      expectError('{"a":1} x ', 8, 9, 'Unexpected text after the JSON value');
      expectError('{}{}', 2, 4, 'Unexpected text after the JSON value');
      expectError('\ufeff{}', 0, 1, 'Byte order mark');
      expectError('[,1]', 1, 2, "Unexpected ','");
      expectError('{"a":}', 5, 6, "Expected a value after ':'");
      expectError('[1,\u00a0]', 3, 4, 'U+00A0');
    });
  });

  describe('warnings', function () {
    it('flags a duplicate key at the later key and points at the first', function () {
      const text = '{"a":1,"b":{"a":2,"a":3},"a":4}';
      const result = parseLine(text);
      assert.ok(result.root);
      assert.deepEqual(
        result.warnings.map((w) => [w.kind, w.start, w.end, w.firstStart, w.firstEnd]),
        [
          ['duplicate-key', 18, 21, 12, 15],
          ['duplicate-key', 25, 28, 1, 4],
        ],
      );
      assert.deepEqual(nodeToValue(result.root), JSON.parse(text));
    });

    it('finds duplicates in large objects too', function () {
      const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
      const text = `{${keys.join(',')},"k7":0,"k39":0}`;
      const result = parseLine(text);
      assert.deepEqual(
        result.warnings.map((w) => text.slice(w.start, w.end)),
        ['"k7"', '"k39"'],
      );
      const first = result.warnings[0];
      assert.equal(text.slice(first.firstStart, first.firstEnd), '"k7"');
      assert.equal(text.indexOf('"k7"'), first.firstStart);
    });

    it('flags lone surrogate escapes with the range of the escape', function () {
      const text = '["\\ud800x", "\\udc00", "ok\\ud83d\\ude00", "\\ud83d\\ud83d\\ude00"]';
      const result = parseLine(text);
      assert.ok(result.root);
      const ranges = result.warnings.map((w) => [w.kind, text.slice(w.start, w.end)]);
      assert.deepEqual(ranges, [
        ['lone-surrogate', '\\ud800'],
        ['lone-surrogate', '\\udc00'],
        ['lone-surrogate', '\\ud83d'],
      ]);
      assert.equal(result.warnings[2].start, text.lastIndexOf('\\ud83d\\ud83d'));
    });

    it('flags raw lone surrogates, but not pairs split between raw text and an escape', function () {
      const text = '{"\ud800":"a\udc00", "b":"\ud83d\\ude00\ud83d\ude00"}';
      const result = parseLine(text);
      assert.ok(result.root);
      assert.deepEqual(
        result.warnings.map((w) => [w.start, w.end]),
        [
          [2, 3],
          [7, 8],
        ],
      );
      assert.deepEqual(nodeToValue(result.root), JSON.parse(text));
    });

    it('has no warnings for a clean line', function () {
      assert.deepEqual(parseLine('{"a":"😀","b":[1,{"a":2}]}').warnings, []);
    });
  });

  describe('nodeToValue', function () {
    it('keeps __proto__ as an own property, like JSON.parse', function () {
      const text = '{"__proto__":{"polluted":1},"a":[{"__proto__":null}]}';
      const value = nodeToValue(parseLine(text).root as JsonNode);
      assert.deepEqual(value, JSON.parse(text));
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
      assert.ok(Object.prototype.hasOwnProperty.call(value, '__proto__'));
    });
  });
});
