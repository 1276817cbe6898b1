/**
 * The syntax tree of one JSONL line. Every node keeps the UTF-16 offsets of its text inside
 * the line (end exclusive), so every diagnostic range comes straight from the parser.
 */
export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

interface NodeBase {
  /** Offset of the first character of the node in the line. */
  start: number;
  /** Offset just past the last character of the node. */
  end: number;
}

export interface JsonProperty {
  key: string;
  /** Offsets of the key including its quotes. */
  keyStart: number;
  keyEnd: number;
  value: JsonNode;
}

export interface JsonObject extends NodeBase {
  type: 'object';
  /** Properties in source order, duplicates included (the last one wins, as in JSON.parse). */
  properties: JsonProperty[];
}

export interface JsonArray extends NodeBase {
  type: 'array';
  items: JsonNode[];
}

export interface JsonString extends NodeBase {
  type: 'string';
  /** The unescaped value. */
  value: string;
}

export interface JsonNumber extends NodeBase {
  type: 'number';
  value: number;
}

export interface JsonBoolean extends NodeBase {
  type: 'boolean';
  value: boolean;
}

export interface JsonNull extends NodeBase {
  type: 'null';
}

/** A problem the parser found; offsets are UTF-16 offsets inside the line. */
export interface JsonProblem {
  kind: 'syntax' | 'lone-surrogate' | 'duplicate-key';
  message: string;
  start: number;
  end: number;
  /** For duplicate keys: where the same key appeared first in the same object. */
  firstStart?: number;
  firstEnd?: number;
}

export interface LineParseResult {
  /** The value, or undefined when the line is not valid JSON (then `syntaxError` is set). */
  root: JsonNode | undefined;
  /** The first syntax error (JSON.parse would throw); the range starts at the offending character. */
  syntaxError: JsonProblem | undefined;
  /** Non-fatal findings in a valid line: duplicate keys and lone surrogate escapes. */
  warnings: JsonProblem[];
}

/** Returns the value of property `key` (the last one, as JSON.parse does), or undefined. */
export function getProperty(node: JsonObject, key: string): JsonProperty | undefined {
  const props = node.properties;
  for (let i = props.length - 1; i >= 0; i--) {
    if (props[i].key === key) return props[i];
  }
  return undefined;
}
