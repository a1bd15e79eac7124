/**
 * WasmStorage: a block of the shared WebAssembly memory owned by a JavaScript object, freed when
 * that object is garbage collected (a FinalizationRegistry), or at once by `dispose()`.
 *
 * Why the allocator also *drives* collection: a FinalizationRegistry's callbacks normally run
 * as a task on the event loop, and a training loop written the PyTorch way is one long
 * synchronous job, so its dead tensors would never be freed before it ends. Two V8 facilities
 * fix that, enabled here for one private `vm` context only (the flags are switched back off at
 * once, so no other context sees them): `FinalizationRegistry.prototype.cleanupSome`, which runs
 * pending callbacks synchronously, and a `gc()` function. When an allocation would grow the heap
 * while more than `live + max(64 MiB, live / 2)` bytes are in use (live: what remained after the
 * last collection), the allocator runs cleanupSome, and if that is not enough a full GC followed
 * by cleanupSome; memory in use then stays within about 1.5 × the live data (plus 64 MiB). A full
 * GC costs ~10-20 ms however little the JavaScript heap holds, so the 64 MiB floor keeps small
 * models from collecting every few steps; faulting in those 64 MiB of fresh pages is a one-time
 * cost (~3 ms per MiB in this VM). Where these facilities are missing
 * (other runtimes), blocks are still freed by the ordinary asynchronous callbacks.
 */
import { setFlagsFromString } from 'node:v8';
import { createContext, runInContext } from 'node:vm';
import type { Backend, Storage } from '../types.js';
import { TsorchError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import type { WasmHeap } from './heap.js';

/** The one registry callback's held value: the block to free. */
interface Block {
  readonly ptr: number;
  readonly size: number;
}

interface SyncFinalizationRegistry<T> extends FinalizationRegistry<T> {
  cleanupSome?(callback?: (held: T) => void): void;
}

interface WeakTools {
  readonly Registry: new (cb: (held: Block) => void) => SyncFinalizationRegistry<Block>;
  readonly gc: (() => void) | null;
}

/** A FinalizationRegistry with cleanupSome and a gc() function, where V8 provides them. */
function weakTools(): WeakTools {
  const globalGc = (globalThis as { gc?: () => void }).gc;
  try {
    setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    setFlagsFromString('--expose-gc');
    const ctx = createContext({});
    const Registry = runInContext('FinalizationRegistry', ctx) as WeakTools['Registry'];
    const gc = runInContext('typeof gc === "function" ? gc : null', ctx) as (() => void) | null;
    return { Registry, gc: gc ?? globalGc ?? null };
  } catch {
    return { Registry: FinalizationRegistry, gc: globalGc ?? null };
  } finally {
    try {
      setFlagsFromString('--no-expose-gc');
      setFlagsFromString('--no-harmony-weak-refs-with-cleanup-some');
    } catch {
      // flags unknown to this runtime: nothing was enabled
    }
  }
}

const ESIZE: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };

/** Element size in bytes of a dtype as the wasm backend stores it (int64 as float64, bool as a byte). */
export function elementSize(dtype: DType): number {
  return ESIZE[dtype];
}

/** Storages of one heap: allocation, finalization and the collect-on-pressure policy. */
export class StoragePool {
  readonly heap: WasmHeap;
  private readonly registry: SyncFinalizationRegistry<Block>;
  private readonly gc: (() => void) | null;
  /** Whether dead storages can be freed synchronously (cleanupSome is available). */
  readonly syncFinalization: boolean;

  constructor(makeHeap: (reclaim: (need: number) => void) => WasmHeap) {
    const tools = weakTools();
    this.registry = new tools.Registry((b) => this.heap.release(b.ptr, b.size));
    this.syncFinalization = typeof this.registry.cleanupSome === 'function';
    this.gc = this.syncFinalization ? tools.gc : null;
    this.heap = makeHeap((need) => this.collect(need));
  }

  /**
   * Frees every storage that is already garbage (pending finalizers). When that leaves more
   * than the threshold in use (or with `force`), runs a full GC, frees what it found, and
   * resets the threshold from the live bytes that remain.
   */
  collect(need = 0, force = false): void {
    if (!this.syncFinalization) return;
    const t0 = performance.now();
    this.registry.cleanupSome!();
    const heap = this.heap;
    if (this.gc !== null && (force || heap.inUseBytes + need > heap.stats().collectThresholdBytes)) {
      this.gc();
      this.registry.cleanupSome!();
      heap.collected();
    }
    heap.collectMs += performance.now() - t0;
  }

  /** A new storage of `size` elements; its contents are undefined until written. */
  create(backend: Backend, dtype: DType, size: number): WasmStorage {
    const ptr = this.heap.alloc(Math.max(16, size * ESIZE[dtype]));
    const blockBytes = this.heap.lastBlockBytes;
    const s = new WasmStorage(backend, dtype, size, ptr, blockBytes, this);
    this.registry.register(s, { ptr, size: blockBytes }, s);
    return s;
  }

  /** @internal Frees a storage's block now (dispose). */
  release(s: WasmStorage, ptr: number, size: number): void {
    this.registry.unregister(s);
    this.heap.release(ptr, size);
  }
}

/** Tensor storage in WebAssembly memory. Holds no typed-array view (views go stale when memory grows). */
export class WasmStorage implements Storage {
  #ptr: number;

  /** @internal Use the backend's kernels (or `full`/`fromArray`) to create storages. */
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly size: number,
    ptr: number,
    /** Bytes of the block (its size class). */
    readonly blockBytes: number,
    private readonly pool: StoragePool,
  ) {
    this.#ptr = ptr;
  }

  /** Byte address of element 0 in the shared memory. Throws after `dispose()`. */
  get ptr(): number {
    if (this.#ptr < 0) throw new TsorchError('wasm', 'this storage was disposed; the tensor can no longer be used');
    return this.#ptr;
  }

  /** Whether `dispose()` has been called. */
  get disposed(): boolean {
    return this.#ptr < 0;
  }

  /**
   * Frees the memory now instead of when the storage is garbage collected. Optional: every
   * storage is freed automatically. Every tensor viewing this storage becomes unusable.
   */
  dispose(): void {
    if (this.#ptr < 0) return;
    const p = this.#ptr;
    this.#ptr = -1;
    this.pool.release(this, p, this.blockBytes);
  }
}
