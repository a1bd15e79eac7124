/**
 * Host-side bookkeeping for kernel calls: coalescing strided views, writing descriptors into the
 * argument block, and persistent scratch buffers.
 *
 * Ordering rule (the reason some helpers exist): a kernel wrapper allocates everything it needs
 * (output, temporaries, descriptor space, scratch) *before* it reads any input's address.
 * Allocation may run finalizers of storages that are garbage; an optimising compiler may
 * consider an input dead once its address has been read, so reading addresses last guarantees no
 * input is freed between the read and the kernel call.
 */
import type { View } from '../types.js';
import type { DType } from '../../tensor/dtype.js';
import type { WasmHeap } from './heap.js';
import { elementSize, type WasmStorage } from './storage.js';
import { contiguousStrides } from '../../tensor/shape.js';

/** Dtype codes shared with the kernels (kernels/common.ts). */
export const DT: Record<DType, number> = { float32: 0, float64: 1, int32: 2, int64: 3, bool: 4 };

/** A shape walked jointly through several stride lists, with mergeable dims merged. */
export interface Coalesced {
  readonly shape: number[];
  readonly strides: number[][];
}

/**
 * Drops size-1 dims and merges neighbours that every operand walks as one (stride[i] ==
 * stride[i+1]·shape[i+1]); row-major order is preserved, so a contiguous output stays aligned.
 * Always returns at least one dim.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Coalesced {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n)) {
      outShape[last] = outShape[last]! * n;
      strides.forEach((s, k) => { outStrides[k]![last] = s[d]!; });
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Row-major strides of a shape (the tensor layer's contiguousStrides). */
export const rowMajor = contiguousStrides;

/** Number of elements of a shape (1 for a 0-d shape). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** True when the view covers one contiguous run in row-major order. */
export function isDense(v: View): boolean {
  const c = coalesce(v.shape, [v.strides]);
  return c.shape.length === 1 && (c.strides[0]![0] === 1 || c.shape[0] === 1);
}

/** Byte address of a view's first element (reads the storage's pointer: call after allocating). */
export function addr(v: View): number {
  return (v.storage as WasmStorage).ptr + v.offset * elementSize(v.storage.dtype);
}

/** The argument block (descriptors and a status slot) and named persistent scratch buffers. */
export class Scratch {
  private argPtr = -1;
  private argBytes = 0;
  private readonly buffers = new Map<string, { ptr: number; bytes: number }>();

  constructor(private readonly heap: WasmHeap) {}

  /** Writes int32 values after a 16-byte status slot; returns the descriptor's address. */
  desc(values: readonly number[]): number {
    const need = 16 + values.length * 4;
    if (need > this.argBytes) {
      if (this.argPtr >= 0) this.heap.release(this.argPtr, this.argBytes);
      this.argPtr = this.heap.alloc(Math.max(need, 4096));
      this.argBytes = this.heap.lastBlockBytes;
    }
    const i32 = this.heap.views().i32;
    const at = (this.argPtr + 16) >>> 2;
    for (let i = 0; i < values.length; i++) i32[at + i] = values[i]!;
    return this.argPtr + 16;
  }

  /** Address of the 8-byte status slot kernels report details through (valid after `desc`). */
  get statusPtr(): number {
    return this.argPtr;
  }

  /** A persistent buffer of at least `bytes` bytes (contents not preserved when it grows). */
  buffer(name: string, bytes: number): number {
    const b = this.buffers.get(name);
    if (b !== undefined && b.bytes >= bytes) return b.ptr;
    if (b !== undefined) this.heap.release(b.ptr, b.bytes);
    const ptr = this.heap.alloc(Math.max(bytes, 64));
    this.buffers.set(name, { ptr, bytes: this.heap.lastBlockBytes });
    return ptr;
  }
}
