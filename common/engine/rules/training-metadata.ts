import type { JsonNumber, JsonObject } from '../json/ast.ts';
import { V4_QUALITY_CRITERIA_KEYS, V4_TRAINING_METADATA_KEYS } from '../schema/types.ts';
import {
  childPath,
  expectArray,
  expectBoolean,
  expectInteger,
  expectNumberInRange,
  expectObject,
  expectString,
  reportUnknownProperty,
  reportWrongType,
} from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

/** Below this `quality_score` a pair is worth a second look (BRL042, info). */
const LOW_QUALITY_SCORE = 2.5;

/**
 * `training_metadata` of a v4 pair: all keys optional. Returns `conversation_turn` so the
 * caller can compare it with `turn_number` (BRL038) once both are known.
 */
export function checkTrainingMetadata(
  r: LineReporter,
  object: JsonObject,
  path: string,
): JsonNumber | undefined {
  let conversationTurn: JsonNumber | undefined;
  for (const property of object.properties) {
    const value = property.value;
    switch (property.key) {
      case 'difficulty_level':
      case 'key_learning_objective':
      case 'emotional_progression_target':
        expectString(r, value, path, property.key);
        break;
      case 'demonstrates_skills': {
        const skills = expectArray(r, value, path, property.key);
        if (skills === undefined) break;
        const items = skills.items;
        for (let i = 0; i < items.length; i++) {
          if (items[i].type !== 'string') {
            reportWrongType(r, items[i], `${childPath(path, property.key)}[${i}]`, 'a string');
          }
        }
        break;
      }
      case 'conversation_turn':
        conversationTurn = expectInteger(r, value, path, property.key, undefined);
        break;
      case 'quality_score': {
        const score = expectNumberInRange(r, value, path, property.key, 1, 5);
        if (score !== undefined && score.value < LOW_QUALITY_SCORE) {
          const fieldPath = childPath(path, property.key);
          r.report(
            'BRL042',
            score.start,
            score.end,
            `${fieldPath} is ${score.value}, below ${LOW_QUALITY_SCORE}: this pair may teach poor answers`,
            {
              suggestion: 'Review the target response, or leave the pair out of training',
              data: { path: fieldPath, threshold: LOW_QUALITY_SCORE, actual: score.value },
            },
          );
        }
        break;
      }
      case 'quality_criteria': {
        const criteria = expectObject(r, value, path, property.key);
        if (criteria !== undefined)
          checkQualityCriteria(r, criteria, childPath(path, property.key));
        break;
      }
      case 'human_reviewed':
      case 'use_as_seed_example':
        expectBoolean(r, value, path, property.key);
        break;
      case 'reviewer_notes':
        if (value.type !== 'null') expectString(r, value, path, property.key);
        break;
      case 'generate_variations_count':
        expectInteger(r, value, path, property.key, 0);
        break;
      default:
        reportUnknownProperty(r, property, path, V4_TRAINING_METADATA_KEYS);
    }
  }
  return conversationTurn;
}

function checkQualityCriteria(r: LineReporter, object: JsonObject, path: string): void {
  for (const property of object.properties) {
    switch (property.key) {
      case 'empathy_score':
      case 'clarity_score':
      case 'appropriateness_score':
      case 'brand_voice_alignment':
        expectNumberInRange(r, property.value, path, property.key, 1, 5);
        break;
      default:
        reportUnknownProperty(r, property, path, V4_QUALITY_CRITERIA_KEYS);
    }
  }
}

/** BRL038: `training_metadata.conversation_turn` should repeat `turn_number`. */
export function checkConversationTurn(
  r: LineReporter,
  conversationTurn: JsonNumber,
  turnNumber: JsonNumber,
): void {
  if (conversationTurn.value === turnNumber.value) return;
  r.report(
    'BRL038',
    conversationTurn.start,
    conversationTurn.end,
    `training_metadata.conversation_turn is ${conversationTurn.value} but turn_number is ${turnNumber.value}`,
    {
      suggestion: `Set training_metadata.conversation_turn to ${turnNumber.value}`,
      data: { path: 'training_metadata.conversation_turn', expected: turnNumber.value },
    },
  );
}
