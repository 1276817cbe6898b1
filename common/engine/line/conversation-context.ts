import type { JsonNode, JsonObject, JsonProperty, JsonString } from '../json/ast.ts';
import type { LocatedString } from '../line-facts.ts';
import type { CanonicalMetadata } from '../rules/conversation-metadata.ts';

/**
 * The canonical JSON of `{conversation_metadata, system_prompt}` with sorted keys, which
 * BRL035 compares across the lines of one conversation. It is built by concatenation: a string
 * written without escapes is its own canonical form, so its source text is reused as is, and
 * only strings with escapes go through JSON.stringify. The range is the system prompt's value.
 */
export function conversationContext(
  text: string,
  systemPrompt: JsonString,
  metadata: JsonObject | undefined,
  metadataSlots: CanonicalMetadata,
): LocatedString {
  const prompt = canonicalString(text, systemPrompt);
  const value =
    metadata === undefined
      ? `{"system_prompt":${prompt}}`
      : `{"conversation_metadata":${canonicalObject(text, metadata, metadataSlots)},"system_prompt":${prompt}}`;
  return { value, start: systemPrompt.start, end: systemPrompt.end };
}

function canonicalString(text: string, node: JsonString): string {
  return canonicalText(text, node.start, node.end, node.value);
}

/** The JSON text of a string whose source (quotes included) is `text[start, end)`. */
function canonicalText(text: string, start: number, end: number, value: string): string {
  // Without escapes the source is exactly '"' + value + '"', two characters longer.
  return end - start === value.length + 2 ? text.slice(start, end) : JSON.stringify(value);
}

/**
 * Metadata values are strings in a valid line. Other values (reported elsewhere) keep their
 * source text: the line is invalid anyway, the comparison only has to be deterministic.
 */
function canonicalValue(text: string, node: JsonNode): string {
  return node.type === 'string' ? canonicalString(text, node) : text.slice(node.start, node.end);
}

/**
 * With the properties already in canonical slots (the metadata rule finds them while checking),
 * writing is linear; an object with an unknown key (a line with a warning) pays for a sort.
 */
function canonicalObject(text: string, object: JsonObject, slots: CanonicalMetadata): string {
  if (slots === undefined) return sortedObject(text, object);
  let out = '{';
  for (const property of slots) {
    if (property === undefined) continue;
    if (out.length > 1) out += ',';
    out += propertyText(text, property);
  }
  return out + '}';
}

function sortedObject(text: string, object: JsonObject): string {
  // Stable sort: among duplicate keys the last in the source stays last, and it is the one
  // JSON.parse keeps, so only the last of each run of equal keys is written.
  const sorted: JsonProperty[] = object.properties.slice().sort(byKey);
  let out = '{';
  for (let i = 0; i < sorted.length; i++) {
    const property = sorted[i];
    if (i + 1 < sorted.length && sorted[i + 1].key === property.key) continue;
    if (out.length > 1) out += ',';
    out += propertyText(text, property);
  }
  return out + '}';
}

/**
 * `"key":value` in canonical form. Lines written by JSON.stringify have no space after the
 * colon and few escapes; then the source from the key to the end of the value is the answer,
 * one slice instead of two and a concatenation.
 */
function propertyText(text: string, property: JsonProperty): string {
  const { keyStart, keyEnd, key, value } = property;
  const keyPlain = keyEnd - keyStart === key.length + 2;
  if (
    keyPlain &&
    value.start === keyEnd + 1 &&
    value.type === 'string' &&
    value.end - value.start === value.value.length + 2
  ) {
    return text.slice(keyStart, value.end);
  }
  const keyText = keyPlain ? text.slice(keyStart, keyEnd) : JSON.stringify(key);
  return `${keyText}:${canonicalValue(text, value)}`;
}

function byKey(a: JsonProperty, b: JsonProperty): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
