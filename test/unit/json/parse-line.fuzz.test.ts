import assert from 'node:assert/strict';
import type { JsonNode } from '../../../common/engine/json/ast.ts';
import { nodeToValue } from '../../../common/engine/json/node-to-value.ts';
import { parseLine } from '../../../common/engine/json/parse-line.ts';
import { Fuzzer } from './fuzz-helpers.ts';

const CASES = 10_000;

function tryJsonParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function loneSurrogates(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else count++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      count++;
    }
  }
  return count;
}

/** Checks every node's range against JSON.parse of that slice, and counts what should be warned. */
function checkNodes(text: string, root: JsonNode): { lone: number; duplicates: number } {
  let lone = 0;
  let duplicates = 0;
  const pending: JsonNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as JsonNode;
    assert.ok(node.start >= 0 && node.start < node.end && node.end <= text.length);
    if (node.type === 'object') {
      assert.equal(text[node.start], '{');
      assert.equal(text[node.end - 1], '}');
      const keys = new Set<string>();
      for (const property of node.properties) {
        assert.equal(JSON.parse(text.slice(property.keyStart, property.keyEnd)), property.key);
        lone += loneSurrogates(property.key);
        if (keys.has(property.key)) duplicates++;
        keys.add(property.key);
        pending.push(property.value);
      }
    } else if (node.type === 'array') {
      assert.equal(text[node.start], '[');
      assert.equal(text[node.end - 1], ']');
      pending.push(...node.items);
    } else {
      assert.deepEqual(JSON.parse(text.slice(node.start, node.end)), nodeToValue(node));
      if (node.type === 'string') lone += loneSurrogates(node.value);
    }
  }
  return { lone, duplicates };
}

function check(text: string): boolean {
  const result = parseLine(text);
  const expected = tryJsonParse(text);
  const label = JSON.stringify(text);
  if (!expected.ok) {
    assert.equal(result.root, undefined, `parseLine accepted invalid JSON ${label}`);
    const error = result.syntaxError;
    assert.ok(error, `no syntax error for ${label}`);
    assert.ok(error.start >= 0 && error.start <= error.end && error.end <= text.length, label);
    assert.ok(error.message.length > 0);
    return false;
  }
  assert.ok(result.root, `parseLine rejected valid JSON ${label}: ${result.syntaxError?.message}`);
  assert.equal(result.syntaxError, undefined);
  assert.deepEqual(nodeToValue(result.root), expected.value, label);
  const counts = checkNodes(text, result.root);
  const kinds = result.warnings.map((warning) => warning.kind);
  assert.equal(kinds.filter((kind) => kind === 'lone-surrogate').length, counts.lone, label);
  assert.equal(kinds.filter((kind) => kind === 'duplicate-key').length, counts.duplicates, label);
  return true;
}

describe('parseLine fuzz (agrees with JSON.parse)', function () {
  // About a second on an idle machine; the margin is for shared CI runners.
  this.timeout(20000);

  it(`accepts exactly what JSON.parse accepts, with equal values (${CASES} cases)`, function () {
    const fuzzer = new Fuzzer(20261125);
    let valid = 0;
    let invalid = 0;
    for (let n = 0; n < CASES; n++) {
      const json = fuzzer.json();
      let text: string;
      switch (n % 3) {
        case 0:
          text = json;
          break;
        case 1:
          text = fuzzer.mutate(json);
          break;
        default:
          text = fuzzer.chance(0.5) ? fuzzer.garbage() : fuzzer.mutate(fuzzer.garbage());
      }
      if (check(text)) valid++;
      else invalid++;
    }
    // Both outcomes must be well represented, or the fuzzer is not testing anything.
    assert.ok(valid > CASES / 4, `only ${valid} valid cases`);
    assert.ok(invalid > CASES / 4, `only ${invalid} invalid cases`);
  });
});
