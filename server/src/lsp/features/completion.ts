import type { CompletionItem, Position, Range } from 'vscode-languageserver';
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import type { PropertyInfo, SchemaName } from '../../../../common/engine/schema/index.ts';
import { getPropertyInfo, listProperties } from '../../../../common/engine/schema/index.ts';
import type { DatasetDocument } from '../document/dataset-document.ts';
import { describeProperty } from './hover.ts';
import type { IdSource } from './pair-snippet.ts';
import { newPairSnippet } from './pair-snippet.ts';
import { prefixContext } from './prefix-context.ts';
import type { PrefixContext } from './prefix-context.ts';

/** How far up to look for the pair a new line continues. */
const PREVIOUS_PAIR_SEARCH = 50;

/**
 * Completion on a dataset line: property names valid at the cursor (with their schema
 * descriptions), enum and known values for the property being written, and on an empty line a
 * whole new pair that continues the conversation above.
 */
export function complete(
  document: DatasetDocument,
  position: Position,
  ids: IdSource,
): CompletionItem[] {
  if (position.line >= document.lineCount) return [];
  const text = document.line(position.line);
  if (text.trim() === '') return newLineItems(document, position, ids);
  const context = prefixContext(text, position.character);
  const schema = schemaFor(document, text);
  if (context.inKey) return propertyItems(schema, context, text, position);
  if (context.inValue && context.key !== undefined) {
    return valueItems(schema, context, text, position);
  }
  return [];
}

function schemaFor(document: DatasetDocument, text: string): SchemaName {
  if (/^\s*\{\s*"_meta"/.test(text)) return 'meta';
  return document.fileShape ?? 'brightrun_lora_v4';
}

function propertyItems(
  schema: SchemaName,
  context: PrefixContext,
  text: string,
  position: Position,
): CompletionItem[] {
  const existing = new Set(context.existingKeys);
  const range = stringRange(context, text, position);
  return listProperties(schema, context.containerPath)
    .filter((info) => !existing.has(info.name))
    .map((info) => ({
      label: info.name,
      kind: CompletionItemKind.Property,
      detail: `${typeLabel(info)}${info.required ? ' · required' : ''}`,
      documentation: { kind: MarkupKind.Markdown, value: describeProperty(info) },
      // Required fields first, then in schema order.
      sortText: `${info.required ? '0' : '1'}${info.name}`,
      filterText: range === undefined ? info.name : `"${info.name}`,
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit:
        range === undefined
          ? undefined
          : { range, newText: `"${info.name}": ${valueSnippet(info)}` },
      insertText: range === undefined ? `"${info.name}": ${valueSnippet(info)}` : undefined,
    }));
}

function valueItems(
  schema: SchemaName,
  context: PrefixContext,
  text: string,
  position: Position,
): CompletionItem[] {
  const info = getPropertyInfo(schema, [...context.containerPath, context.key ?? '']);
  if (info === undefined) return [];
  const closed = info.enum !== undefined;
  const values = (info.enum ?? info.knownValues ?? []).filter(
    (v): v is string => typeof v === 'string',
  );
  const range = stringRange(context, text, position);
  return values.map((value, index) => ({
    label: value,
    kind: closed ? CompletionItemKind.EnumMember : CompletionItemKind.Value,
    detail: closed ? `${info.name}: allowed value` : `${info.name}: known value`,
    sortText: String(index).padStart(3, '0'),
    filterText: range === undefined ? value : `"${value}`,
    textEdit: range === undefined ? undefined : { range, newText: JSON.stringify(value) },
    insertText: range === undefined ? JSON.stringify(value) : undefined,
  }));
}

function newLineItems(
  document: DatasetDocument,
  position: Position,
  ids: IdSource,
): CompletionItem[] {
  const items: CompletionItem[] = [];
  if ((document.fileShape ?? 'brightrun_lora_v4') === 'brightrun_lora_v4') {
    const previous = previousPairLine(document, position.line);
    items.push({
      label: previous === undefined ? 'New training pair' : 'Next turn of this conversation',
      kind: CompletionItemKind.Snippet,
      detail:
        previous === undefined
          ? 'A brightrun_lora_v4 pair line'
          : 'Same conversation, next turn_number, history filled from the line above',
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: {
        range: lineRange(document, position.line),
        newText: newPairSnippet(previous, ids),
      },
      sortText: '0',
    });
  }
  if (position.line === 0) {
    items.push({
      label: '_meta header',
      kind: CompletionItemKind.Snippet,
      detail: 'Optional first line describing the dataset',
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: {
        range: lineRange(document, 0),
        newText:
          '{"_meta":{"file_name":"${1:dataset.jsonl}","total_pairs":${2:0},' +
          '"version":"4.0.0","format_spec":"brightrun-lora-v4","description":"${3}"}}',
      },
      sortText: '1',
    });
  }
  return items;
}

function previousPairLine(document: DatasetDocument, line: number): string | undefined {
  for (let i = line - 1; i >= 0 && i >= line - PREVIOUS_PAIR_SEARCH; i--) {
    const facts = document.lineFacts(i);
    if (facts.kind === 'data' && facts.shape === 'brightrun_lora_v4') return document.line(i);
  }
  return undefined;
}

/** The range of the unfinished string at the cursor, closing quote included if present. */
function stringRange(context: PrefixContext, text: string, position: Position): Range | undefined {
  if (context.stringStart === undefined) return undefined;
  const after = text.charCodeAt(position.character) === 0x22 ? 1 : 0;
  return {
    start: { line: position.line, character: context.stringStart },
    end: { line: position.line, character: position.character + after },
  };
}

function lineRange(document: DatasetDocument, line: number): Range {
  return {
    start: { line, character: 0 },
    end: { line, character: document.line(line).length },
  };
}

function typeLabel(info: PropertyInfo): string {
  return Array.isArray(info.type) ? info.type.join(' | ') : (info.type ?? 'any');
}

/** A value placeholder that fits the property's type. */
function valueSnippet(info: PropertyInfo): string {
  const type = Array.isArray(info.type) ? info.type[0] : info.type;
  switch (type) {
    case 'string':
      return '"$1"';
    case 'array':
      return '[$1]';
    case 'object':
      return '{$1}';
    case 'boolean':
      return '${1|true,false|}';
    default:
      return '$1';
  }
}
