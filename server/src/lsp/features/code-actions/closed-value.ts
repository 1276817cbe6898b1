import type { Diagnostic } from 'vscode-languageserver';
import { nearestValue } from '../../../../../common/engine/fixes/nearest-value.ts';
import { CHAT_ROLES } from '../../../../../common/engine/vocabulary.ts';
import { nodeAt, parseObject, replaceNode } from './json-edits.ts';
import type { QuickFix } from './quick-fix.ts';
import { dataOf, spanOf } from './quick-fix.ts';

/** With no good guess, every allowed value is offered, up to this many. */
const MAX_CHOICES = 6;

/**
 * BRL026 (a v4 role or another closed-list value) and BRL051 (a chat role): replace the value
 * with the allowed one it most likely meant — another case (`Assistant`), a known alias
 * (`human`), or a typo (`assistent`) — or, with no good guess, with each allowed value.
 */
export function fixClosedValue(text: string, line: number, diagnostic: Diagnostic): QuickFix[] {
  const span = spanOf(diagnostic);
  const root = parseObject(text);
  if (span === undefined || root === undefined) return [];
  const node = nodeAt(root, span.start, span.end);
  if (node?.type !== 'string') return [];
  const data = dataOf(diagnostic);
  const allowed = allowedValues(data.allowed, diagnostic.code);
  if (allowed.length === 0) return [];
  const alias = typeof data.expected === 'string' && allowed.includes(data.expected);
  const guess = alias ? (data.expected as string) : nearestValue(node.value, allowed);
  if (guess !== undefined) {
    return [
      {
        title: `Replace "${node.value}" with "${guess}"`,
        edits: [replaceNode(line, node, JSON.stringify(guess))],
        preferred: true,
      },
    ];
  }
  return allowed.slice(0, MAX_CHOICES).map((value) => ({
    title: `Replace "${node.value}" with "${value}"`,
    edits: [replaceNode(line, node, JSON.stringify(value))],
  }));
}

function allowedValues(allowed: unknown, code: Diagnostic['code']): string[] {
  if (Array.isArray(allowed)) return allowed.filter((v): v is string => typeof v === 'string');
  // A client that dropped `data` still gets the chat roles for a chat role.
  return code === 'BRL051' ? [...CHAT_ROLES] : [];
}
