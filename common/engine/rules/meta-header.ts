import type { JsonNode, JsonNumber, JsonObject, JsonProperty } from '../json/ast.ts';
import { META_HEADER_KEYS, META_HEADER_LINE_KEYS } from '../schema/types.ts';
import { childPath, describeType, reportMissing, reportUnknownProperty } from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

/** The `format_spec` a v4 header names when it names one. */
export const FORMAT_SPEC = 'brightrun-lora-v4';
/** The major version this engine reads. */
export const SUPPORTED_MAJOR_VERSION = 4;

/**
 * Checks a `{"_meta": {...}}` header line against its schema; every failure is BRL012 (the
 * header is one unit for users: "the header is wrong, here"), except unknown keys, which are
 * BRL022 like everywhere else. Returns `_meta.total_pairs` when it is a valid count, for BRL011.
 * Where the header may stand (BRL010) is decided across lines, not here.
 */
export function checkMetaHeader(
  r: LineReporter,
  root: JsonObject,
  metaProperty: JsonProperty,
): JsonNumber | undefined {
  for (const property of root.properties) {
    if (property.key !== '_meta') reportUnknownProperty(r, property, '', META_HEADER_LINE_KEYS);
  }
  const meta = metaProperty.value;
  if (meta.type !== 'object') {
    reportSchema(
      r,
      meta,
      '_meta',
      'an object',
      'Write the header as {"_meta": {"version": "4.0.0"}}',
    );
    return undefined;
  }

  let totalPairs: JsonNumber | undefined;
  let hasVersion = false;
  for (const property of meta.properties) {
    const path = childPath('_meta', property.key);
    const value = property.value;
    switch (property.key) {
      case 'file_name':
      case 'description':
        if (value.type !== 'string') reportSchema(r, value, path, 'a string', 'Use a string');
        break;
      case 'total_pairs':
        if (value.type !== 'number' || !Number.isInteger(value.value) || value.value < 0) {
          reportSchema(r, value, path, 'an integer ≥ 0', 'Use the number of pair lines');
        } else {
          totalPairs = value;
        }
        break;
      case 'version':
        hasVersion = true;
        checkVersion(r, value, path);
        break;
      case 'format_spec':
        if (value.type !== 'string' || value.value !== FORMAT_SPEC) {
          reportSchema(r, value, path, `"${FORMAT_SPEC}"`, `Use "${FORMAT_SPEC}" or remove it`);
        }
        break;
      default:
        reportUnknownProperty(r, property, '_meta', META_HEADER_KEYS);
    }
  }
  if (!hasVersion) {
    reportMissing(r, meta, '_meta', 'version', 'Add "version": "4.0.0"', 'BRL012');
  }
  return totalPairs;
}

function reportSchema(
  r: LineReporter,
  node: JsonNode,
  path: string,
  expected: string,
  suggestion: string,
): void {
  const actual = node.type === 'string' ? `"${node.value}"` : describeType(node);
  r.report('BRL012', node.start, node.end, `${path} must be ${expected}, not ${actual}`, {
    suggestion,
    data: { path, expected },
  });
}

/** `4.x.y`: another major version is an error, as is anything that is not a version. */
function checkVersion(r: LineReporter, value: JsonNode, path: string): void {
  if (value.type !== 'string') {
    reportSchema(r, value, path, 'a version string "4.x.y"', 'Use "4.0.0"');
    return;
  }
  const parts = value.value.split('.');
  const wellFormed = parts.length === 3 && parts.every(isDigits);
  if (!wellFormed) {
    reportSchema(r, value, path, 'a version "4.x.y"', 'Use "4.0.0"');
    return;
  }
  if (parts[0] !== String(SUPPORTED_MAJOR_VERSION)) {
    r.report(
      'BRL012',
      value.start,
      value.end,
      `_meta.version ${value.value} is not supported: this file format is version 4.x.y`,
      {
        suggestion: 'Convert the file to brightrun_lora_v4 4.x.y, or fix the version',
        data: { path, expected: '4.x.y', actual: value.value },
      },
    );
  }
}

function isDigits(part: string): boolean {
  if (part.length === 0) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
