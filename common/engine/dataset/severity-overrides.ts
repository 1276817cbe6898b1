import type { Diagnostic } from '../diagnostic.ts';
import type { SeverityOverrides } from '../rule-codes.ts';

/**
 * The diagnostic as the user configured it: `undefined` when its code is 'off', a copy with the
 * new severity when overridden, the same object otherwise. Line facts may be cached and shared
 * (the language server keeps one per line text), so their diagnostics are never mutated.
 */
export function applySeverityOverride(
  diagnostic: Diagnostic,
  overrides: SeverityOverrides,
): Diagnostic | undefined {
  const override = overrides[diagnostic.code];
  if (override === undefined || override === diagnostic.severity) return diagnostic;
  if (override === 'off') return undefined;
  return { ...diagnostic, severity: override };
}
