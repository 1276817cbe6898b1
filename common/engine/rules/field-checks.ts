/**
 * The checks every shape applies to single fields: presence, type, emptiness, numeric range
 * and value lists. Each check reports on the exact node (the value for type, emptiness and
 * range problems; the key for unknown properties; the enclosing object's `{` for a missing
 * field) and returns the node narrowed to the expected type, or undefined when it failed.
 *
 * Checks take the parent path and the key apart and join them only to write a message: valid
 * lines, the common case, then build no path strings at all.
 */
import type {
  JsonArray,
  JsonNode,
  JsonNumber,
  JsonObject,
  JsonProperty,
  JsonString,
} from '../json/ast.ts';
import type { RuleCode } from '../rule-codes.ts';
import type { LineReporter } from './line-reporter.ts';

/** The JSON type of a node as a person would name it in a message. */
export function describeType(node: JsonNode): string {
  switch (node.type) {
    case 'number':
      return Number.isInteger(node.value) ? 'an integer' : 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
  }
}

/** Joins a parent path and a field name: `conversation_history[2]` + `role`. */
export function childPath(parent: string, field: string): string {
  if (field === '') return parent;
  return parent === '' ? field : `${parent}.${field}`;
}

/**
 * True when a string is empty or only whitespace. Most values start with a printable ASCII
 * character, which settles it without scanning or allocating.
 */
export function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  const first = value.charCodeAt(0);
  if (first > 32 && first < 127) return false;
  return value.trim().length === 0;
}

/** BRL020 on the `{` of `object`: the smallest exact range that says "in this object". */
export function reportMissing(
  r: LineReporter,
  object: JsonObject,
  parentPath: string,
  field: string,
  suggestion: string,
  code: RuleCode = 'BRL020',
): void {
  const where = parentPath === '' ? '' : ` in ${parentPath}`;
  r.report(code, object.start, object.start + 1, `Missing required field "${field}"${where}`, {
    suggestion,
    data: { path: childPath(parentPath, field), field },
  });
}

/** BRL022 on the key of a property the schema does not list. */
export function reportUnknownProperty(
  r: LineReporter,
  property: JsonProperty,
  parentPath: string,
  known: readonly string[],
): void {
  const path = childPath(parentPath, property.key);
  r.report(
    'BRL022',
    property.keyStart,
    property.keyEnd,
    `Unknown property "${path}": not part of the schema`,
    {
      suggestion: 'Remove it, or check the spelling of the field name',
      data: { path, known },
    },
  );
}

/** BRL021 on a value of the wrong type. */
export function reportWrongType(
  r: LineReporter,
  node: JsonNode,
  path: string,
  expected: string,
  code: RuleCode = 'BRL021',
): void {
  r.report(code, node.start, node.end, `${path} must be ${expected}, not ${describeType(node)}`, {
    suggestion: `Change ${path} to ${expected}`,
    data: { path, expected, actual: node.type },
  });
}

/** A string, or BRL021. */
export function expectString(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
): JsonString | undefined {
  if (node.type === 'string') return node;
  reportWrongType(r, node, childPath(parent, key), 'a string');
  return undefined;
}

/** A string that is not empty or whitespace (BRL021, then BRL023). */
export function expectNonEmptyString(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
  suggestion: string,
): JsonString | undefined {
  const str = expectString(r, node, parent, key);
  if (str === undefined) return undefined;
  if (isBlank(str.value)) {
    const path = childPath(parent, key);
    r.report('BRL023', str.start, str.end, `${path} must not be empty`, {
      suggestion,
      data: { path },
    });
    return undefined;
  }
  return str;
}

export function expectBoolean(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
): boolean {
  if (node.type === 'boolean') return true;
  reportWrongType(r, node, childPath(parent, key), 'true or false');
  return false;
}

export function expectObject(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
): JsonObject | undefined {
  if (node.type === 'object') return node;
  reportWrongType(r, node, childPath(parent, key), 'an object');
  return undefined;
}

export function expectArray(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
): JsonArray | undefined {
  if (node.type === 'array') return node;
  reportWrongType(r, node, childPath(parent, key), 'an array');
  return undefined;
}

/** An integer ≥ `min` (BRL021 for another type or a fraction, BRL024 below `min`). */
export function expectInteger(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
  min: number | undefined,
): JsonNumber | undefined {
  if (node.type !== 'number' || !Number.isInteger(node.value)) {
    reportWrongType(r, node, childPath(parent, key), 'an integer');
    return undefined;
  }
  if (min !== undefined && node.value < min) {
    const path = childPath(parent, key);
    r.report('BRL024', node.start, node.end, `${path} must be ${min} or more, not ${node.value}`, {
      suggestion: `Use an integer ≥ ${min}`,
      data: { path, min, actual: node.value },
    });
    return undefined;
  }
  return node;
}

/** A number in [min, max] (BRL021, BRL024). */
export function expectNumberInRange(
  r: LineReporter,
  node: JsonNode,
  parent: string,
  key: string,
  min: number,
  max: number,
): JsonNumber | undefined {
  if (node.type !== 'number') {
    reportWrongType(r, node, childPath(parent, key), 'a number');
    return undefined;
  }
  if (node.value < min || node.value > max) {
    const path = childPath(parent, key);
    r.report(
      'BRL024',
      node.start,
      node.end,
      `${path} must be between ${min} and ${max}, not ${node.value}`,
      {
        suggestion: `Use a number from ${min} to ${max}`,
        data: { path, min, max, actual: node.value },
      },
    );
    return undefined;
  }
  return node;
}

/** BRL025 (info) when a string of an open list is not one of its known values. */
export function checkKnownValue(
  r: LineReporter,
  node: JsonString,
  parent: string,
  key: string,
  known: readonly string[],
): void {
  if (known.includes(node.value)) return;
  const path = childPath(parent, key);
  r.report(
    'BRL025',
    node.start,
    node.end,
    `${path} "${node.value}" is not one of the known values (${known.join(', ')})`,
    {
      suggestion: 'Fine if you extend the list on purpose; otherwise use a known value',
      data: { path, knownValues: known },
    },
  );
}

/**
 * BRL026 when a string of a closed list is not one of its values; `suggest` guesses the value
 * that was meant, for the quick fix (`data.expected`).
 */
export function checkClosedValue(
  r: LineReporter,
  node: JsonString,
  parent: string,
  key: string,
  allowed: readonly string[],
  suggest?: (value: string, allowed: readonly string[]) => string | undefined,
): boolean {
  if (allowed.includes(node.value)) return true;
  const path = childPath(parent, key);
  const expected = suggest?.(node.value, allowed);
  const choices = allowed.map((v) => `"${v}"`).join(', ');
  r.report(
    'BRL026',
    node.start,
    node.end,
    `${path} must be one of ${choices}, not "${node.value}"`,
    {
      suggestion:
        expected !== undefined
          ? `Replace "${node.value}" with "${expected}"`
          : `Use one of ${choices}`,
      data: expected !== undefined ? { path, allowed, expected } : { path, allowed },
    },
  );
  return false;
}
