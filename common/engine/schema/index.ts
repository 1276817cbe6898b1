/**
 * The JSON Schemas of `schemas/` as data for the engine's hosts: the language server reads
 * descriptions for hover and property names and known values for completion. Validation does
 * not use them (the rules walk the syntax tree for speed and exact ranges); the schema tests
 * keep the two in agreement.
 */
import v4PairSchema from '../../../schemas/brightrun-lora-v4-pair.schema.json' with { type: 'json' };
import chatMessagesSchema from '../../../schemas/chat-messages.schema.json' with { type: 'json' };
import conversationsSchema from '../../../schemas/conversations.schema.json' with { type: 'json' };
import metaHeaderSchema from '../../../schemas/meta-header.schema.json' with { type: 'json' };
import turnsSchema from '../../../schemas/turns.schema.json' with { type: 'json' };
import type { LineShape } from '../shape.ts';

/** The part of JSON Schema 2020-12 these schemas use. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  $defs?: Record<string, JsonSchema>;
  /** Known values of an open list: another value is info (BRL025), not an error. */
  'x-known-values'?: string[];
}

/** Annotation keywords of ours that a validator (ajv in strict mode) must be told about. */
export const SCHEMA_ANNOTATION_KEYWORDS = ['x-known-values'] as const;

/** Every line kind with a schema: the four shapes and the `_meta` header. */
export type SchemaName = LineShape | 'meta';

export const SCHEMAS: Readonly<Record<SchemaName, JsonSchema>> = {
  brightrun_lora_v4: v4PairSchema as JsonSchema,
  chat_messages: chatMessagesSchema as JsonSchema,
  conversations: conversationsSchema as JsonSchema,
  turns: turnsSchema as JsonSchema,
  meta: metaHeaderSchema as JsonSchema,
};

/** A path into a line's value: property names and array indexes, e.g. `['conversation_history', 2, 'role']`. */
export type JsonPath = readonly (string | number)[];

/** What hover and completion show for one property. */
export interface PropertyInfo {
  name: string;
  description: string | undefined;
  type: string | string[] | undefined;
  /** Closed list: the only allowed values. */
  enum: readonly unknown[] | undefined;
  /** Open list: the known values. */
  knownValues: readonly string[] | undefined;
  required: boolean;
  /** The property's schema with `$ref` resolved. */
  schema: JsonSchema;
}

/**
 * The property at `path` in a line of kind `name`, or undefined when the schema does not
 * describe that path (an unknown property, or a path into a free-form value).
 */
export function getPropertyInfo(name: SchemaName, path: JsonPath): PropertyInfo | undefined {
  if (path.length === 0) return undefined;
  const root = SCHEMAS[name];
  const parent = schemaAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === undefined || typeof last !== 'string') return undefined;
  const owner = objectWithProperty(root, parent, last);
  const property = owner?.properties?.[last];
  if (owner === undefined || property === undefined) return undefined;
  return propertyInfo(root, last, property, owner.required?.includes(last) ?? false);
}

/**
 * The properties an object at `path` may have (`[]` for the line's top level), for completion.
 * For an item that may be one of several objects (a conversations bundle), all of them.
 */
export function listProperties(name: SchemaName, path: JsonPath): PropertyInfo[] {
  const root = SCHEMAS[name];
  const node = schemaAt(root, path);
  if (node === undefined) return [];
  const result: PropertyInfo[] = [];
  const seen = new Set<string>();
  for (const branch of branches(root, node)) {
    for (const [key, property] of Object.entries(branch.properties ?? {})) {
      if (seen.has(key)) continue;
      seen.add(key);
      result.push(propertyInfo(root, key, property, branch.required?.includes(key) ?? false));
    }
  }
  return result;
}

function propertyInfo(
  root: JsonSchema,
  name: string,
  property: JsonSchema,
  required: boolean,
): PropertyInfo {
  const schema = resolve(root, property);
  return {
    name,
    // A description next to a `$ref` is more specific than the referenced one.
    description: property.description ?? schema.description,
    type: schema.type,
    enum: schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined),
    knownValues: schema['x-known-values'],
    required,
    schema,
  };
}

/** The schema of the value at `path`, `$ref` resolved; undefined when the schema stops. */
function schemaAt(root: JsonSchema, path: JsonPath): JsonSchema | undefined {
  let node: JsonSchema | undefined = resolve(root, root);
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (typeof segment === 'number') {
      node = node.items === undefined ? undefined : resolve(root, node.items);
    } else {
      const owner = objectWithProperty(root, node, segment);
      const property = owner?.properties?.[segment];
      node = property === undefined ? undefined : resolve(root, property);
    }
  }
  return node;
}

/** `node` itself, or the first of its `anyOf` branches, that lists `key`. */
function objectWithProperty(
  root: JsonSchema,
  node: JsonSchema,
  key: string,
): JsonSchema | undefined {
  for (const branch of branches(root, node)) {
    if (branch.properties?.[key] !== undefined) return branch;
  }
  return undefined;
}

function branches(root: JsonSchema, node: JsonSchema): JsonSchema[] {
  return node.anyOf === undefined ? [node] : node.anyOf.map((b) => resolve(root, b));
}

/** Follows local `#/$defs/...` references (the only kind these schemas use). */
function resolve(root: JsonSchema, node: JsonSchema): JsonSchema {
  let current = node;
  for (let hops = 0; current.$ref !== undefined && hops < 8; hops++) {
    const prefix = '#/$defs/';
    if (!current.$ref.startsWith(prefix)) break;
    const target = root.$defs?.[current.$ref.slice(prefix.length)];
    if (target === undefined) break;
    current = target;
  }
  return current;
}
