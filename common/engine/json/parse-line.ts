/**
 * A fast, iterative JSON parser for one JSONL line. It accepts exactly what `JSON.parse`
 * accepts, builds an AST with UTF-16 offsets for every node and key, reports the first syntax
 * error with a range and a message a person can act on, and collects warnings that
 * `JSON.parse` hides (duplicate keys, lone surrogates).
 *
 * The parser keeps an explicit stack instead of recursing, so a line nested a million levels
 * deep is parsed (or rejected) without exhausting the call stack.
 */
import type {
  JsonArray,
  JsonNode,
  JsonObject,
  JsonProblem,
  JsonProperty,
  LineParseResult,
} from './ast.ts';
import { charLengthAt, describeCharAt, describeInvalidWord, isWordChar } from './parse-messages.ts';

/** Expecting any value: at the top level, after ':' or after ',' in an array. */
const EXPECT_VALUE = 0;
/** Just after '[': a value or ']'. */
const EXPECT_FIRST_ITEM = 1;
/** Just after '{': a key or '}'. */
const EXPECT_FIRST_KEY = 2;
/** After ',' in an object: a key (a '}' here is a trailing comma). */
const EXPECT_KEY = 3;
/** A value just ended: ',' or the closing bracket, or the end of the line at the top level. */
const AFTER_VALUE = 4;

/** Objects with more properties than this use a Map to find duplicate keys. */
const LINEAR_DUPLICATE_SCAN_LIMIT = 16;

/**
 * A stand-in value for a property whose value is still being parsed. It never escapes: a line
 * that ends before the value is complete has a syntax error and no root.
 */
const PENDING_VALUE: JsonNode = { type: 'null', start: -1, end: -1 };

type Container = JsonObject | JsonArray;

/**
 * The characters a string scan must stop at besides the closing quote. A global search from
 * a given offset runs in the regex engine's native code, several times faster than a loop.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point.
const SPECIAL = /[\u0000-\u001f\\\ud800-\udfff]/g;

/** Parses one JSONL line (without its newline; a trailing '\r' is whitespace). */
export function parseLine(text: string): LineParseResult {
  const parser = new LineParser(text);
  const root = parser.parse();
  const warnings = parser.warnings;
  // Duplicate keys are found when their object closes, after warnings from nested values, so
  // sort to give callers source order.
  if (warnings.length > 1) warnings.sort((a, b) => a.start - b.start);
  return {
    root,
    syntaxError: parser.error,
    warnings,
  };
}

/** Skips JSON whitespace (space, tab, LF, CR) and returns the next offset. */
function skipWhitespace(s: string, i: number): number {
  // charCodeAt past the end is NaN, which matches nothing, so no bounds check is needed.
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}

