import type { Diagnostic } from 'vscode-languageserver';
import { nearestValue } from '../../../../../common/engine/fixes/nearest-value.ts';
import { lineRange, parseObject, propertyWithKeyAt, removeProperty } from './json-edits.ts';
import type { QuickFix } from './quick-fix.ts';
import { dataOf, spanOf } from './quick-fix.ts';

/**
 * BRL022: remove the unknown property (with its comma), or rename it when it is a near miss of
 * a property the object may have and does not have yet (`target_respons`).
 */
export function fixUnknownProperty(text: string, line: number, diagnostic: Diagnostic): QuickFix[] {
  const span = spanOf(diagnostic);
  const root = parseObject(text);
  if (span === undefined || root === undefined) return [];
  const owned = propertyWithKeyAt(root, span.start);
  if (owned === undefined || owned.property.keyEnd !== span.end) return [];
  const { key } = owned.property;
  const fixes: QuickFix[] = [];
  const known = dataOf(diagnostic).known;
  if (Array.isArray(known)) {
    const present = new Set(owned.owner.properties.map((p) => p.key));
    const candidates = known.filter((k): k is string => typeof k === 'string' && !present.has(k));
    const meant = nearestValue(key, candidates);
    if (meant !== undefined) {
      fixes.push({
        title: `Rename "${key}" to "${meant}"`,
        edits: [{ range: lineRange(line, span.start, span.end), newText: JSON.stringify(meant) }],
        preferred: true,
      });
    }
  }
  fixes.push({
    title: `Remove unknown property "${key}"`,
    edits: [removeProperty(line, owned)],
    preferred: fixes.length === 0,
  });
  return fixes;
}

/**
 * BRL006: remove the earlier copy of a repeated key. JSON.parse keeps the last one, so the
 * line means after the fix exactly what it meant before.
 */
export function fixDuplicateKey(text: string, line: number, diagnostic: Diagnostic): QuickFix[] {
  const span = spanOf(diagnostic);
  const root = parseObject(text);
  if (span === undefined || root === undefined) return [];
  const owned = propertyWithKeyAt(root, span.start);
  if (owned === undefined) return [];
  const index = owned.owner.properties.indexOf(owned.property);
  const earlier = owned.owner.properties.slice(0, index).find((p) => p.key === owned.property.key);
  if (earlier === undefined) return [];
  return [
    {
      title: `Remove the earlier "${earlier.key}" (JSON.parse keeps this one)`,
      edits: [removeProperty(line, { owner: owned.owner, property: earlier })],
      preferred: true,
    },
  ];
}
