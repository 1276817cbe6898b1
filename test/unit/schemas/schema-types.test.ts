import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import { FORMAT_SPEC } from '../../../common/engine/rules/meta-header.ts';
import type { JsonSchema, SchemaName } from '../../../common/engine/schema/index.ts';
import {
  SCHEMAS,
  SCHEMA_ANNOTATION_KEYWORDS,
  getPropertyInfo,
  listProperties,
} from '../../../common/engine/schema/index.ts';
import * as types from '../../../common/engine/schema/types.ts';
import {
  CHAT_ROLES,
  CONVERSATION_PHASES,
  EMOTIONAL_ARC_KEYS,
  PERSONA_ARCHETYPES,
  V4_HISTORY_ROLES,
  VALENCES,
} from '../../../common/engine/vocabulary.ts';
import {
  VALID_CHAT,
  VALID_CONVERSATIONS,
  VALID_FLAT_CONVERSATIONS,
  VALID_META,
  VALID_TURNS,
  fullPair,
  minimalPair,
} from '../line/pair-fixtures.ts';

const FILES: Record<SchemaName, string> = {
  brightrun_lora_v4: 'brightrun-lora-v4-pair.schema.json',
  chat_messages: 'chat-messages.schema.json',
  conversations: 'conversations.schema.json',
  turns: 'turns.schema.json',
  meta: 'meta-header.schema.json',
};

function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const keyword of SCHEMA_ANNOTATION_KEYWORDS)
    ajv.addKeyword({ keyword, schemaType: 'array' });
  return ajv;
}

/**
 * Every object level of every schema, with the TypeScript key list it must match. A level that
 * is one branch of an `anyOf` names its `$defs` entry, since a path alone reaches all branches.
 */
const LEVELS: [SchemaName, (string | number)[], readonly string[], string?][] = [
  ['meta', [], types.META_HEADER_LINE_KEYS],
  ['meta', ['_meta'], types.META_HEADER_KEYS],
  ['brightrun_lora_v4', [], types.V4_PAIR_KEYS],
  ['brightrun_lora_v4', ['conversation_metadata'], types.V4_CONVERSATION_METADATA_KEYS],
  ['brightrun_lora_v4', ['conversation_history', 0], types.V4_HISTORY_TURN_KEYS],
  [
    'brightrun_lora_v4',
    ['conversation_history', 0, 'emotional_state'],
    types.V4_EMOTIONAL_STATE_KEYS,
  ],
  ['brightrun_lora_v4', ['emotional_context'], types.V4_EMOTIONAL_CONTEXT_KEYS],
  [
    'brightrun_lora_v4',
    ['emotional_context', 'detected_emotions'],
    types.V4_DETECTED_EMOTIONS_KEYS,
  ],
  ['brightrun_lora_v4', ['training_metadata'], types.V4_TRAINING_METADATA_KEYS],
  ['brightrun_lora_v4', ['training_metadata', 'quality_criteria'], types.V4_QUALITY_CRITERIA_KEYS],
  ['chat_messages', [], types.CHAT_MESSAGES_LINE_KEYS],
  ['chat_messages', ['messages', 0], types.CHAT_MESSAGE_KEYS],
  ['chat_messages', ['metadata'], types.CHAT_LINE_METADATA_KEYS],
  ['conversations', [], types.CONVERSATIONS_LINE_KEYS],
  ['conversations', ['metadata'], types.CHAT_LINE_METADATA_KEYS],
  ['conversations', ['conversations', 0], types.CONVERSATION_KEYS, 'conversation'],
  ['conversations', ['conversations', 0, 'messages', 0], types.CHAT_MESSAGE_KEYS],
  ['turns', [], types.TURNS_LINE_KEYS],
  ['turns', ['turns', 0], types.TURN_KEYS],
  ['turns', ['metadata'], types.CHAT_LINE_METADATA_KEYS],
];

/** Every schema node that lists `properties`, found by walking the whole (finite) file. */
function objectNodes(schema: unknown): JsonSchema[] {
  const found: JsonSchema[] = [];
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    if (record.properties !== undefined && typeof record.properties === 'object') {
      found.push(record as JsonSchema);
    }
    stack.push(...Object.values(record));
  }
  return found;
}

const sorted = (keys: readonly string[]) => [...keys].sort();

