import type { Severity } from './diagnostic.ts';

/** The rule catalogue of dataset-format.md §3: one entry per code, with its default severity. */
export const RULES = {
  BRL001: { severity: 'error', title: 'Line is not valid JSON' },
  BRL002: { severity: 'error', title: 'Line is not a JSON object' },
  BRL003: { severity: 'warning', title: 'Blank line between data lines' },
  BRL004: { severity: 'warning', title: 'File starts with a UTF-8 byte order mark' },
  BRL005: { severity: 'error', title: 'Invalid UTF-8 or lone surrogate' },
  BRL006: { severity: 'warning', title: 'Duplicate key in one object' },
  BRL010: { severity: 'error', title: '_meta header not on line 1' },
  BRL011: { severity: 'warning', title: '_meta.total_pairs differs from the pair count' },
  BRL012: { severity: 'error', title: '_meta header fails its schema' },
  BRL020: { severity: 'error', title: 'Required field missing' },
  BRL021: { severity: 'error', title: 'Wrong type' },
  BRL022: { severity: 'warning', title: 'Property not in the schema' },
  BRL023: { severity: 'error', title: 'Required string empty' },
  BRL024: { severity: 'error', title: 'Number out of range' },
  BRL025: { severity: 'info', title: 'Value outside the known list' },
  BRL026: { severity: 'error', title: 'Invalid role or closed-list value' },
  BRL027: { severity: 'warning', title: 'System prompt shorter than 100 characters' },
  BRL030: { severity: 'error', title: 'Duplicate id' },
  BRL031: { severity: 'warning', title: 'History turns not numbered 1..n' },
  BRL032: { severity: 'warning', title: 'History length is not turn_number - 1' },
  BRL033: { severity: 'warning', title: 'History roles do not alternate' },
  BRL034: { severity: 'warning', title: 'Last user turn differs from current_user_input' },
  BRL035: { severity: 'warning', title: 'Conversation system prompt or metadata differs' },
  BRL036: { severity: 'error', title: 'Duplicate (conversation_id, turn_number)' },
  BRL037: { severity: 'warning', title: 'Duplicate sample' },
  BRL038: {
    severity: 'warning',
    title: 'training_metadata.conversation_turn differs from turn_number',
  },
  BRL040: { severity: 'warning', title: 'Sample longer than the max sequence length' },
  BRL041: { severity: 'warning', title: 'Fewer than 10 training pairs' },
  BRL042: { severity: 'info', title: 'Low quality score' },
  BRL050: { severity: 'error', title: 'Messages missing or empty' },
  BRL051: { severity: 'error', title: 'Invalid chat role' },
  BRL052: { severity: 'error', title: 'No assistant message' },
  BRL053: { severity: 'warning', title: 'Chat roles out of order' },
  BRL054: { severity: 'error', title: 'Message content missing or empty' },
  BRL055: { severity: 'error', title: 'Line shape differs from the file shape' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type RuleCode = keyof typeof RULES;

export const RULE_CODES = Object.keys(RULES) as RuleCode[];

/** Per-code severity overrides from settings or CLI flags; 'off' drops the diagnostic. */
export type SeverityOverrides = Partial<Record<RuleCode, Severity | 'off'>>;

export function isRuleCode(value: string): value is RuleCode {
  return Object.prototype.hasOwnProperty.call(RULES, value);
}
