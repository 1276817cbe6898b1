/**
 * What the text before the cursor says about where the cursor is, read leniently: while an
 * author types, the line is usually not valid JSON yet, so the parser cannot help.
 */
export interface PrefixContext {
  /** Path of the innermost object or array the cursor is in. */
  containerPath: (string | number)[];
  containerType: 'object' | 'array' | undefined;
  /** In an object where a property name goes (after `{` or `,`), possibly inside its quotes. */
  inKey: boolean;
  /** In a value position; `key` names the property whose value it is (objects only). */
  inValue: boolean;
  key: string | undefined;
  /** Inside an unfinished string: its start offset (the quote) and what was typed so far. */
  stringStart: number | undefined;
  partial: string;
  /** Keys already written in the enclosing object before the cursor. */
  existingKeys: string[];
}

interface Frame {
  type: 'object' | 'array';
  key: string | undefined;
  expectingKey: boolean;
  index: number;
  keys: string[];
}

/** Scans `text` up to `offset` once, keeping a stack of open containers. */
export function prefixContext(text: string, offset: number): PrefixContext {
  const stack: Frame[] = [];
  const path: (string | number)[] = [];
  let stringStart: number | undefined;
  let lastString = '';
  let i = 0;
  while (i < offset) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = closingQuote(text, i + 1, offset);
      if (end < 0) {
        stringStart = i;
        break;
      }
      lastString = unescape(text.slice(i + 1, end));
      const top = stack[stack.length - 1];
      if (top?.type === 'object' && top.expectingKey) {
        top.key = lastString;
        top.keys.push(lastString);
      }
      i = end + 1;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 0x7b || c === 0x5b) {
      if (top !== undefined) path.push(top.type === 'object' ? (top.key ?? '') : top.index);
      stack.push({
        type: c === 0x7b ? 'object' : 'array',
        key: undefined,
        expectingKey: c === 0x7b,
        index: 0,
        keys: [],
      });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      path.pop();
    } else if (c === 0x3a && top?.type === 'object') {
      top.expectingKey = false;
    } else if (c === 0x2c && top !== undefined) {
      if (top.type === 'object') {
        top.expectingKey = true;
        top.key = undefined;
      } else {
        top.index++;
      }
    }
    i++;
  }
  const top = stack[stack.length - 1];
  const inKey = top?.type === 'object' && top.expectingKey;
  return {
    containerPath: path,
    containerType: top?.type,
    inKey,
    inValue: top !== undefined && !inKey,
    key: top?.type === 'object' && !inKey ? top.key : undefined,
    stringStart,
    partial: stringStart === undefined ? '' : unescape(text.slice(stringStart + 1, offset)),
    existingKeys: top?.type === 'object' ? top.keys : [],
  };
}

/** The offset of the quote closing a string that starts at `from`, or -1 before `limit`. */
function closingQuote(text: string, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

function unescape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
