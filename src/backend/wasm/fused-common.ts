/** What every fused-kernel wrapper of the wasm backend shares (fused.ts and fused-*.ts). */
import type { View } from '../types.js';
import type { DType } from '../../tensor/dtype.js';
import type { KernelExports } from './loader.js';
import type { Scratch } from './layout.js';
import type { MatmulRunner } from './matmul.js';
import type { StoragePool, WasmStorage } from './storage.js';

/** What the fused wrappers need from the backend they belong to. */
export interface FusedContext {
  readonly k: KernelExports;
  readonly pool: StoragePool;
  readonly scratch: Scratch;
  /** A new storage of the backend. */
  make(dtype: DType, size: number): WasmStorage;
  /** x itself when dense, else a contiguous copy (a view over a new storage). */
  dense(x: View): View;
  /** The matmul runner, owner of the thread pool (the fused convolution splits samples over it). */
  readonly threads?: MatmulRunner;
}

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** Frees a contiguous copy made by `dense` (not the caller's own view). */
export function drop(copy: View, original: View | null): void {
  if (original !== null && copy !== original) (copy.storage as WasmStorage).dispose();
}
