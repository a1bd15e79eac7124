/**
 * The allocator for tensor storage in the one shared WebAssembly memory.
 *
 * Blocks come in size classes (multiples of 16 bytes up to 1 KiB, then four classes per power of
 * two: at most 25% slack), each with a free list; a block is never split or merged, so a training
 * loop that allocates the same shapes every step reuses the same blocks and the memory stays
 * flat. New blocks are bump-allocated from the top (16-byte aligned, as v128 loads like) and the
 * memory grows when the top passes its end (never shrinking: wasm memories cannot).
 *
 * Nothing here needs the user to free: storages are freed by a FinalizationRegistry (see
 * storage.ts). Typed-array views are cached per buffer and re-created whenever the memory has
 * grown, so no one holds a view of a stale length.
 */
import { TsorchError } from '../../errors.js';
import type { WasmMemory } from './wasm-api.js';

/** Allocator counters, in bytes unless named otherwise. */
export interface HeapStats {
  /** Bytes in blocks currently handed out (class sizes, so slack included). */
  inUseBytes: number;
  /** Most bytes in use at once so far. */
  peakInUseBytes: number;
  /** Bytes between the heap base and the bump pointer: blocks in use or on a free list. */
  heapBytes: number;
  /** Size of the WebAssembly memory (it only grows). */
  memoryBytes: number;
  /** Blocks currently handed out. */
  liveBlocks: number;
  /** Full garbage collections the allocator forced because it was about to grow the heap (see storage.ts). */
  collections: number;
  /** Milliseconds spent in those collections (and in running finalizers). */
  collectMs: number;
  /** Bytes in use that trigger the next collection attempt. */
  collectThresholdBytes: number;
}

/** Typed views of the whole memory; re-fetched after growth. */
export interface HeapViews {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

const PAGE = 65536;

/** Rounds a request up to its size class. */
export function classSize(bytes: number): number {
  if (bytes <= 1024) return Math.max(16, (bytes + 15) & ~15);
  const e = Math.floor(Math.log2(bytes - 1)); // bytes in (2^e, 2^(e+1)]
  const step = 2 ** (e - 2);
  return 2 ** e + Math.ceil((bytes - 2 ** e) / step) * step;
}

/** The size-class allocator over the shared memory (one per wasm backend instance). */
export class WasmHeap {
  private top: number;
  private readonly base: number;
  private readonly free = new Map<number, number[]>();
  private cached: HeapViews | null = null;
  private cachedLength = -1;
  private inUse = 0;
  private peak = 0;
  private live = 0;
  private collections = 0;
  /** @internal Milliseconds spent collecting (updated by the storage pool). */
  collectMs = 0;
  /** Bytes in use above which a bump allocation first tries to reclaim garbage. */
  private threshold: number;
  /** Whether the last block came fresh from the top (never used, so still zero-filled). */
  lastWasFresh = false;

  /**
   * @param memory the shared memory the kernels import
   * @param heapBase first free byte (after the module's static data)
   * @param minCollectBytes the least garbage worth a collection (see `collected`)
   * @param reclaim frees storages that are already garbage; called before the heap would grow
   */
  constructor(
    readonly memory: WasmMemory,
    heapBase: number,
    private minCollectBytes: number,
    private readonly reclaim: (needBytes: number) => void,
  ) {
    this.base = (heapBase + 63) & ~63;
    this.top = this.base;
    this.threshold = minCollectBytes;
  }

  /** Views of the current memory buffer (fresh ones after the memory grew). */
  views(): HeapViews {
    const buf = this.memory.buffer;
    if (this.cached === null || buf.byteLength !== this.cachedLength) {
      this.cached = { u8: new Uint8Array(buf), i32: new Int32Array(buf), f32: new Float32Array(buf), f64: new Float64Array(buf) };
      this.cachedLength = buf.byteLength;
    }
    return this.cached;
  }

  /**
   * A 16-byte aligned block of at least `bytes` bytes. Its size (to pass to `release`) is
   * `lastBlockBytes` right after the call: the request's class, or up to three classes larger
   * when only those have a free block. Reusing memory is worth a little slack: untouched pages
   * are expensive to fault in (in a VM, ~3 ms per MiB here, more than a full GC).
   */
  alloc(bytes: number): number {
    const size = classSize(bytes);
    let p = this.take(size);
    if (p === undefined && this.inUse + size > this.threshold) {
      this.reclaim(size);
      p = this.take(size);
    }
    this.lastWasFresh = p === undefined;
    if (p === undefined) {
      p = this.bump(size);
      this.lastBlockBytes = size;
    }
    this.inUse += this.lastBlockBytes;
    this.live++;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return p;
  }

  /** Size of the block the last `alloc` returned. */
  lastBlockBytes = 0;

  /** A free block of class `size` or of one of the next three classes (setting lastBlockBytes). */
  private take(size: number): number | undefined {
    let s = size;
    for (let i = 0; i < 4; i++) {
      const p = this.free.get(s)?.pop();
      if (p !== undefined) {
        this.lastBlockBytes = s;
        return p;
      }
      s = classSize(s + 1);
    }
    return undefined;
  }

  /** Returns a block (of class size `size`) to its free list. */
  release(p: number, size: number): void {
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(p);
    this.inUse -= size;
    this.live--;
  }

  /** Bytes in use right now. */
  get inUseBytes(): number {
    return this.inUse;
  }

  /**
   * Called right after a full garbage collection: what is in use now is live data, and the next
   * collection comes once max(minCollectBytes, live / 2) bytes of garbage have piled up, so the
   * heap stays within about 1.5 × the live data plus minCollectBytes. (A headroom that grew
   * while collections were costly was tried: it sped up inference ~10% but let a small
   * model's heap creep up for thousands of steps, so the heap no longer stayed flat.)
   */
  collected(): void {
    this.collections++;
    this.threshold = this.inUse + Math.max(this.minCollectBytes, this.inUse / 2);
  }

  /** Sets the smallest in-use size at which allocation pressure collects garbage. */
  setMinCollectBytes(bytes: number): void {
    this.minCollectBytes = bytes;
    this.threshold = this.inUse + Math.max(bytes, this.inUse / 2);
  }

  /** A snapshot of the allocator's counters. */
  stats(): HeapStats {
    return {
      inUseBytes: this.inUse,
      peakInUseBytes: this.peak,
      heapBytes: this.top - this.base,
      memoryBytes: this.memory.buffer.byteLength,
      liveBlocks: this.live,
      collections: this.collections,
      collectMs: this.collectMs,
      collectThresholdBytes: this.threshold,
    };
  }

  /** Clears the peak counter (so a test can measure the peak of one phase). */
  resetPeak(): void {
    this.peak = this.inUse;
  }

  private bump(size: number): number {
    const p = this.top;
    const end = p + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least a quarter of the current size, so growing is rare (and amortised O(1)).
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.min(65536 - have / PAGE, Math.max(need, Math.ceil(have / PAGE / 4)));
      let grown = false;
      for (const n of pages >= need ? [pages, need] : []) {
        try {
          this.memory.grow(n);
          grown = true;
          break;
        } catch {
          // fall through to the smaller request, then fail
        }
      }
      if (!grown) throw new TsorchError('wasm', `out of WebAssembly memory: cannot grow past ${have} bytes to hold ${size} more`);
    }
    this.top = end;
    return p;
  }
}
