import type { JsonObject } from '../json/ast.ts';
import {
  V4_DETECTED_EMOTIONS_KEYS,
  V4_EMOTIONAL_CONTEXT_KEYS,
  V4_EMOTIONAL_STATE_KEYS,
} from '../schema/types.ts';
import { VALENCES } from '../vocabulary.ts';
import {
  checkClosedValue,
  childPath,
  expectNonEmptyString,
  expectNumberInRange,
  expectObject,
  expectString,
  reportMissing,
  reportUnknownProperty,
} from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

/** `emotional_context`: `{detected_emotions: {...}}` of a v4 pair. */
export function checkEmotionalContext(r: LineReporter, object: JsonObject, path: string): void {
  let detected = false;
  for (const property of object.properties) {
    if (property.key === 'detected_emotions') {
      detected = true;
      const emotions = expectObject(r, property.value, path, property.key);
      if (emotions !== undefined) checkDetectedEmotions(r, emotions, childPath(path, property.key));
    } else {
      reportUnknownProperty(r, property, path, V4_EMOTIONAL_CONTEXT_KEYS);
    }
  }
  if (!detected) {
    reportMissing(
      r,
      object,
      path,
      'detected_emotions',
      'Add "detected_emotions": {"primary", "primary_confidence", "intensity", "valence"}',
    );
  }
}

function checkDetectedEmotions(r: LineReporter, object: JsonObject, path: string): void {
  let primary = false;
  let primaryConfidence = false;
  let intensity = false;
  let valence = false;
  for (const property of object.properties) {
    switch (property.key) {
      case 'primary':
        primary = true;
        expectNonEmptyString(
          r,
          property.value,
          path,
          property.key,
          'Name the main emotion, e.g. "anxiety"',
        );
        break;
      case 'secondary':
        expectString(r, property.value, path, property.key);
        break;
      case 'primary_confidence':
        primaryConfidence = true;
        expectNumberInRange(r, property.value, path, property.key, 0, 1);
        break;
      case 'secondary_confidence':
        expectNumberInRange(r, property.value, path, property.key, 0, 1);
        break;
      case 'intensity':
        intensity = true;
        expectNumberInRange(r, property.value, path, property.key, 0, 1);
        break;
      case 'valence': {
        valence = true;
        const value = expectString(r, property.value, path, property.key);
        if (value !== undefined) checkClosedValue(r, value, path, property.key, VALENCES);
        break;
      }
      default:
        reportUnknownProperty(r, property, path, V4_DETECTED_EMOTIONS_KEYS);
    }
  }
  if (!primary) reportMissing(r, object, path, 'primary', 'Add "primary": the main emotion');
  if (!primaryConfidence) {
    reportMissing(r, object, path, 'primary_confidence', 'Add "primary_confidence": 0..1');
  }
  if (!intensity) reportMissing(r, object, path, 'intensity', 'Add "intensity": 0..1');
  if (!valence) {
    reportMissing(r, object, path, 'valence', 'Add "valence": "positive", "negative" or "mixed"');
  }
}

/** `emotional_state` of a history turn: `{primary, secondary?, intensity}`. */
export function checkEmotionalState(r: LineReporter, object: JsonObject, path: string): void {
  let primary = false;
  let intensity = false;
  for (const property of object.properties) {
    switch (property.key) {
      case 'primary':
        primary = true;
        expectNonEmptyString(
          r,
          property.value,
          path,
          property.key,
          'Name the main emotion, e.g. "anxiety"',
        );
        break;
      case 'secondary':
        expectString(r, property.value, path, property.key);
        break;
      case 'intensity':
        intensity = true;
        expectNumberInRange(r, property.value, path, property.key, 0, 1);
        break;
      default:
        reportUnknownProperty(r, property, path, V4_EMOTIONAL_STATE_KEYS);
    }
  }
  if (!primary) reportMissing(r, object, path, 'primary', 'Add "primary": the main emotion');
  if (!intensity) reportMissing(r, object, path, 'intensity', 'Add "intensity": 0..1');
}
