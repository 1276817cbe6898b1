/**
 * Saves and restores the in-memory state of a streaming engine object (the DatasetValidator and
 * everything it owns) as JSON, so a validation that runs out of time in one Edge Function
 * invocation continues in the next one where it stopped.
 *
 * Why generic: the engine (common/engine) is pure domain code with no persistence of its own,
 * and its internals (hash tables over typed arrays, histograms, small class instances) change
 * as it is optimised. Instead of mirroring every field here, the snapshot walks the object
 * graph: plain objects, arrays, Maps, Sets, typed arrays and class instances (by class name),
 * keeping shared references shared. Functions cannot be saved; they are the callbacks a
 * constructor binds (the validator's `onDiagnostic`, the cross-line checker's `emit`), so
 * `restoreInto` writes the saved data into a freshly constructed object of the same kind and
 * keeps the fresh object's functions. A layout that no longer matches (a deployment changed the
 * engine between two invocations) is detected from the saved class layouts and reported, so the caller starts
 * that file again from its first byte instead of continuing from a state it cannot read.
 */
import { Buffer } from 'node:buffer';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One saved node; values inside refer to nodes by index. */
type Node =
  | { k: 'o'; c: string; f: Record<string, Json> }
  | { k: 'a'; v: Json[] }
  | { k: 'm'; v: [Json, Json][] }
  | { k: 's'; v: Json[] }
  | { k: 't'; c: string; b: string }
  | { k: 'f' };

export interface ObjectSnapshot {
  /** Class name → field names of the saved graph: restoring needs the same layout. */
  layout: Record<string, string>;
  root: Json;
  nodes: Node[];
}

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

function isTypedArray(value: object): value is ArrayBufferView {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function className(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto === null || proto === Object.prototype) return '';
  return proto.constructor?.name ?? '?';
}

function toBase64(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  // Trailing zero bytes (empty hash slots, an unused histogram tail) are left out.
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return `${bytes.length}:${Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('base64')}`;
}

function fromBase64(text: string): ArrayBuffer {
  const colon = text.indexOf(':');
  const bytes = new Uint8Array(Number(text.slice(0, colon)));
  bytes.set(Buffer.from(text.slice(colon + 1), 'base64'));
  return bytes.buffer;
}

/** Encodes a primitive, or returns undefined for objects. */
function encodePrimitive(value: unknown): Json | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : { n: String(value) };
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { u: 1 };
    case 'bigint':
      return { bi: value.toString() };
    case 'object':
      return value === null ? null : undefined;
    default:
      return undefined;
  }
}

/** Class name → its field names, for every class instance reachable from `root`. */
export function layoutOf(root: object): Record<string, string> {
  const seen = new Set<object>();
  const layout: Record<string, string> = {};
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (isTypedArray(value)) return;
    if (Array.isArray(value)) return value.forEach(visit);
    if (value instanceof Map) return value.forEach((v, k) => (visit(k), visit(v)));
    if (value instanceof Set) return value.forEach(visit);
    const name = className(value);
    if (name !== '') layout[name] ??= Object.keys(value).sort().join(',');
    for (const v of Object.values(value)) visit(v);
  };
  visit(root);
  return layout;
}

export function saveSnapshot(root: object): ObjectSnapshot {
  const nodes: Node[] = [];
  const ids = new Map<object, number>();

  const encode = (value: unknown): Json => {
    const primitive = encodePrimitive(value);
    if (primitive !== undefined) return primitive;
    if (typeof value === 'function') {
      nodes.push({ k: 'f' });
      return { r: nodes.length - 1 };
    }
    if (typeof value === 'symbol') throw new Error('Cannot snapshot a symbol');
    const object = value as object;
    const known = ids.get(object);
    if (known !== undefined) return { r: known };
    const id = nodes.length;
    ids.set(object, id);
    nodes.push({ k: 'f' }); // reserved; replaced below (cycles see the id already)
    let node: Node;
    if (isTypedArray(object)) {
      node = { k: 't', c: className(object), b: toBase64(object) };
    } else if (Array.isArray(object)) {
      node = { k: 'a', v: object.map(encode) };
    } else if (object instanceof Map) {
      node = { k: 'm', v: [...object].map(([k, v]) => [encode(k), encode(v)]) };
    } else if (object instanceof Set) {
      node = { k: 's', v: [...object].map(encode) };
    } else {
      const fields: Record<string, Json> = {};
      for (const [key, v] of Object.entries(object)) fields[key] = encode(v);
      node = { k: 'o', c: className(object), f: fields };
    }
    nodes[id] = node;
    return { r: id };
  };

  return { layout: layoutOf(root), root: encode(root), nodes };
}

