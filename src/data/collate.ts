/**
 * Merging samples into a batch (torch.utils.data.default_collate): tensors are stacked along a
 * new first dimension, numbers and booleans become a tensor, strings are kept as a list, and
 * arrays and plain objects are collated field by field.
 */
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { stack } from '../ops/shape.js';

/**
 * The batch type `defaultCollate` makes from samples of type `T`: tensors and numbers become
 * tensors, strings lists of strings, and arrays/objects keep their structure.
 */
export type Collated<T> =
  T extends Tensor ? Tensor
    : T extends number | boolean ? Tensor
      : T extends string ? string[]
        : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
          : T extends object ? { [K in keyof T]: Collated<T[K]> }
            : never;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return 'a tensor';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function collateAt(batch: readonly unknown[], path: string): unknown {
  const first = batch[0];
  const where = path === '' ? '' : ` at ${path}`;
  const kind = describe(first);
  batch.forEach((v, i) => {
    if (describe(v) !== kind) throw new ValueError('defaultCollate', `sample ${i} has ${describe(v)}${where} where sample 0 has ${kind}`);
  });
  if (first instanceof Tensor) return stack(batch as Tensor[]);
  if (typeof first === 'number') {
    // JavaScript has one number type: all-integer batches become int64 (labels, indices, as a
    // batch of Python ints does in PyTorch), anything else float64 (as Python floats do).
    const values = batch as number[];
    return tensor(values, { dtype: values.every(Number.isInteger) ? 'int64' : 'float64' });
  }
  if (typeof first === 'boolean') return tensor(batch as boolean[]);
  if (typeof first === 'string') return [...(batch as string[])];
  if (Array.isArray(first)) {
    const arrays = batch as unknown[][];
    arrays.forEach((a, i) => {
      if (a.length !== first.length) throw new ValueError('defaultCollate', `each array in the batch must have the same length: sample 0 has ${first.length} items${where}, sample ${i} has ${a.length}`);
    });
    return first.map((_, j) => collateAt(arrays.map((a) => a[j]), `${path}[${j}]`));
  }
  if (isPlainObject(first)) {
    const objects = batch as Record<string, unknown>[];
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      objects.forEach((o, i) => {
        if (!(key in o)) throw new ValueError('defaultCollate', `sample ${i} has no key '${key}'${where} (sample 0 has it)`);
      });
      out[key] = collateAt(objects.map((o) => o[key]), `${path}.${key}`);
    }
    return out;
  }
  throw new ValueError('defaultCollate', `samples must hold tensors, numbers, booleans, strings, arrays or plain objects; got ${kind}${where}`);
}

/**
 * PyTorch's default_collate: stacks tensors, turns numbers into an int64 (all integers) or
 * float64 tensor and booleans into a bool tensor, keeps strings as a list, and recurses into
 * arrays (position by position) and plain objects (key by key, keys of the first sample).
 *
 * @example
 * ```ts
 * const b = defaultCollate([{ x: tensor([1, 2]), y: 0 }, { x: tensor([3, 4]), y: 1 }]);
 * b.x.shape; // [2, 2]
 * b.y.dtype; // 'int64'
 * ```
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  if (batch.length === 0) throw new ValueError('defaultCollate', 'cannot collate an empty batch');
  return collateAt(batch, '') as Collated<T>;
}
