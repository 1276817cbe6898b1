import type { JsonNode } from './ast.ts';

/** A plain JavaScript value as `JSON.parse` returns it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

type Target = JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts an AST to the value `JSON.parse` would return for the same text: duplicate keys
 * keep the last value and a `__proto__` key becomes an own property. It walks with an explicit
 * stack so that deeply nested lines (which the parser accepts) cannot overflow the call stack.
 */
export function nodeToValue(root: JsonNode): JsonValue {
  const holder: JsonValue[] = [];
  // Parallel stacks of (node, where to put its value, under which key). Children are pushed in
  // reverse so they are assigned in source order, which makes the last duplicate key win.
  const nodes: JsonNode[] = [root];
  const targets: Target[] = [holder];
  const keys: (string | number)[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop() as JsonNode;
    const target = targets.pop() as Target;
    const key = keys.pop() as string | number;
    let value: JsonValue;
    switch (node.type) {
      case 'object': {
        const object: { [key: string]: JsonValue } = {};
        const properties = node.properties;
        for (let i = properties.length - 1; i >= 0; i--) {
          nodes.push(properties[i].value);
          targets.push(object);
          keys.push(properties[i].key);
        }
        value = object;
        break;
      }
      case 'array': {
        const array: JsonValue[] = [];
        const items = node.items;
        for (let i = items.length - 1; i >= 0; i--) {
          nodes.push(items[i]);
          targets.push(array);
          keys.push(i);
        }
        value = array;
        break;
      }
      case 'null':
        value = null;
        break;
      default:
        value = node.value;
    }
    assign(target, key, value);
  }
  return holder[0];
}

function assign(target: Target, key: string | number, value: JsonValue): void {
  if (Array.isArray(target)) {
    target[key as number] = value;
  } else if (key === '__proto__') {
    // Plain assignment would set the prototype; JSON.parse defines an own property instead.
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    target[key as string] = value;
  }
}
