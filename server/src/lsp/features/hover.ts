import type { Hover, Position } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { parseLine } from '../../../../common/engine/json/parse-line.ts';
import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import type { PropertyInfo, SchemaName } from '../../../../common/engine/schema/index.ts';
import { getPropertyInfo } from '../../../../common/engine/schema/index.ts';
import type { Sample } from '../../../../common/engine/shape.ts';
import type { TokenizerInfo } from '../../../../common/tokenizers/token-counter.ts';
import type { DatasetDocument } from '../document/dataset-document.ts';
import { locate } from './json-location.ts';

/** The token counts of a line's samples, in order, and the tokenizer that made them. */
export interface SampleTokens {
  counts: readonly number[];
  tokenizer: TokenizerInfo;
}

/** Long messages are cut in the hover; the full text is in the line itself. */
const MESSAGE_PREVIEW_CHARS = 600;

/**
 * Hover on a dataset line: the schema documentation of the key under the cursor, then what the
 * line trains — its shape, its size in tokens against the max sequence length, and the chat
 * messages the trainer will see.
 */
export function hover(
  document: DatasetDocument,
  position: Position,
  tokens: SampleTokens | undefined,
  maxSeqLength: number,
): Hover | null {
  if (position.line >= document.lineCount) return null;
  const facts = document.lineFacts(position.line);
  if (facts.kind === 'blank' || facts.kind === 'invalid') return null;
  const sections: string[] = [];
  const keyDoc = keyDocumentation(document.line(position.line), position.character, facts);
  if (keyDoc !== undefined) sections.push(keyDoc);
  if (facts.kind === 'data') sections.push(lineSummary(facts, tokens, maxSeqLength));
  if (sections.length === 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') } };
}

function keyDocumentation(text: string, character: number, facts: LineFacts): string | undefined {
  const root = parseLine(text).root;
  if (root === undefined) return undefined;
  const location = locate(root, character);
  if (location?.key === undefined) return undefined;
  const schema: SchemaName | undefined = facts.kind === 'meta' ? 'meta' : facts.shape;
  if (schema === undefined) return undefined;
  const info = getPropertyInfo(schema, location.path);
  if (info === undefined) {
    return `**${escapeMarkdown(location.key.key)}** is not a property of this line's shape.`;
  }
  return describeProperty(info);
}

export function describeProperty(info: PropertyInfo): string {
  const type = Array.isArray(info.type) ? info.type.join(' | ') : (info.type ?? 'any');
  const lines = [
    `**${escapeMarkdown(info.name)}** \`${type}\`${info.required ? ' (required)' : ''}`,
  ];
  if (info.description !== undefined) lines.push(info.description);
  if (info.enum !== undefined) lines.push(`Allowed: ${info.enum.map(code).join(', ')}`);
  if (info.knownValues !== undefined) {
    lines.push(`Known values: ${info.knownValues.map(code).join(', ')}`);
  }
  return lines.join('\n\n');
}

function lineSummary(
  facts: LineFacts,
  tokens: SampleTokens | undefined,
  maxSeqLength: number,
): string {
  const parts: string[] = [];
  const pairs = facts.pairs === 1 ? '1 training pair' : `${facts.pairs} training pairs`;
  parts.push(`**${facts.shape ?? 'unknown shape'}** line · ${pairs}`);
  facts.samples.forEach((sample, index) => {
    const label = facts.samples.length > 1 ? `Sample ${index + 1}: ` : '';
    const count = tokens?.counts[index];
    if (tokens !== undefined && count !== undefined) {
      const { name, exact } = tokens.tokenizer;
      const percent = Math.round((count / maxSeqLength) * 1000) / 10;
      parts.push(
        `${label}${exact ? '' : '≈'}${count} tokens (${name}${exact ? '' : ', an estimate'}) · ` +
          `${percent}% of max_seq_length ${maxSeqLength}` +
          (count > maxSeqLength ? ' — **too long: it will be truncated**' : ''),
      );
    } else if (label !== '') {
      parts.push(label.slice(0, -2));
    }
    parts.push(renderChat(sample));
  });
  return parts.join('\n\n');
}

/** The messages as the trainer sees them; trained messages are marked. */
function renderChat(sample: Sample): string {
  const targets = new Set(sample.targets);
  return sample.messages
    .map((message, i) => {
      const marker = targets.has(i) ? ' · trained' : '';
      const content =
        message.content.length > MESSAGE_PREVIEW_CHARS
          ? message.content.slice(0, MESSAGE_PREVIEW_CHARS) + '…'
          : message.content;
      return `**${message.role}**${marker}\n\n${quote(content)}`;
    })
    .join('\n\n');
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${escapeMarkdown(line)}`)
    .join('\n');
}

function code(value: unknown): string {
  return '`' + String(value) + '`';
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, (c) => '\\' + c);
}