describe('schemas', () => {
  it('are the files in schemas/ and compile as draft 2020-12 in strict mode', () => {
    for (const [name, file] of Object.entries(FILES) as [SchemaName, string][]) {
      const onDisk = JSON.parse(
        readFileSync(new URL(`../../../schemas/${file}`, import.meta.url), 'utf8'),
      ) as JsonSchema;
      assert.deepEqual(SCHEMAS[name], onDisk);
      assert.equal(onDisk.$schema, 'https://json-schema.org/draft/2020-12/schema');
      newAjv().compile(onDisk);
    }
  });

  it('accept the valid fixtures, and so does the engine', () => {
    const ajv = newAjv();
    const cases: [SchemaName, unknown][] = [
      ['brightrun_lora_v4', fullPair()],
      ['brightrun_lora_v4', minimalPair()],
      ['meta', VALID_META],
      ['chat_messages', VALID_CHAT],
      ['conversations', VALID_CONVERSATIONS],
      ['conversations', VALID_FLAT_CONVERSATIONS],
      ['turns', VALID_TURNS],
    ];
    for (const [name, value] of cases) {
      const validate = ajv.compile(SCHEMAS[name]);
      assert.equal(validate(value), true, `${name}: ${JSON.stringify(validate.errors)}`);
      const facts = analyzeLine(JSON.stringify(value), 0, { expectedShape: undefined });
      assert.deepEqual(facts.diagnostics, [], name);
    }
  });

  it('reject what the engine reports as errors', () => {
    const ajv = newAjv();
    const cases: [SchemaName, unknown][] = [
      ['brightrun_lora_v4', { ...minimalPair(), target_response: undefined }],
      ['brightrun_lora_v4', { ...minimalPair(), turn_number: 0 }],
      ['brightrun_lora_v4', { ...minimalPair(), id: '' }],
      ['brightrun_lora_v4', { ...minimalPair(), extra: 1 }],
      [
        'brightrun_lora_v4',
        { ...fullPair(), emotional_context: { detected_emotions: { valence: 'x' } } },
      ],
      ['meta', { _meta: { version: '5.0.0' } }],
      ['meta', { _meta: { version: '4.0.0', format_spec: 'other' } }],
      ['chat_messages', { messages: [] }],
      ['chat_messages', { messages: [{ role: 'human', content: 'x' }] }],
      ['turns', { turns: [{ role: 'user', content: 'x' }] }],
    ];
    for (const [name, value] of cases) {
      const validate = ajv.compile(SCHEMAS[name]);
      assert.equal(validate(value), false, `${name} accepted ${JSON.stringify(value)}`);
      const facts = analyzeLine(JSON.stringify(value), 0, { expectedShape: undefined });
      assert.ok(facts.diagnostics.length > 0, `engine accepted ${JSON.stringify(value)}`);
    }
  });

  it('let the engine accept every key the schemas list (the fixtures use them all)', () => {
    const pair = fullPair();
    const levels: [object | undefined, readonly string[]][] = [
      [pair, types.V4_PAIR_KEYS],
      [pair.conversation_metadata, types.V4_CONVERSATION_METADATA_KEYS],
      [pair.conversation_history[0], types.V4_HISTORY_TURN_KEYS],
      [pair.conversation_history[0].emotional_state, types.V4_EMOTIONAL_STATE_KEYS],
      [pair.emotional_context, types.V4_EMOTIONAL_CONTEXT_KEYS],
      [pair.emotional_context?.detected_emotions, types.V4_DETECTED_EMOTIONS_KEYS],
      [pair.training_metadata, types.V4_TRAINING_METADATA_KEYS],
      [pair.training_metadata?.quality_criteria, types.V4_QUALITY_CRITERIA_KEYS],
      [VALID_META._meta, types.META_HEADER_KEYS],
      [VALID_TURNS, types.TURNS_LINE_KEYS],
    ];
    for (const [value, keys] of levels) {
      assert.deepEqual(sorted(Object.keys(value ?? {})), sorted(keys));
    }
    const everyMessageKey = {
      messages: [
        { role: 'user', content: 'Hi', name: 'ana' },
        { role: 'assistant', content: 'Calling', tool_calls: [{ id: 't1' }] },
        { role: 'tool', content: '42', tool_call_id: 't1' },
        { role: 'assistant', content: 'It is 42' },
      ],
    };
    assert.deepEqual(
      sorted([...new Set(everyMessageKey.messages.flatMap((m) => Object.keys(m)))]),
      sorted(types.CHAT_MESSAGE_KEYS),
    );
    const facts = analyzeLine(JSON.stringify(everyMessageKey), 0, { expectedShape: undefined });
    assert.deepEqual(facts.diagnostics, []);
    assert.equal(newAjv().compile(SCHEMAS.chat_messages)(everyMessageKey), true);
  });

  it('list at every object level exactly the keys of the TypeScript types', () => {
    for (const [name, path, keys, def] of LEVELS) {
      const names =
        def === undefined
          ? listProperties(name, path).map((p) => p.name)
          : Object.keys(SCHEMAS[name].$defs?.[def]?.properties ?? {});
      assert.deepEqual(sorted(names), sorted(keys), `${name} ${path.join('.')}`);
    }
  });

  it('have no object level that the key lists do not cover', () => {
    for (const name of Object.keys(FILES) as SchemaName[]) {
      const covered = new Set(
        LEVELS.filter(([n]) => n === name).map(([, , keys]) => sorted(keys).join(',')),
      );
      for (const node of objectNodes(SCHEMAS[name])) {
        const keys = sorted(Object.keys(node.properties ?? {})).join(',');
        assert.ok(covered.has(keys), `${name}: an object with keys ${keys} has no key list`);
      }
    }
  });

  it('describe every property, for hover', () => {
    for (const name of Object.keys(FILES) as SchemaName[]) {
      for (const node of objectNodes(SCHEMAS[name])) {
        for (const key of Object.keys(node.properties ?? {})) {
          const owner = LEVELS.find(
            ([n, , keys]) =>
              n === name &&
              sorted(keys).join(',') === sorted(Object.keys(node.properties ?? {})).join(','),
          );
          assert.ok(owner, `${name}.${key}`);
          const info = getPropertyInfo(name, [...owner[1], key]);
          assert.ok(
            info?.description !== undefined && info.description.length > 10,
            `${name} ${[...owner[1], key].join('.')} has no description`,
          );
        }
      }
    }
  });

  it('use the vocabulary of the engine', () => {
    const v4 = (path: (string | number)[]) => getPropertyInfo('brightrun_lora_v4', path);
    assert.deepEqual(v4(['conversation_history', 0, 'role'])?.enum, [...V4_HISTORY_ROLES]);
    assert.deepEqual(v4(['emotional_context', 'detected_emotions', 'valence'])?.enum, [
      ...VALENCES,
    ]);
    const open: [string, readonly string[]][] = [
      ['persona_archetype', PERSONA_ARCHETYPES],
      ['emotional_arc_key', EMOTIONAL_ARC_KEYS],
      ['conversation_phase', CONVERSATION_PHASES],
    ];
    for (const [key, values] of open) {
      const info = v4(['conversation_metadata', key]);
      assert.deepEqual(info?.knownValues, [...values], key);
      assert.deepEqual(info?.schema.examples, [...values], key);
    }
    assert.deepEqual(getPropertyInfo('chat_messages', ['messages', 0, 'role'])?.enum, [
      ...CHAT_ROLES,
    ]);
    assert.deepEqual(getPropertyInfo('conversations', ['conversations', 0, 'role'])?.enum, [
      ...CHAT_ROLES,
    ]);
    assert.deepEqual(getPropertyInfo('turns', ['turns', 0, 'role'])?.enum, [...CHAT_ROLES]);
    assert.deepEqual(getPropertyInfo('meta', ['_meta', 'format_spec'])?.enum, [FORMAT_SPEC]);
  });

  it('answer hover and completion queries by path', () => {
    const role = getPropertyInfo('brightrun_lora_v4', ['conversation_history', 3, 'role']);
    assert.equal(role?.required, true);
    assert.match(role?.description ?? '', /user/);
    assert.equal(getPropertyInfo('brightrun_lora_v4', ['nope']), undefined);
    assert.equal(getPropertyInfo('chat_messages', ['metadata', 'anything']), undefined);
    const top = listProperties('brightrun_lora_v4', []);
    assert.equal(top.find((p) => p.name === 'training_metadata')?.required, false);
    assert.match(top.find((p) => p.name === 'training_metadata')?.description ?? '', /curation/);
  });
});
