import type { JsonObject } from '../json/ast.ts';
import { getProperty } from '../json/ast.ts';
import { parseLine } from '../json/parse-line.ts';
import type { LineShape } from '../shape.ts';

/** Offsets of a key (quotes included) on its line. */
export interface KeyRange {
  start: number;
  end: number;
}

/** The keys that give a line its shape (as detectShape reads them). */
const SHAPE_KEYS: Record<LineShape, readonly string[]> = {
  brightrun_lora_v4: ['target_response', 'current_user_input'],
  chat_messages: ['messages'],
  conversations: ['conversations'],
  turns: ['turns'],
};

/**
 * The `_meta` key of a header line (BRL010 underlines it). LineFacts keeps no key offsets, and
 * a misplaced header is rare, so the line is parsed again here rather than making every line
 * carry offsets that only this rule reads.
 */
export function metaKeyRange(text: string): KeyRange | undefined {
  const root = objectOf(text);
  const property = root === undefined ? undefined : getProperty(root, '_meta');
  return property && { start: property.keyStart, end: property.keyEnd };
}

/** The first key that marks `shape` on the line (BRL055 underlines it); parsed again, as above. */
export function shapeKeyRange(text: string, shape: LineShape): KeyRange | undefined {
  const root = objectOf(text);
  if (root === undefined) return undefined;
  const keys = SHAPE_KEYS[shape];
  const property = root.properties.find((p) => keys.includes(p.key));
  return property && { start: property.keyStart, end: property.keyEnd };
}

function objectOf(text: string): JsonObject | undefined {
  const root = parseLine(text).root;
  return root?.type === 'object' ? root : undefined;
}