export class SnapshotMismatchError extends Error {}

/**
 * Writes `snapshot` into `fresh`, a newly constructed object of the kind that was saved.
 * Objects already in `fresh` are reused in place (so the callbacks bound to them stay bound);
 * objects the fresh graph lacks are made from the prototype of a fresh object of the same class.
 * Throws SnapshotMismatchError when the layout differs.
 */
export function restoreInto(fresh: object, snapshot: ObjectSnapshot): void {
  // A class of the fresh graph whose fields changed means another engine version saved this.
  // (Classes only the saved graph has, made later in a run, are checked when they are built.)
  for (const [name, fields] of Object.entries(layoutOf(fresh))) {
    const saved = snapshot.layout[name];
    if (saved !== undefined && saved !== fields) {
      throw new SnapshotMismatchError(
        `The saved state was made by another engine version (${name})`,
      );
    }
  }
  const prototypes = new Map<string, object>();
  const collect = (value: unknown, seen: Set<object>): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (isTypedArray(value)) return;
    if (Array.isArray(value)) return value.forEach((v) => collect(v, seen));
    if (value instanceof Map) return value.forEach((v) => collect(v, seen));
    if (value instanceof Set) return value.forEach((v) => collect(v, seen));
    const name = className(value);
    if (name !== '' && !prototypes.has(name)) {
      prototypes.set(name, Object.getPrototypeOf(value) as object);
    }
    for (const v of Object.values(value)) collect(v, seen);
  };
  collect(fresh, new Set());

  const built = new Map<number, unknown>();

  const decode = (value: Json, live: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) throw new SnapshotMismatchError('Unexpected inline array');
    if ('n' in value) return Number(value.n);
    if ('u' in value) return undefined;
    if ('bi' in value) return BigInt(value.bi as string);
    const id = value.r as number;
    if (built.has(id)) return built.get(id);
    const node = snapshot.nodes[id];
    switch (node.k) {
      case 'f':
        // A function: the fresh object's own callback at this place.
        if (typeof live !== 'function') throw new SnapshotMismatchError('A callback went missing');
        built.set(id, live);
        return live;
      case 't': {
        const Typed = TYPED_ARRAYS[node.c];
        if (Typed === undefined) throw new SnapshotMismatchError(`Unknown typed array ${node.c}`);
        const array = new Typed(fromBase64(node.b));
        built.set(id, array);
        return array;
      }
      case 'a': {
        const liveArray = Array.isArray(live) ? (live as unknown[]) : undefined;
        const array: unknown[] = liveArray ?? [];
        built.set(id, array);
        const items = node.v.map((v, i) => decode(v, liveArray?.[i]));
        array.length = 0;
        array.push(...items);
        return array;
      }
      case 'm': {
        const map = live instanceof Map ? (live as Map<unknown, unknown>) : new Map();
        built.set(id, map);
        const entries = node.v.map(([k, v]) => [decode(k, undefined), decode(v, undefined)]);
        map.clear();
        for (const [k, v] of entries) map.set(k, v);
        return map;
      }
      case 's': {
        const set = live instanceof Set ? (live as Set<unknown>) : new Set();
        built.set(id, set);
        const items = node.v.map((v) => decode(v, undefined));
        set.clear();
        for (const v of items) set.add(v);
        return set;
      }
      case 'o': {
        let target: Record<string, unknown>;
        if (typeof live === 'object' && live !== null && className(live) === node.c) {
          target = live as Record<string, unknown>;
        } else if (node.c === '') {
          target = {};
        } else {
          const proto = prototypes.get(node.c);
          if (proto === undefined) throw new SnapshotMismatchError(`Unknown class ${node.c}`);
          target = Object.create(proto) as Record<string, unknown>;
        }
        built.set(id, target);
        for (const [key, v] of Object.entries(node.f)) target[key] = decode(v, target[key]);
        return target;
      }
    }
  };

  const root = snapshot.root;
  if (root === null || typeof root !== 'object' || Array.isArray(root) || !('r' in root)) {
    throw new SnapshotMismatchError('The saved state has no root object');
  }
  const restored = decode(root, fresh);
  if (restored !== fresh) throw new SnapshotMismatchError('The saved root is of another class');
}
