// Input checks of the api routes. Each check records a `{field, message}` problem instead of
// throwing at the first one, so a 400 lists everything the caller has to fix.
import {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type ValidationIssue,
} from '../../../common/api/types.ts';
import { ValidationError } from '../_shared/http.ts';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path parameter that must be a UUID (anything else cannot name a row). */
export function pathId(value: string, field = 'id'): string {
  if (!UUID_PATTERN.test(value)) {
    throw new ValidationError([{ field, message: `${field} must be a UUID` }]);
  }
  return value.toLowerCase();
}

/** Reads fields of a JSON object body, collecting problems; `done()` throws them as one 400. */
export class BodyReader {
  readonly issues: ValidationIssue[] = [];
  readonly body: Record<string, unknown>;

  /**
   * `allowed` lists the accepted keys; any other key is a problem (a typo would otherwise be
   * silently ignored). Pass `null` to skip that check.
   */
  constructor(
    body: unknown,
    allowed: readonly string[] | null,
    options: { optional?: boolean } = {},
  ) {
    if (body === undefined && options.optional) {
      this.body = {};
      return;
    }
    if (!isObject(body)) {
      throw new ValidationError([{ field: '', message: 'The request body must be a JSON object' }]);
    }
    this.body = body;
    if (allowed) {
      for (const key of Object.keys(body)) {
        if (!allowed.includes(key)) {
          this.issues.push({
            field: key,
            message: `Unknown field "${key}" (accepted: ${allowed.join(', ')})`,
          });
        }
      }
    }
  }

  #missing(field: string): void {
    this.issues.push({ field, message: `${field} is required` });
  }

  /** A string, trimmed; `required` also refuses an empty or blank string. */
  string(field: string, options: { required: true; max?: number }): string;
  string(field: string, options: { required?: false; max?: number }): string | null;
  string(field: string, options: { required?: boolean; max?: number }): string | null {
    const value = this.body[field];
    if (value === undefined || value === null) {
      if (options.required) this.#missing(field);
      return options.required ? '' : null;
    }
    if (typeof value !== 'string') {
      this.issues.push({ field, message: `${field} must be a string` });
      return '';
    }
    const trimmed = value.trim();
    if (options.required && trimmed === '') {
      this.issues.push({ field, message: `${field} must not be empty` });
      return '';
    }
    if (options.max !== undefined && trimmed.length > options.max) {
      this.issues.push({ field, message: `${field} must be at most ${options.max} characters` });
    }
    return trimmed;
  }

  integer(
    field: string,
    options: { required: true; min: number; max: number; unit?: string },
  ): number {
    const value = this.body[field];
    if (value === undefined || value === null) {
      this.#missing(field);
      return 0;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.issues.push({ field, message: `${field} must be an integer` });
      return 0;
    }
    if (value < options.min || value > options.max) {
      const unit = options.unit ? ` ${options.unit}` : '';
      this.issues.push({
        field,
        message: `${field} must be between ${options.min} and ${options.max}${unit}`,
      });
    }
    return value;
  }

  uuid(field: string): string {
    const value = this.body[field];
    if (value === undefined || value === null || value === '') {
      this.#missing(field);
      return '';
    }
    if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
      this.issues.push({ field, message: `${field} must be a UUID` });
      return '';
    }
    return value.toLowerCase();
  }

  done(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/** Reads query parameters the same way. */
export class QueryReader {
  readonly issues: ValidationIssue[] = [];

  constructor(
    readonly params: URLSearchParams,
    allowed: readonly string[],
  ) {
    for (const key of new Set(params.keys())) {
      if (!allowed.includes(key)) {
        this.issues.push({
          field: key,
          message: `Unknown query parameter "${key}" (accepted: ${allowed.join(', ') || 'none'})`,
        });
      }
    }
  }

  integer(field: string, options: { min: number; max: number; fallback: number }): number {
    const raw = this.params.get(field);
    if (raw === null || raw.trim() === '') return options.fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
      this.issues.push({ field, message: `${field} must be an integer` });
      return options.fallback;
    }
    if (value < options.min || value > options.max) {
      this.issues.push({
        field,
        message: `${field} must be between ${options.min} and ${options.max}`,
      });
      return options.fallback;
    }
    return value;
  }

  /** One of `values`, or several separated by commas when `many`. */
  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const raw = this.params.get(field);
    if (raw === null || raw.trim() === '') return undefined;
    if (!(values as readonly string[]).includes(raw.trim())) {
      this.issues.push({ field, message: `${field} must be one of ${values.join(', ')}` });
      return undefined;
    }
    return raw.trim() as T;
  }

  manyOf<T extends string>(field: string, values: readonly T[]): T[] | undefined {
    const raw = this.params.get(field);
    if (raw === null || raw.trim() === '') return undefined;
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const bad = list.filter((s) => !(values as readonly string[]).includes(s));
    if (bad.length > 0) {
      this.issues.push({
        field,
        message: `${field} must be one or more of ${values.join(', ')} (separated by commas)`,
      });
      return undefined;
    }
    return [...new Set(list)] as T[];
  }

  boolean(field: string): boolean | undefined {
    const raw = this.params.get(field);
    if (raw === null || raw.trim() === '') return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.issues.push({ field, message: `${field} must be true or false` });
    return undefined;
  }

  uuid(field: string): string | undefined {
    const raw = this.params.get(field);
    if (raw === null || raw.trim() === '') return undefined;
    if (!UUID_PATTERN.test(raw.trim())) {
      this.issues.push({ field, message: `${field} must be a UUID` });
      return undefined;
    }
    return raw.trim().toLowerCase();
  }

  page(): { limit: number; offset: number } {
    return {
      limit: this.integer('limit', { min: 1, max: MAX_PAGE_LIMIT, fallback: DEFAULT_PAGE_LIMIT }),
      offset: this.integer('offset', { min: 0, max: 1_000_000, fallback: 0 }),
    };
  }

  done(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/** The page envelope from a page of rows and the total. */
export function pageOf<T>(items: T[], total: number, limit: number, offset: number) {
  return {
    items,
    total,
    limit,
    offset,
    next_offset: offset + items.length < total ? offset + items.length : null,
  };
}
