import type { JsonProperty, JsonObject } from '../json/ast.ts';
import { V4_CONVERSATION_METADATA_KEYS } from '../schema/types.ts';
import { CONVERSATION_PHASES, EMOTIONAL_ARC_KEYS, PERSONA_ARCHETYPES } from '../vocabulary.ts';
import { checkKnownValue, expectString, reportUnknownProperty } from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

/**
 * The `conversation_metadata` keys in code-unit order, the order canonical JSON writes them
 * (test/unit/line keeps it equal to the sorted key list of the schema).
 */
export const CANONICAL_METADATA_KEYS = [
  'client_background',
  'client_persona',
  'conversation_phase',
  'emotional_arc',
  'emotional_arc_key',
  'expected_outcome',
  'persona_archetype',
  'session_context',
  'training_topic',
  'training_topic_key',
] as const;

/**
 * The properties of a `conversation_metadata` object by their index in
 * CANONICAL_METADATA_KEYS (the last of duplicates, as JSON.parse keeps), or undefined when the
 * object has a key outside the schema. Found while checking, so the line's canonical
 * conversation context needs no second pass over the keys.
 */
export type CanonicalMetadata = (JsonProperty | undefined)[] | undefined;

/**
 * `conversation_metadata` (v4 pairs and legacy turns lines): every value is a string; three
 * keys have open lists of known values, reported as info because real datasets extend them.
 */
export function checkConversationMetadata(
  r: LineReporter,
  object: JsonObject,
  path: string,
): CanonicalMetadata {
  let slots: CanonicalMetadata = new Array<JsonProperty | undefined>(
    CANONICAL_METADATA_KEYS.length,
  );
  for (const property of object.properties) {
    const slot = canonicalSlot(property.key);
    if (slot < 0) {
      reportUnknownProperty(r, property, path, V4_CONVERSATION_METADATA_KEYS);
      slots = undefined;
      continue;
    }
    if (slots !== undefined) slots[slot] = property;
    const value = expectString(r, property.value, path, property.key);
    const known = knownValuesOf(slot);
    if (value !== undefined && known !== undefined) {
      checkKnownValue(r, value, path, property.key, known);
    }
  }
  return slots;
}

/** The index of `key` in CANONICAL_METADATA_KEYS, or -1. */
function canonicalSlot(key: string): number {
  switch (key) {
    case 'client_background':
      return 0;
    case 'client_persona':
      return 1;
    case 'conversation_phase':
      return 2;
    case 'emotional_arc':
      return 3;
    case 'emotional_arc_key':
      return 4;
    case 'expected_outcome':
      return 5;
    case 'persona_archetype':
      return 6;
    case 'session_context':
      return 7;
    case 'training_topic':
      return 8;
    case 'training_topic_key':
      return 9;
    default:
      return -1;
  }
}

/** The known values of the open list a slot has, if it has one. */
function knownValuesOf(slot: number): readonly string[] | undefined {
  if (slot === 2) return CONVERSATION_PHASES;
  if (slot === 4) return EMOTIONAL_ARC_KEYS;
  if (slot === 6) return PERSONA_ARCHETYPES;
  return undefined;
}
