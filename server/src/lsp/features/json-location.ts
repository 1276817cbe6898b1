import type { JsonNode, JsonProperty } from '../../../../common/engine/json/ast.ts';

/** Where an offset falls inside a line's JSON value. */
export interface JsonLocation {
  /** Property names and array indexes from the line's value down to the innermost node. */
  path: (string | number)[];
  /** The innermost node that contains the offset. */
  node: JsonNode;
  /** Set when the offset is on a property's key (quotes included). */
  key: JsonProperty | undefined;
  /** The object whose property list the offset is in (for completion of property names). */
  enclosingObjectPath: (string | number)[] | undefined;
}

/**
 * Walks from the root to the node under `offset`, one level at a time (no recursion: values
 * in user data may be nested thousands deep).
 */
export function locate(root: JsonNode, offset: number): JsonLocation | undefined {
  if (offset < root.start || offset > root.end) return undefined;
  const path: (string | number)[] = [];
  let node: JsonNode = root;
  for (;;) {
    if (node.type === 'object') {
      let next: JsonNode | undefined;
      for (const property of node.properties) {
        if (offset >= property.keyStart && offset <= property.keyEnd) {
          return { path: [...path, property.key], node, key: property, enclosingObjectPath: path };
        }
        if (offset >= property.value.start && offset <= property.value.end) {
          path.push(property.key);
          next = property.value;
          break;
        }
      }
      if (next === undefined) return { path, node, key: undefined, enclosingObjectPath: path };
      node = next;
    } else if (node.type === 'array') {
      const index = node.items.findIndex((item) => offset >= item.start && offset <= item.end);
      if (index < 0) return { path, node, key: undefined, enclosingObjectPath: undefined };
      path.push(index);
      node = node.items[index];
    } else {
      return { path, node, key: undefined, enclosingObjectPath: undefined };
    }
  }
}
