/**
 * The WebAssembly SIMD backend: kernels written in AssemblyScript (kernels/), compiled by
 * scripts/build-wasm.mjs, loaded synchronously at import time over one shared memory.
 *
 * `tryCreateWasmBackend()` returns null (never throws) when the module is missing or the runtime
 * cannot run it, so the registry falls back to the reference backend.
 */
import type { Backend } from '../types.js';
import { createBackend } from './backend.js';
import { WasmHeap, type HeapStats } from './heap.js';
import { loadKernels, type LoadedKernels } from './loader.js';
import { Scratch } from './layout.js';
import { MatmulRunner } from './matmul.js';
import { StoragePool, WasmStorage } from './storage.js';

export { WasmStorage };
export type { HeapStats };

/** Default least garbage (bytes) that allocation pressure collects (see setWasmCollectThreshold). */
export const DEFAULT_COLLECT_BYTES = 64 * 1024 * 1024;

/** The instantiated backend and its machinery. */
export interface WasmRuntime {
  readonly backend: Backend;
  readonly kernels: LoadedKernels;
  readonly pool: StoragePool;
  readonly matmul: MatmulRunner;
}

let runtime: WasmRuntime | null = null;

/** Instantiates the kernels and builds the backend; throws when that is impossible. */
export function createWasmRuntime(name = 'wasm'): WasmRuntime {
  const kernels = loadKernels();
  const k = kernels.exports;
  const pool = new StoragePool((reclaim) => new WasmHeap(kernels.memory, k.heapBase(), DEFAULT_COLLECT_BYTES, reclaim));
  const scratch = new Scratch(pool.heap);
  const matmul = new MatmulRunner(k, pool, scratch, kernels.module, kernels.memory);
  const backend = createBackend({ k, pool, scratch, matmul }, name);
  return { backend, kernels, pool, matmul };
}

let loadError: Error | null = null;

/** The wasm backend, or null when the WebAssembly module cannot be loaded here (see wasmLoadError). */
export function tryCreateWasmBackend(): Backend | null {
  try {
    runtime ??= createWasmRuntime();
    return runtime.backend;
  } catch (e) {
    loadError = e instanceof Error ? e : new Error(String(e));
    return null;
  }
}

/** Why the wasm backend did not load (null when it did): the registry then falls back to 'cpu' silently. */
export function wasmLoadError(): Error | null {
  return loadError;
}

/** Allocator statistics of the wasm backend (null when it is not loaded). */
export function wasmMemoryStats(): HeapStats | null {
  return runtime === null ? null : runtime.pool.heap.stats();
}

/**
 * Frees every wasm storage that is already garbage, running a full garbage collection first
 * when V8 allows it. Never needed for correctness; useful before measuring memory.
 */
export function collectWasmGarbage(): void {
  runtime?.pool.collect(0, true);
}

/**
 * Sets the least garbage (bytes) worth a collection: an allocation that would grow the heap
 * first collects garbage once more than live + max(this, live / 2) bytes are in use (default 64 MiB).
 */
export function setWasmCollectThreshold(bytes: number): void {
  runtime?.pool.heap.setMinCollectBytes(bytes);
}

/** Whether the loaded kernels use relaxed-SIMD FMA (null when the backend is not loaded). */
export function wasmUsesRelaxedSimd(): boolean | null {
  return runtime === null ? null : runtime.kernels.relaxedSimd;
}

/**
 * Sets how many threads (the calling one included) large matrix products are split over.
 * Default: every core (os.availableParallelism()); 1 runs everything on the calling thread.
 * Worker threads never keep the process alive.
 */
export function setNumThreads(n: number): void {
  runtime?.matmul.setNumThreads(n);
}

/** Threads large matrix products are split over (1 when the wasm backend is not loaded). */
export function getNumThreads(): number {
  return runtime?.matmul.numThreads ?? 1;
}

/** Worker threads that have started and take part in large products (for tests and diagnostics). */
export function readyWorkerThreads(): number {
  return runtime?.matmul.readyWorkers ?? 0;
}
