import assert from 'node:assert/strict';
import type { JsonNode } from '../../../common/engine/json/ast.ts';
import { nodeToValue } from '../../../common/engine/json/node-to-value.ts';
import { parseLine } from '../../../common/engine/json/parse-line.ts';

/** Depth of the first-item chain, counted without recursion. */
function depthOf(root: JsonNode): number {
  let depth = 0;
  let node: JsonNode | undefined = root;
  while (node?.type === 'array') {
    depth++;
    node = node.items[0];
  }
  return depth;
}

/** Counts how many nested objects or arrays `next` can step through, iteratively. */
function chainDepth(value: unknown, next: (value: unknown) => unknown): number {
  let depth = 0;
  let current = value;
  while (typeof current === 'object' && current !== null) {
    depth++;
    current = next(current);
  }
  return depth;
}

describe('parseLine on deeply nested lines', function () {
  this.timeout(20000);

  for (const depth of [20_000, 1_000_000]) {
    it(`parses ${depth} nested arrays without overflowing the stack`, function () {
      const text = '['.repeat(depth) + ']'.repeat(depth);
      const result = parseLine(text);
      assert.equal(result.syntaxError, undefined);
      assert.ok(result.root);
      assert.equal(depthOf(result.root), depth);
      assert.equal(result.root.end, text.length);
      // Node's deepEqual recurses, so compare the nested chain level by level instead.
      assert.equal(
        chainDepth(nodeToValue(result.root), (v) => (v as unknown[])[0]),
        depth,
      );
      assert.equal(
        chainDepth(JSON.parse(text), (v) => (v as unknown[])[0]),
        depth,
      );
    });

    it(`rejects ${depth} unbalanced levels at the end of the line`, function () {
      const open = '['.repeat(depth) + ']'.repeat(depth - 1);
      const error = parseLine(open).syntaxError;
      assert.equal(error?.start, open.length);
      assert.ok(error?.message.includes("missing ']'"));

      // One surplus ']' is checked at the smaller depth only, to keep the suite fast.
      if (depth > 20_000) return;
      const extra = '['.repeat(depth) + ']'.repeat(depth + 1);
      assert.equal(parseLine(extra).syntaxError?.start, extra.length - 1);
    });
  }

  it('parses deeply nested objects', function () {
    const depth = 20_000;
    const text = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const result = parseLine(text);
    assert.ok(result.root);
    const inner = (v: unknown) => (v as { a: unknown }).a;
    assert.equal(chainDepth(nodeToValue(result.root), inner), depth);
    let innermost: unknown = nodeToValue(result.root);
    for (let i = 0; i < depth; i++) innermost = inner(innermost);
    assert.equal(innermost, 1);
  });
});
