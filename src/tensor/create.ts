/** Creating tensors: from data, constants, ranges and random distributions. */
import { getBackend } from '../backend/registry.js';
import { ValueError } from '../errors.js';
import { isFloat, type DType } from './dtype.js';
import { defaultGenerator, type Generator } from './random.js';
import { checkShape, numel, type Shape } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface CreateOptions {
  /** Element type. Default float32 (bool for boolean data, and the typed array's own type). */
  dtype?: DType;
  /** Make the result a leaf that requires grad. */
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  /** Generator to draw from. Default: the global one seeded by `manualSeed`. */
  generator?: Generator;
}

type Data = NestedArray | boolean | readonly boolean[] | readonly (readonly boolean[])[] | Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function fromFlat(values: ArrayLike<number>, shape: Shape, dtype: DType, opts: CreateOptions): Tensor {
  return finish(new Tensor(getBackend().fromArray(dtype, values), [...shape]), opts);
}

function inferTypedDType(data: Data): DType | null {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'bool';
  if (data instanceof Float32Array) return 'float32';
  return null;
}

/**
 * A tensor from nested arrays, a number, or a typed array (with `shape`).
 * JavaScript numbers give float32 unless `dtype` says otherwise (unlike Python, JS has no
 * separate int literal): write `tensor([0, 2, 1], { dtype: 'int64' })` for labels.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]]);             // float32, shape [2, 2]
 * const y = tensor(new Float64Array(6), { shape: [2, 3] });
 * ```
 */
export function tensor(data: Data, opts: CreateOptions & { shape?: Shape } = {}): Tensor {
  const typed = inferTypedDType(data);
  if (typed !== null) {
    const arr = data as Float32Array;
    const flat = data instanceof BigInt64Array ? Array.from(data, (v) => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new ValueError('tensor', `int64 value ${v} exceeds 2^53 and cannot be held exactly`);
      return Number(v);
    }) : arr;
    const shape = opts.shape ?? [arr.length];
    if (numel(shape) !== arr.length) throw new ValueError('tensor', `shape [${shape.join(',')}] needs ${numel(shape)} values, got ${arr.length}`);
    return fromFlat(flat, shape, opts.dtype ?? typed, opts);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  let sawBool = false;
  const walk = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v === 'boolean') { sawBool = true; flat.push(v ? 1 : 0); return; }
      if (typeof v !== 'number') throw new ValueError('tensor', `expected a number at depth ${dim}, got ${typeof v}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ValueError('tensor', `ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(v) ? v.length : typeof v}`);
    }
    for (const e of v) walk(e, dim + 1);
  };
  walk(data, 0);
  const dtype = opts.dtype ?? (sawBool ? 'bool' : 'float32');
  if (opts.shape) {
    if (numel(opts.shape) !== flat.length) throw new ValueError('tensor', `shape [${opts.shape.join(',')}] needs ${numel(opts.shape)} values, got ${flat.length}`);
    return fromFlat(flat, checkShape('tensor', opts.shape), dtype, opts);
  }
  return fromFlat(flat, shape, dtype, opts);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  const s = checkShape('full', shape);
  return finish(new Tensor(getBackend().full(opts.dtype ?? 'float32', numel(s), value), s), opts);
}

export const zeros = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: Shape, opts: CreateOptions = {}): Tensor => full(shape, 1, opts);
export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor => full(t.shape, 0, { dtype: t.dtype, ...opts });
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor => full(t.shape, 1, { dtype: t.dtype, ...opts });
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}): Tensor => full(t.shape, value, { dtype: t.dtype, ...opts });

/**
 * Values start, start+step, … below end. With one argument, 0 … end-1.
 * The dtype is int64 when every argument is an integer (as torch.arange), else float32.
 */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0) throw new ValueError('arange', 'step must be nonzero');
  const n = Math.max(0, Math.ceil((e - s) / step));
  const dtype = opts.dtype ?? ([s, e, step].every(Number.isInteger) ? 'int64' : 'float32');
  return fromFlat(Array.from({ length: n }, (_, i) => s + i * step), [n], dtype, opts);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError('linspace', `steps must be a non-negative integer, got ${steps}`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the second half backwards from `end` for symmetry; so do we.
  const half = Math.floor(steps / 2);
  const vals = Array.from({ length: steps }, (_, i) => (i < half || steps === 1 ? start + step * i : end - step * (steps - 1 - i)));
  return fromFlat(vals, [steps], opts.dtype ?? 'float32', opts);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  const vals = new Array<number>(n * m).fill(0);
  for (let i = 0; i < Math.min(n, m); i++) vals[i * m + i] = 1;
  return fromFlat(vals, checkShape('eye', [n, m]), opts.dtype ?? 'float32', opts);
}

/** Uniform samples in [0, 1). Matches torch.rand element for element under the same seed. */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const dtype = opts.dtype ?? 'float32';
  if (!isFloat(dtype)) throw new ValueError('rand', `dtype must be floating point, got ${dtype}`);
  const n = numel(checkShape('rand', shape));
  const draw = dtype === 'float64' ? () => g.nextFloat64() : () => g.nextFloat32();
  return fromFlat(Array.from({ length: n }, draw), shape, dtype, opts);
}

/** Standard normal samples (mean 0, variance 1); the same stream as torch.randn under one seed. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const dtype = opts.dtype ?? 'float32';
  if (!isFloat(dtype)) throw new ValueError('randn', `dtype must be floating point, got ${dtype}`);
  const n = numel(checkShape('randn', shape));
  return fromFlat(g.normalArray(n, dtype as 'float32' | 'float64'), shape, dtype, opts);
}

/** Integers uniform in [low, high); int64 by default. */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!(high > low)) throw new ValueError('randint', `high (${high}) must be greater than low (${low})`);
  const g = opts.generator ?? defaultGenerator;
  const n = numel(checkShape('randint', shape));
  return fromFlat(Array.from({ length: n }, () => g.nextInt(low, high)), shape, opts.dtype ?? 'int64', opts);
}

/** A random permutation of 0 … n-1 (int64), the same as torch.randperm(n) under the same seed. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fromFlat(g.permutation(n), [n], opts.dtype ?? 'int64', opts);
}
