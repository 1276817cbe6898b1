import type { Diagnostic, TextEdit } from 'vscode-languageserver';
import { pairId, uuidFromText } from '../../../../../common/engine/convert/stable-id.ts';
import type { JsonArray, JsonNode, JsonObject } from '../../../../../common/engine/json/ast.ts';
import { getProperty } from '../../../../../common/engine/json/ast.ts';
import { detectShape } from '../../../../../common/engine/line/detect-shape.ts';
import type { SchemaName } from '../../../../../common/engine/schema/index.ts';
import { getPropertyInfo, listProperties } from '../../../../../common/engine/schema/index.ts';
import type { NewProperty } from './json-edits.ts';
import { insertProperties, objectAt, parseObject, styleOf } from './json-edits.ts';
import type { QuickFix } from './quick-fix.ts';
import { dataOf, spanOf } from './quick-fix.ts';

/**
 * The required field a diagnostic says is missing (BRL020; BRL012 for `_meta.version`; BRL050,
 * BRL051 and BRL054 for the message list, role and content of the chat shapes), and where: the
 * offset of the `{` of the object that lacks it. Undefined for a diagnostic of these codes that
 * is about something else (a wrong type, an empty value).
 */
export function missingField(diagnostic: Diagnostic): { field: string; at: number } | undefined {
  const span = spanOf(diagnostic);
  if (span === undefined || span.end !== span.start + 1) return undefined;
  const field = dataOf(diagnostic).field;
  if (typeof field === 'string') return { field, at: span.start };
  const message =
    typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
  const match = /^Missing required field "([^"]+)"/.exec(message);
  return match === null ? undefined : { field: match[1], at: span.start };
}

/** BRL020 and kin: insert the missing field with a placeholder value. */
export function fixMissingField(text: string, line: number, diagnostic: Diagnostic): QuickFix[] {
  const missing = missingField(diagnostic);
  if (missing === undefined) return [];
  const edits = insertMissingFields(text, line, missing.at, [missing.field]);
  return edits.length === 0
    ? []
    : [{ title: `Add the missing field "${missing.field}"`, edits, preferred: true }];
}

/**
 * Edits that add `fields` to the object whose `{` is at `objectStart`, in schema order, with
 * placeholder values. A placeholder is derived from the line where the line says what it must
 * be (the turn number from the history, the id from the conversation, a role from the turn
 * before); text the author must write stays empty, so the empty-string rule (BRL023) keeps
 * pointing at it until it is written.
 */
export function insertMissingFields(
  text: string,
  line: number,
  objectStart: number,
  fields: readonly string[],
): TextEdit[] {
  const root = parseObject(text);
  if (root === undefined) return [];
  const owner = objectAt(root, objectStart);
  if (owner === undefined) return [];
  const path = pathTo(root, owner);
  if (path === undefined) return [];
  const schema: SchemaName = getProperty(root, '_meta') !== undefined ? 'meta' : lineSchema(root);
  const present = new Set(owner.properties.map((p) => p.key));
  const additions: NewProperty[] = [];
  for (const field of new Set(fields)) {
    if (present.has(field)) continue;
    const json = placeholder(text, root, owner, path, schema, field);
    if (json !== undefined) additions.push({ key: field, json });
  }
  if (additions.length === 0) return [];
  const order = listProperties(schema, path).map((info) => info.name);
  return insertProperties(line, owner, additions, order, styleOf(text, root));
}

function lineSchema(root: JsonObject): SchemaName {
  return detectShape(root) ?? 'brightrun_lora_v4';
}

function placeholder(
  text: string,
  root: JsonObject,
  owner: JsonObject,
  path: (string | number)[],
  schema: SchemaName,
  field: string,
): string | undefined {
  const atTop = path.length === 0;
  if (atTop && schema === 'brightrun_lora_v4') {
    const derived = v4Placeholder(text, owner, field);
    if (derived !== undefined) return derived;
  }
  if (atTop && field === 'conversation_id') return JSON.stringify(uuidFromText(text));
  if (schema === 'meta' && field === 'version') return '"4.0.0"';
  const index = path[path.length - 1];
  if (typeof index === 'number') {
    if (field === 'turn') return String(index + 1);
    if (field === 'role') return JSON.stringify(roleAfter(root, path));
  }
  const info = getPropertyInfo(schema, [...path, field]);
  if (info === undefined) return undefined;
  const type = Array.isArray(info.type) ? info.type[0] : info.type;
  switch (type) {
    case 'string':
      return '""';
    case 'array':
      return '[]';
    case 'object':
      return '{}';
    case 'boolean':
      return 'false';
    case 'integer':
    case 'number':
      return String(info.schema.minimum ?? 0);
    default:
      return undefined;
  }
}

function v4Placeholder(text: string, pair: JsonObject, field: string): string | undefined {
  const history = arrayProperty(pair, 'conversation_history');
  switch (field) {
    case 'id': {
      // The conventional id, from the conversation and turn the line has or is given.
      const conversation = stringProperty(pair, 'conversation_id') ?? uuidFromText(text);
      const turn = getProperty(pair, 'turn_number')?.value;
      const turnNumber = turn?.type === 'number' ? turn.value : (history?.items.length ?? 0) + 1;
      return JSON.stringify(pairId(conversation, turnNumber, text));
    }
    case 'turn_number':
      return String((history?.items.length ?? 0) + 1);
    case 'conversation_history':
      return '[]';
    case 'current_user_input': {
      // A history that ends with the user's turn already says what the input is.
      const last = history?.items[history.items.length - 1];
      if (last?.type === 'object' && stringProperty(last, 'role') === 'user') {
        const content = stringProperty(last, 'content');
        if (content !== undefined) return JSON.stringify(content);
      }
      return '""';
    }
    default:
      return undefined;
  }
}

/** The role for the turn at `path` (…, list, index): the other one than the turn before. */
function roleAfter(root: JsonObject, path: (string | number)[]): string {
  const index = path[path.length - 1] as number;
  const list = nodeAtPath(root, path.slice(0, -1));
  const previous = index > 0 && list?.type === 'array' ? list.items[index - 1] : undefined;
  const role = previous?.type === 'object' ? stringProperty(previous, 'role') : undefined;
  return role === 'user' ? 'assistant' : 'user';
}

function nodeAtPath(root: JsonNode, path: readonly (string | number)[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (typeof segment === 'number') node = node.type === 'array' ? node.items[segment] : undefined;
    else node = node.type === 'object' ? getProperty(node, segment)?.value : undefined;
  }
  return node;
}

/** The property names and indexes from `root` down to `target`, without recursion. */
function pathTo(root: JsonNode, target: JsonNode): (string | number)[] | undefined {
  const stack: { node: JsonNode; path: (string | number)[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === target) return path;
    // Only a node that spans the target can contain it.
    if (target.start < node.start || target.end > node.end) continue;
    if (node.type === 'object') {
      for (const p of node.properties) stack.push({ node: p.value, path: [...path, p.key] });
    } else if (node.type === 'array') {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i] }));
    }
  }
  return undefined;
}

function stringProperty(object: JsonObject, key: string): string | undefined {
  const value = getProperty(object, key)?.value;
  return value?.type === 'string' ? value.value : undefined;
}

function arrayProperty(object: JsonObject, key: string): JsonArray | undefined {
  const value = getProperty(object, key)?.value;
  return value?.type === 'array' ? value : undefined;
}
