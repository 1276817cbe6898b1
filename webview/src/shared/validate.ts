/**
 * A small validator library for the messages between the panel hosts and the panel apps.
 * Each validator checks an `unknown` value and either accepts it (typed as T) or names the
 * first problem with its path, so a malformed message is rejected and logged, never used.
 * No DOM and no VS Code API: the extension host and the browser bundles both import it.
 */

export interface Validator<T> {
  /** Returns undefined when the value is a T, otherwise a message naming the path. */
  check(value: unknown, path: string): string | undefined;
  /** Phantom: carries T for `Infer`; never set. */
  readonly _type?: T;
}

export type Infer<V> = V extends Validator<infer T> ? T : never;

function validator<T>(check: (value: unknown, path: string) => string | undefined): Validator<T> {
  return { check };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value}`;
}

export const str: Validator<string> = validator((v, p) =>
  typeof v === 'string' ? undefined : `${p} must be a string, got ${describe(v)}`,
);

/** A string of at most `max` characters (ids, names: a bound keeps a bad peer from flooding). */
export function text(max: number): Validator<string> {
  return validator((v, p) => {
    if (typeof v !== 'string') return `${p} must be a string, got ${describe(v)}`;
    return v.length <= max ? undefined : `${p} is longer than ${max} characters`;
  });
}

/** A finite number (NaN and ±Infinity are rejected: JSON cannot carry them anyway). */
export const num: Validator<number> = validator((v, p) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${p} must be a finite number`,
);

export const int: Validator<number> = validator((v, p) =>
  typeof v === 'number' && Number.isInteger(v) ? undefined : `${p} must be an integer`,
);

export const bool: Validator<boolean> = validator((v, p) =>
  typeof v === 'boolean' ? undefined : `${p} must be a boolean`,
);

export function literal<const L extends string>(...values: L[]): Validator<L> {
  return validator((v, p) =>
    typeof v === 'string' && (values as string[]).includes(v)
      ? undefined
      : `${p} must be one of ${values.join(', ')}`,
  );
}

export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return validator((v, p) => (v === undefined ? undefined : inner.check(v, p)));
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return validator((v, p) => (v === null ? undefined : inner.check(v, p)));
}

/** Absent or null: the API sends null for unset columns, a webview may omit them. */
export function maybe<T>(inner: Validator<T>): Validator<T | null | undefined> {
  return validator((v, p) => (v === null || v === undefined ? undefined : inner.check(v, p)));
}

export function array<T>(inner: Validator<T>, maxLength = 1_000_000): Validator<T[]> {
  return validator((v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array, got ${describe(v)}`;
    if (v.length > maxLength) return `${p} has more than ${maxLength} items`;
    for (let i = 0; i < v.length; i++) {
      const problem = inner.check(v[i], `${p}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  });
}

/** A map from string keys to values of one type (file tables, per-field errors). */
export function record<T>(inner: Validator<T>): Validator<Record<string, T>> {
  return validator((v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return `${p} must be an object, got ${describe(v)}`;
    }
    for (const [key, item] of Object.entries(v)) {
      const problem = inner.check(item, `${p}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  });
}

type Shape = Record<string, Validator<unknown>>;
type Required<S extends Shape> = {
  [K in keyof S as undefined extends Infer<S[K]> ? never : K]: Infer<S[K]>;
};
type Optional<S extends Shape> = {
  [K in keyof S as undefined extends Infer<S[K]> ? K : never]?: Infer<S[K]>;
};
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flatten<Required<S> & Optional<S>>;

/**
 * An object with the given fields. Extra fields are allowed: the API may grow, and a panel only
 * relies on what it declares. Every declared field is checked.
 */
export function object<S extends Shape>(shape: S): Validator<ObjectOf<S>> {
  return validator((v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return `${p} must be an object, got ${describe(v)}`;
    }
    const obj = v as Record<string, unknown>;
    for (const [key, inner] of Object.entries(shape)) {
      const problem = inner.check(obj[key], `${p}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  });
}

/**
 * Declares that the fields checked by `inner` are the ones a consumer relies on, and types the
 * value as the fuller API type T. Used for API rows passed through to a panel unchanged.
 */
export function shapeOf<T>(inner: Validator<unknown>): Validator<T> {
  return validator((v, p) => inner.check(v, p));
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function validate<T>(v: Validator<T>, value: unknown, path = 'value'): ValidationResult<T> {
  const error = v.check(value, path);
  return error === undefined ? { ok: true, value: value as T } : { ok: false, error };
}

/** Anything (a free-form JSON value a panel only displays). */
export const anything: Validator<unknown> = validator(() => undefined);

/** Accepts a value any of the validators accepts; reports the first one's problem otherwise. */
export function anyOf<A, B>(a: Validator<A>, b: Validator<B>): Validator<A | B> {
  return validator((v, p) => {
    const first = a.check(v, p);
    if (first === undefined || b.check(v, p) === undefined) return undefined;
    return first;
  });
}
