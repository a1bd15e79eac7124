/** Strided-view helpers for the reference backend: element offsets of a view in row-major order. */
import type { View } from '../types.js';
import { allocArray, type DType, type TypedArray } from '../../tensor/dtype.js';
import type { Storage, Backend } from '../types.js';

/** Storage of the reference backend: a plain typed array. */
export class CpuStorage implements Storage {
  constructor(readonly backend: Backend, readonly dtype: DType, readonly data: TypedArray) {}
  get size(): number {
    return this.data.length;
  }
}

export function dataOf(v: View): TypedArray {
  return (v.storage as CpuStorage).data;
}

export function viewSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Offsets (into the storage) of every element of a view, in row-major order of its shape.
 * An odometer walk: O(n) with no division per element.
 */
export function offsets(v: View): Int32Array {
  const n = viewSize(v.shape);
  const out = new Int32Array(n);
  const rank = v.shape.length;
  if (n === 0) return out;
  let contiguous = true;
  let expected = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== expected) contiguous = false;
    expected *= v.shape[d]!;
  }
  if (contiguous) {
    for (let i = 0; i < n; i++) out[i] = v.offset + i;
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let off = v.offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += v.strides[d]!;
      if (idx[d]! < v.shape[d]!) break;
      off -= v.strides[d]! * v.shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Stores a computed number into a typed array slot the way the dtype stores it. */
export function storeFn(dtype: DType): (arr: TypedArray, i: number, v: number) => void {
  switch (dtype) {
    case 'int32':
      return (arr, i, v) => { arr[i] = Number.isFinite(v) ? Math.trunc(v) : 0; };
    case 'int64':
      return (arr, i, v) => { arr[i] = Number.isFinite(v) ? Math.trunc(v) : 0; };
    case 'bool':
      return (arr, i, v) => { arr[i] = v !== 0 && !Number.isNaN(v) ? 1 : 0; };
    default:
      return (arr, i, v) => { arr[i] = v; };
  }
}

export function alloc(dtype: DType, n: number): TypedArray {
  return allocArray(dtype, n);
}
