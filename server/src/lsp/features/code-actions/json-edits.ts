import type { Range, TextEdit } from 'vscode-languageserver';
import type { JsonNode, JsonObject, JsonProperty } from '../../../../../common/engine/json/ast.ts';
import { parseLine } from '../../../../../common/engine/json/parse-line.ts';

/**
 * Precise edits inside one JSONL line, computed from the parser's offsets: a fix touches the
 * characters it must and leaves the author's spacing, key order and escapes alone.
 */

/** The line's value when it is a JSON object, else undefined (a broken line gets no fix). */
export function parseObject(text: string): JsonObject | undefined {
  const root = parseLine(text).root;
  return root?.type === 'object' ? root : undefined;
}

/** A property and the object that holds it. */
export interface OwnedProperty {
  owner: JsonObject;
  property: JsonProperty;
}

/**
 * Visits every node under `root`, depth first, without recursion (user values may nest
 * thousands deep). Stops when `visit` returns true, and returns that node.
 */
export function findNode(root: JsonNode, visit: (node: JsonNode) => boolean): JsonNode | undefined {
  const stack: JsonNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node)) return node;
    if (node.type === 'object') {
      for (let i = node.properties.length - 1; i >= 0; i--) stack.push(node.properties[i].value);
    } else if (node.type === 'array') {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
  return undefined;
}

/** The property whose key (quotes included) starts at `keyStart`. */
export function propertyWithKeyAt(root: JsonNode, keyStart: number): OwnedProperty | undefined {
  let found: OwnedProperty | undefined;
  findNode(root, (node) => {
    if (node.type !== 'object' || keyStart < node.start || keyStart >= node.end) return false;
    const property = node.properties.find((p) => p.keyStart === keyStart);
    if (property !== undefined) found = { owner: node, property };
    return found !== undefined;
  });
  return found;
}

/** The node that starts at `start` and ends at `end` exactly (the range of a diagnostic). */
export function nodeAt(root: JsonNode, start: number, end: number): JsonNode | undefined {
  let found: JsonNode | undefined;
  findNode(root, (node) => {
    if (node.start === start && node.end === end) found = node;
    return found !== undefined;
  });
  return found;
}

/** The object whose `{` is at `start`. */
export function objectAt(root: JsonNode, start: number): JsonObject | undefined {
  const node = findNode(root, (n) => n.type === 'object' && n.start === start);
  return node?.type === 'object' ? node : undefined;
}

/** The separators a line is written with: `"a":1,"b":2` or `"a": 1, "b": 2`. */
export interface JsonStyle {
  colon: string;
  comma: string;
}

export function styleOf(text: string, root: JsonObject): JsonStyle {
  const [first, second] = root.properties as (JsonProperty | undefined)[];
  const colon = first === undefined ? ':' : text.slice(first.keyEnd, first.value.start);
  const comma =
    first === undefined || second === undefined
      ? ','
      : text.slice(first.value.end, second.keyStart);
  return {
    colon: colon.trim() === ':' ? colon : ':',
    comma: comma.trim() === ',' ? comma : ',',
  };
}

/** A range on `line` between two offsets of that line. */
export function lineRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

/**
 * Deletes `property` from `owner` together with one comma, so the object stays valid JSON:
 * the comma after it when a property follows, else the one before it.
 */
export function removeProperty(line: number, owned: OwnedProperty): TextEdit {
  const { owner, property } = owned;
  const index = owner.properties.indexOf(property);
  const next = owner.properties[index + 1];
  if (next !== undefined) {
    return { range: lineRange(line, property.keyStart, next.keyStart), newText: '' };
  }
  const previous = owner.properties[index - 1];
  if (previous !== undefined) {
    return { range: lineRange(line, previous.value.end, property.value.end), newText: '' };
  }
  return { range: lineRange(line, property.keyStart, property.value.end), newText: '' };
}

/** A property to add: its key and its value already written as JSON. */
export interface NewProperty {
  key: string;
  json: string;
}

/**
 * Inserts `additions` into `owner`, each after the last existing property that comes before it
 * in `order` (the schema's key order), so a fixed line reads like a written one. Additions
 * that land in the same place share one edit.
 */
export function insertProperties(
  line: number,
  owner: JsonObject,
  additions: readonly NewProperty[],
  order: readonly string[],
  style: JsonStyle,
): TextEdit[] {
  const groups = new Map<number, NewProperty[]>();
  for (const addition of additions) {
    const anchor = anchorIndex(owner, addition.key, order);
    const group = groups.get(anchor) ?? [];
    group.push(addition);
    groups.set(anchor, group);
  }
  const edits: TextEdit[] = [];
  for (const [anchor, group] of groups) {
    group.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
    const written = group.map((p) => `${JSON.stringify(p.key)}${style.colon}${p.json}`);
    if (anchor >= 0) {
      const at = owner.properties[anchor].value.end;
      edits.push({
        range: lineRange(line, at, at),
        newText: style.comma + written.join(style.comma),
      });
    } else {
      // Before the first property, or into an empty object (whose inner spacing is kept).
      const at = owner.start + 1;
      const tail = owner.properties.length > 0 ? style.comma : '';
      edits.push({ range: lineRange(line, at, at), newText: written.join(style.comma) + tail });
    }
  }
  return edits.sort((a, b) => a.range.start.character - b.range.start.character);
}

/** The index of the property the new `key` goes after, or -1 to put it first. */
function anchorIndex(owner: JsonObject, key: string, order: readonly string[]): number {
  const rank = order.indexOf(key);
  if (rank < 0) return owner.properties.length - 1;
  let anchor = -1;
  owner.properties.forEach((p, i) => {
    const r = order.indexOf(p.key);
    // Unknown keys keep their place: the new key goes after them only when they end the object.
    if (r >= 0 && r < rank) anchor = i;
  });
  return anchor;
}

/** Replaces the text of `node` with `json`. */
export function replaceNode(line: number, node: JsonNode, json: string): TextEdit {
  return { range: lineRange(line, node.start, node.end), newText: json };
}
