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

/** Bytes of a generic chunked job's descriptor: up to 16 int32 words, then a float64 at byte 64. */
export const CHUNK_DESC_BYTES = 72;

/**
 * Participants (the calling thread included) for a generic chunked job (kernels/chunked.ts) of
 * `work` multiply-adds over `units` independent units: 1 without a thread pool or without the
 * chunk entry in the loaded .wasm, else what MatmulRunner.participants allows.
 */
export function chunkParticipants(c: FusedContext, work: number, units: number): number {
  return c.threads === undefined || typeof c.k.fusedChunk !== 'function' ? 1 : c.threads.participants(work, units);
}

/** Writes a chunked job's descriptor at desc: int32 `words` from byte 0, the float64 `scalar` at byte 64. */
export function writeChunkDesc(c: FusedContext, desc: number, words: readonly number[], scalar: number): void {
  const dv = new DataView(c.pool.heap.views().u8.buffer, desc, CHUNK_DESC_BYTES);
  words.forEach((w, i) => dv.setInt32(4 * i, w | 0, true));
  dv.setFloat64(64, scalar, true);
}
