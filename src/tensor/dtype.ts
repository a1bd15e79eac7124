/**
 * Data types. `float32` is the default; `float64` exists for gradient checks and precise work;
 * `int32`/`int64` hold indices and labels; `bool` holds masks.
 *
 * Storage: each dtype maps to a JavaScript typed array. `int64` is stored in a Float64Array, so it
 * holds every integer of magnitude up to 2^53 exactly (Number.MAX_SAFE_INTEGER); safetensors I64
 * data outside that range fails to load rather than being rounded.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];

export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}

export function isIntegral(d: DType): boolean {
  return d === 'int32' || d === 'int64';
}

/** Allocates a zeroed typed array for `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'int64': return new Float64Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };

/**
 * PyTorch's type promotion for two tensors: bool < int32 < int64 < float32 < float64.
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a JavaScript number (a "weak" scalar, as in PyTorch): the scalar
 * never widens a tensor's float type, but a non-integer scalar makes an integral tensor float32.
 */
export function promoteWithScalar(t: DType, s: number | boolean): DType {
  if (typeof s === 'boolean') return t;
  if (isFloat(t)) return t;
  if (!Number.isInteger(s)) return 'float32';
  return t === 'bool' ? 'int64' : t;
}

/** Converts a number to what a dtype stores (truncation toward zero for integers, 0/1 for bool). */
export function castScalar(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float64': return v;
    case 'int32': return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case 'int64': return Number.isFinite(v) ? Math.trunc(v) : 0;
    case 'bool': return v !== 0 ? 1 : 0;
  }
}