/** Value of one hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** The code unit of a `\uXXXX` escape starting at `i` (the backslash), or -1. */
function unicodeEscapeAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 92 || s.charCodeAt(i + 1) !== 117) return -1;
  const a = hexValue(s.charCodeAt(i + 2));
  const b = hexValue(s.charCodeAt(i + 3));
  const c = hexValue(s.charCodeAt(i + 4));
  const d = hexValue(s.charCodeAt(i + 5));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Exact powers of ten: every one up to 1e22 is a double without rounding. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The value of a checked number literal `text[start, end)` whose digits sum to `mantissa`
 * (`digitCount` digits) and whose value is mantissa × 10^exponent. When the mantissa and the
 * power of ten are both exact doubles, one multiplication or division is correctly rounded,
 * so it equals what Number() returns (Clinger's fast path); otherwise Number() decides.
 */
function decimalToNumber(
  text: string,
  start: number,
  end: number,
  negative: boolean,
  mantissa: number,
  digitCount: number,
  exponent: number,
): number {
  if (digitCount <= 15 && exponent >= -22 && exponent <= 22) {
    const magnitude =
      exponent >= 0
        ? mantissa * EXACT_POWERS_OF_TEN[exponent]
        : mantissa / EXACT_POWERS_OF_TEN[-exponent];
    return negative ? -magnitude : magnitude;
  }
  return Number(text.slice(start, end));
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

class LineParser {
  readonly text: string;
  readonly warnings: JsonProblem[] = [];
  error: JsonProblem | undefined = undefined;
  /** The unescaped value of the string scanned last (scanString returns only its end). */
  private scanned = '';
  /** The value of the number scanned last. */
  private scannedNumber = 0;
  /** Cached result of nextSpecial(). */
  private special = -1;

  constructor(text: string) {
    this.text = text;
  }

  parse(): JsonNode | undefined {
    const s = this.text;
    const n = s.length;
    const stack: Container[] = [];
    let depth = 0;
    let root: JsonNode | undefined;
    let state = EXPECT_VALUE;
    /** Offset of the last ',' read, to point at it when a closing bracket follows. */
    let commaAt = -1;
    let i = skipWhitespace(s, 0);

    for (;;) {
      let node: JsonNode;
      if (state === AFTER_VALUE) {
        i = skipWhitespace(s, i);
        if (depth === 0) {
          if (i === n) return root;
          return this.fail('Unexpected text after the JSON value', i, this.trimmedEnd());
        }
        const top = stack[depth - 1];
        const c = s.charCodeAt(i);
        if (c === 44) {
          commaAt = i;
          i = skipWhitespace(s, i + 1);
          state = top.type === 'object' ? EXPECT_KEY : EXPECT_VALUE;
          continue;
        }
        if (top.type === 'object') {
          if (c !== 125) return this.failAfterValue(i, true);
          this.checkDuplicateKeys(top);
        } else if (c !== 93) {
          return this.failAfterValue(i, false);
        }
        top.end = ++i;
        depth--;
        node = top;
      } else if (state === EXPECT_KEY || state === EXPECT_FIRST_KEY) {
        const top = stack[depth - 1] as JsonObject;
        const c = s.charCodeAt(i);
        if (c === 34) {
          const keyStart = i;
          const keyEnd = this.scanString(i);
          if (keyEnd < 0) return undefined;
          i = skipWhitespace(s, keyEnd);
          if (s.charCodeAt(i) !== 58) {
            if (i === n) return this.fail("Unexpected end of line: missing ':'", n, n);
            return this.fail("Expected ':' after the property name", i, i + 1);
          }
          i = skipWhitespace(s, i + 1);
          const property: JsonProperty = {
            key: this.scanned,
            keyStart,
            keyEnd,
            value: PENDING_VALUE,
          };
          top.properties.push(property);
          state = EXPECT_VALUE;
          continue;
        }
        if (c === 125 && state === EXPECT_FIRST_KEY) {
          top.end = ++i;
          depth--;
          node = top;
        } else {
          return this.failKey(i, state === EXPECT_KEY ? commaAt : -1);
        }
      } else {
        const c = s.charCodeAt(i);
        if (c === 34) {
          const end = this.scanString(i);
          if (end < 0) return undefined;
          node = { type: 'string', start: i, end, value: this.scanned };
          i = end;
        } else if (c === 123) {
          stack[depth++] = { type: 'object', start: i, end: -1, properties: [] };
          i = skipWhitespace(s, i + 1);
          state = EXPECT_FIRST_KEY;
          continue;
        } else if (c === 91) {
          stack[depth++] = { type: 'array', start: i, end: -1, items: [] };
          i = skipWhitespace(s, i + 1);
          state = EXPECT_FIRST_ITEM;
          continue;
        } else if (isDigit(c) || c === 45) {
          const end = this.scanNumber(i);
          if (end < 0) return undefined;
          node = { type: 'number', start: i, end, value: this.scannedNumber };
          i = end;
        } else if (
          c === 116 &&
          s.charCodeAt(i + 1) === 114 &&
          s.charCodeAt(i + 2) === 117 &&
          s.charCodeAt(i + 3) === 101
        ) {
          node = { type: 'boolean', start: i, end: i + 4, value: true };
          i += 4;
        } else if (
          c === 102 &&
          s.charCodeAt(i + 1) === 97 &&
          s.charCodeAt(i + 2) === 108 &&
          s.charCodeAt(i + 3) === 115 &&
          s.charCodeAt(i + 4) === 101
        ) {
          node = { type: 'boolean', start: i, end: i + 5, value: false };
          i += 5;
        } else if (
          c === 110 &&
          s.charCodeAt(i + 1) === 117 &&
          s.charCodeAt(i + 2) === 108 &&
          s.charCodeAt(i + 3) === 108
        ) {
          node = { type: 'null', start: i, end: i + 4 };
          i += 4;
        } else if (c === 93 && state === EXPECT_FIRST_ITEM) {
          const top = stack[depth - 1];
          top.end = ++i;
          depth--;
          node = top;
        } else {
          const parent = depth > 0 ? stack[depth - 1] : undefined;
          return this.failValue(i, parent, state === EXPECT_VALUE ? commaAt : -1, state);
        }
      }

      // A value is complete: attach it to its container, or keep it as the root.
      if (depth === 0) {
        root = node;
      } else {
        const parent = stack[depth - 1];
        if (parent.type === 'array') {
          parent.items.push(node);
        } else {
          const properties = parent.properties;
          properties[properties.length - 1].value = node;
        }
      }
      state = AFTER_VALUE;
    }
  }

  /**
   * Offset of the first character at or after `from` that needs attention inside a string: a
   * backslash, a control character or a surrogate (the length of the text when none is left).
   * The answer is cached, so a line is searched about once plus once per such character.
   */
  private nextSpecial(from: number): number {
    if (this.special >= from) return this.special;
    SPECIAL.lastIndex = from;
    this.special = SPECIAL.test(this.text) ? SPECIAL.lastIndex - 1 : this.text.length;
    return this.special;
  }

  /**
   * Scans the string whose opening quote is at `start`. Returns the offset after the closing
   * quote and leaves the unescaped value in `scanned`, or returns -1 after recording an error.
   */
  private scanString(start: number): number {
    const s = this.text;
    const from = start + 1;
    // Fast path: when the closing quote comes before any backslash, control character or
    // surrogate, the value is a plain slice. Both searches run in native code.
    const quote = s.indexOf('"', from);
    if (quote >= 0 && quote < this.nextSpecial(from)) {
      this.scanned = s.slice(from, quote);
      return quote + 1;
    }
    return this.scanStringSlow(start);
  }

  /** The general string scanner: escapes, control characters, surrogates and errors. */
  private scanStringSlow(start: number): number {
    const s = this.text;
    const n = s.length;
    let out = '';
    /** Start of the raw run of characters not yet appended to `out`. */
    let seg = start + 1;
    let j = seg;
    let quote = -1;
    for (;;) {
      const special = this.nextSpecial(j);
      if (quote < j) {
        quote = s.indexOf('"', j);
        // With no quote left, keep the answer so later searches are not repeated.
        if (quote < 0) quote = n;
      }
      if (quote < special) {
        this.scanned = seg === start + 1 ? s.slice(seg, quote) : out + s.slice(seg, quote);
        return quote + 1;
      }
      if (special >= n) return this.failUnterminatedString();
      j = special;
      const c = s.charCodeAt(j);
      if (c === 92) {
        out += s.slice(seg, j);
        const e = s.charCodeAt(j + 1);
        let length = 2;
        switch (e) {
          case 34:
            out += '"';
            break;
          case 92:
            out += '\\';
            break;
          case 47:
            out += '/';
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 116:
            out += '\t';
            break;
          case 117: {
            const code = unicodeEscapeAt(s, j);
            if (code < 0) return this.failUnicodeEscape(j);
            length = 6;
            if (isHighSurrogate(code)) {
              const next = s.charCodeAt(j + 6);
              if (!isLowSurrogate(next) && !isLowSurrogate(unicodeEscapeAt(s, j + 6))) {
                this.warnLoneSurrogate(code, j, j + 6);
              }
            } else if (isLowSurrogate(code)) {
              if (!isHighSurrogate(out.charCodeAt(out.length - 1))) {
                this.warnLoneSurrogate(code, j, j + 6);
              }
            }
            out += String.fromCharCode(code);
            break;
          }
          default:
            if (j + 1 >= n) return this.failUnterminatedString();
            return this.failInvalidEscape(j);
        }
        j += length;
        seg = j;
        continue;
      }
      if (c < 32) {
        return this.failRange(
          `Control character U+${hex4(c)} must be escaped in a string`,
          j,
          j + 1,
        );
      }
      if (isHighSurrogate(c)) {
        const next = s.charCodeAt(j + 1);
        if (isLowSurrogate(next)) {
          j += 2;
          continue;
        }
        if (!isLowSurrogate(unicodeEscapeAt(s, j + 1))) this.warnLoneSurrogate(c, j, j + 1);
      } else {
        // A low surrogate: the previous code unit of the value is raw text when the current
        // run has started, otherwise the last character already appended (maybe an escape).
        const previous = j > seg ? s.charCodeAt(j - 1) : out.charCodeAt(out.length - 1);
        if (!isHighSurrogate(previous)) this.warnLoneSurrogate(c, j, j + 1);
      }
      j++;
    }
  }

  /**
   * Checks the number grammar of RFC 8259 starting at `start` (a digit or '-'). Returns the
   * offset after the number and leaves its value in `scannedNumber`, or returns -1 after
   * recording an error.
   */
  private scanNumber(start: number): number {
    const s = this.text;
    let i = start;
    let c = s.charCodeAt(i);
    const negative = c === 45;
    if (negative) c = s.charCodeAt(++i);
    // The digits are summed as they are checked; `digits` counts them so the sum is only
    // trusted while it is exact (at most 15 digits).
    let mantissa = 0;
    let digits = 0;
    if (c === 48) {
      c = s.charCodeAt(++i);
      digits = 1;
      if (isDigit(c)) {
        let end = i;
        while (isDigit(s.charCodeAt(end))) end++;
        return this.failRange('Numbers cannot have leading zeros', start, end);
      }
    } else if (isDigit(c)) {
      do {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        c = s.charCodeAt(++i);
      } while (isDigit(c));
    } else {
      return this.failAt("Expected a digit after '-'", i);
    }
    let fractionDigits = 0;
    if (c === 46) {
      c = s.charCodeAt(++i);
      if (!isDigit(c)) return this.failAt('Expected a digit after the decimal point', i);
      do {
        mantissa = mantissa * 10 + (c - 48);
        fractionDigits++;
        c = s.charCodeAt(++i);
      } while (isDigit(c));
    }
    let exponent = 0;
    if (c === 101 || c === 69) {
      c = s.charCodeAt(++i);
      const negativeExponent = c === 45;
      if (c === 43 || c === 45) c = s.charCodeAt(++i);
      if (!isDigit(c)) return this.failAt('Expected a digit in the exponent', i);
      do {
        // Clamp so that absurd exponents stay finite numbers; they take the slow path below.
        if (exponent < 100000) exponent = exponent * 10 + (c - 48);
        c = s.charCodeAt(++i);
      } while (isDigit(c));
      if (negativeExponent) exponent = -exponent;
    }
    this.scannedNumber = decimalToNumber(
      s,
      start,
      i,
      negative,
      mantissa,
      digits + fractionDigits,
      exponent - fractionDigits,
    );
    return i;
  }

  private checkDuplicateKeys(object: JsonObject): void {
    const properties = object.properties;
    const count = properties.length;
    if (count < 2) return;
    if (count <= LINEAR_DUPLICATE_SCAN_LIMIT) {
      // A 32-bit filter on length and middle character: only a key whose bit is already set
      // can be a duplicate, so most keys skip the comparisons with every earlier key.
      let seen = 0;
      for (let k = 0; k < count; k++) {
        const key = properties[k].key;
        const bit = 1 << ((key.length * 7 + key.charCodeAt(key.length >> 1)) & 31);
        if ((seen & bit) !== 0) {
          for (let j = 0; j < k; j++) {
            if (properties[j].key === key) {
              this.warnDuplicateKey(properties[k], properties[j]);
              break;
            }
          }
        }
        seen |= bit;
      }
      return;
    }
    const first = new Map<string, JsonProperty>();
    for (let k = 0; k < count; k++) {
      const property = properties[k];
      const earlier = first.get(property.key);
      if (earlier === undefined) first.set(property.key, property);
      else this.warnDuplicateKey(property, earlier);
    }
  }

  private warnDuplicateKey(property: JsonProperty, first: JsonProperty): void {
    // JSON.stringify shows quotes, newlines and other invisible characters in the key safely.
    const shown = JSON.stringify(property.key.slice(0, 40));
    const key = property.key.length > 40 ? `${shown}…` : shown;
    this.warnings.push({
      kind: 'duplicate-key',
      message: `Duplicate key ${key}: JSON.parse keeps only the last value`,
      start: property.keyStart,
      end: property.keyEnd,
      firstStart: first.keyStart,
      firstEnd: first.keyEnd,
    });
  }

  private warnLoneSurrogate(code: number, start: number, end: number): void {
    this.warnings.push({
      kind: 'lone-surrogate',
      message: `Lone surrogate U+${hex4(code)} is not valid Unicode and cannot be encoded as UTF-8`,
      start,
      end,
    });
  }

  /** Records the syntax error; returns undefined so callers can `return this.fail(...)`. */
  private fail(message: string, start: number, end: number): undefined {
    this.error = { kind: 'syntax', message, start, end };
    return undefined;
  }

  /** Records an error on a range and returns -1, for scanners that return an offset. */
  private failRange(message: string, start: number, end: number): number {
    this.fail(message, start, end);
    return -1;
  }

  /** Records an error on the character at `i` (or at the end of the line) and returns -1. */
  private failAt(message: string, i: number): number {
    const n = this.text.length;
    if (i >= n) this.fail(`Unexpected end of line: ${lowerFirst(message)}`, n, n);
    else this.fail(message, i, i + 1);
    return -1;
  }

  private failUnterminatedString(): number {
    const n = this.text.length;
    this.fail("Unterminated string: add the closing '\"'", n, n);
    return -1;
  }

  private failInvalidEscape(backslash: number): number {
    const c = this.text.charCodeAt(backslash + 1);
    const shown =
      c > 32 && c < 127
        ? `Invalid escape '\\${String.fromCharCode(c)}'`
        : `Invalid escape: '\\' followed by ${describeCharAt(this.text, backslash + 1)}`;
    this.fail(`${shown}; write '\\\\' for a backslash`, backslash, backslash + 2);
    return -1;
  }

  private failUnicodeEscape(backslash: number): number {
    const s = this.text;
    let k = backslash + 2;
    while (k < backslash + 6 && hexValue(s.charCodeAt(k)) >= 0) k++;
    if (k >= s.length) return this.failUnterminatedString();
    this.fail(
      `Invalid escape '${s.slice(backslash, k)}': '\\u' needs 4 hex digits`,
      backslash,
      k + 1,
    );
    return -1;
  }

  /** An error where a value was expected. */
  private failValue(
    i: number,
    parent: Container | undefined,
    commaAt: number,
    state: number,
  ): undefined {
    const s = this.text;
    const n = s.length;
    if (i >= n) {
      if (parent === undefined) return this.fail('Empty line: expected a JSON value', n, n);
      if (state === EXPECT_FIRST_ITEM)
        return this.fail("Unexpected end of line: missing ']'", n, n);
      return this.fail('Unexpected end of line: expected a value', n, n);
    }
    const c = s.charCodeAt(i);
    if (c === 93 && commaAt >= 0 && parent?.type === 'array') {
      return this.fail('Trailing comma is not allowed in JSON', commaAt, commaAt + 1);
    }
    if (c === 39) return this.failSingleQuote(i);
    if (c === 43) return this.fail("Numbers cannot start with '+'", i, i + 1);
    if (c === 46) return this.fail("Numbers need a digit before '.', e.g. 0.5", i, i + 1);
    if (c === 0xfeff && i === 0) {
      return this.fail('Byte order mark (U+FEFF) is not allowed here; remove it', i, i + 1);
    }
    if (isWordChar(c)) {
      const end = this.wordEnd(i);
      return this.fail(describeInvalidWord(s.slice(i, end)), i, end);
    }
    if (parent?.type === 'object') {
      const found = describeCharAt(s, i);
      return this.fail(`Expected a value after ':', found ${found}`, i, i + charLengthAt(s, i));
    }
    return this.fail(
      `Unexpected ${describeCharAt(s, i)}: expected a value`,
      i,
      i + charLengthAt(s, i),
    );
  }

  /** An error where a property name was expected. */
  private failKey(i: number, commaAt: number): undefined {
    const s = this.text;
    const n = s.length;
    if (i >= n) return this.fail("Unexpected end of line: missing '}'", n, n);
    const c = s.charCodeAt(i);
    if (c === 125 && commaAt >= 0) {
      return this.fail('Trailing comma is not allowed in JSON', commaAt, commaAt + 1);
    }
    if (c === 39) return this.failSingleQuote(i);
    if (isWordChar(c)) {
      return this.fail('Property names must be double-quoted strings', i, this.wordEnd(i));
    }
    const found = describeCharAt(s, i);
    return this.fail(
      `Expected a double-quoted property name, found ${found}`,
      i,
      i + charLengthAt(s, i),
    );
  }

  /** An error after a value inside a container. */
  private failAfterValue(i: number, inObject: boolean): undefined {
    const s = this.text;
    const n = s.length;
    if (i >= n) return this.fail(`Unexpected end of line: missing '${inObject ? '}' : ']'}'`, n, n);
    const c = s.charCodeAt(i);
    if (inObject) {
      if (c === 93) return this.fail("Unexpected ']': close the object with '}'", i, i + 1);
      return this.fail("Expected ',' or '}' after the property value", i, i + 1);
    }
    if (c === 125) return this.fail("Unexpected '}': close the array with ']'", i, i + 1);
    return this.fail("Expected ',' or ']' after an array item", i, i + 1);
  }

  private failSingleQuote(i: number): undefined {
    const close = this.text.indexOf("'", i + 1);
    const end = close < 0 ? i + 1 : close + 1;
    return this.fail('Single quotes are not valid in JSON; use double quotes', i, end);
  }

  private wordEnd(i: number): number {
    const s = this.text;
    while (isWordChar(s.charCodeAt(i))) i++;
    return i;
  }

  /** The end of the line without trailing whitespace, for "text after the value" ranges. */
  private trimmedEnd(): number {
    const s = this.text;
    let end = s.length;
    for (;;) {
      const c = s.charCodeAt(end - 1);
      if (c === 32 || c === 9 || c === 10 || c === 13) end--;
      else return end;
    }
  }
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
