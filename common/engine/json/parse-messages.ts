/**
 * Wording for JSON syntax errors that depends on the offending text. Kept apart from the parser
 * so the hot loop stays small and the messages can be read (and reworded) in one place.
 */

/** Letters, digits, '_' and '$': the characters of a bare word such as `undefined` or `True`. */
export function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36
  );
}

/** Shows the character at `i` in a message: visible ones quoted, all but ASCII with U+XXXX. */
export function describeCharAt(text: string, i: number): string {
  const code = text.codePointAt(i);
  if (code === undefined) return 'the end of the line';
  if (code > 32 && code < 127) return `'${String.fromCharCode(code)}'`;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  // Invisible characters (spaces, controls, format marks, lone surrogates) are shown by
  // number only, since quoting them would show nothing.
  return VISIBLE.test(String.fromCodePoint(code))
    ? `'${String.fromCodePoint(code)}' (${hex})`
    : hex;
}

/** Length in UTF-16 code units of the character at `i` (2 for an astral character). */
export function charLengthAt(text: string, i: number): number {
  const code = text.codePointAt(i);
  return code !== undefined && code > 0xffff ? 2 : 1;
}

const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}\p{M}]$/u;

const LITERALS = ['true', 'false', 'null'];

/** The message for a bare word where a value was expected. */
export function describeInvalidWord(word: string): string {
  const shown = word.length > 30 ? `${word.slice(0, 30)}…` : word;
  const lower = word.toLowerCase();
  if (LITERALS.includes(lower)) {
    return `Invalid literal '${shown}': JSON literals are lowercase (${lower})`;
  }
  if (lower === 'none' || lower === 'nil' || word === 'undefined') {
    return `'${shown}' is not valid JSON; use null`;
  }
  if (word === 'NaN' || word === 'Infinity') {
    return `'${shown}' is not valid JSON; use null or a finite number`;
  }
  if (LITERALS.some((literal) => literal.startsWith(word) || word.startsWith(literal))) {
    return `Invalid literal '${shown}': expected true, false or null`;
  }
  return `Unexpected '${shown}': strings must be in double quotes`;
}
