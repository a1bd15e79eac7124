/**
 * Nested state (optimizer and scheduler state dicts, user extras) split into JSON and tensors:
 * each tensor is replaced by a reference to a named tensor stored beside the JSON, and the values
 * JSON cannot carry exactly are tagged, so decoding gives back an equal structure:
 *
 * - a tensor                 → `{"__tensor__": "optimizer.state.0.momentum_buffer"}`
 * - NaN, ±Infinity, -0       → `{"__number__": "nan" | "inf" | "-inf" | "-0"}`
 * - undefined                → `{"__undefined__": true}` (keeps array positions and object keys)
 * - an object whose only key is one of these tags → `{"__object__": {...}}` (so it is not mistaken for one)
 */
import { Tensor } from '../tensor/tensor.js';

/** JSON as decoded by JSON.parse. */
export type Json = number | string | boolean | null | Json[] | { [key: string]: Json };

const TAGS = ['__tensor__', '__number__', '__undefined__', '__object__'];

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name ? `a ${name}` : 'an object';
}

/**
 * Encodes `value`, moving tensors into `tensors` under names starting with `prefix`.
 * `fail(problem)` reports a value that cannot be stored; paths in problems look like `optimizer.state.0`.
 */
export function encodeTree(value: unknown, prefix: string, tensors: Map<string, Tensor>, fail: (problem: string) => never): Json {
  const walk = (v: unknown, path: string): Json => {
    if (v instanceof Tensor) {
      let name = path;
      // Keys containing dots can make two paths spell the same name; keep names unique.
      for (let k = 2; tensors.has(name); k++) name = `${path}#${k}`;
      tensors.set(name, v);
      return { __tensor__: name };
    }
    if (v === undefined) return { __undefined__: true };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { __number__: 'nan' };
      if (v === Infinity || v === -Infinity) return { __number__: v > 0 ? 'inf' : '-inf' };
      return Object.is(v, -0) ? { __number__: '-0' } : v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (typeof v === 'object' && isPlainObject(v)) {
      const out: { [key: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x, `${path}.${k}`));
      const keys = Object.keys(out);
      return keys.length === 1 && TAGS.includes(keys[0]!) ? { __object__: out } : out;
    }
    return fail(`${path} is ${describe(v)}, which a checkpoint cannot store (use tensors, numbers, strings, booleans, null, arrays and plain objects)`);
  };
  return walk(value, prefix);
}

/** Inverse of `encodeTree`: tags resolved, tensors looked up in `tensors`. */
export function decodeTree(json: Json, tensors: ReadonlyMap<string, Tensor>, fail: (problem: string) => never): unknown {
  const walk = (v: Json): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const tag = v[keys[0]!]!;
      switch (keys[0]) {
        case '__tensor__': {
          const t = typeof tag === 'string' ? tensors.get(tag) : undefined;
          return t ?? fail(`the state refers to tensor ${JSON.stringify(tag)}, which the file does not hold`);
        }
        case '__number__': {
          const n = ({ nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 } as Record<string, number>)[String(tag)];
          return n ?? fail(`unknown special number ${JSON.stringify(tag)}`);
        }
        case '__undefined__': return undefined;
        case '__object__': return decodeObject(tag, walk, fail);
      }
    }
    return decodeObject(v, walk, fail);
  };
  return walk(json);
}

function decodeObject(v: Json, walk: (v: Json) => unknown, fail: (problem: string) => never): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(`expected an object, got ${JSON.stringify(v)}`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x));
  return out;
}

/** `o[k] = v` that also works for the key "__proto__" (plain assignment would set the prototype). */
function setOwn(o: object, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
