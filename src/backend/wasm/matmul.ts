/**
 * Host side of the batched matrix product: batch offsets, operand conversion, scratch, and the
 * call into the blocked SIMD kernel (kernels/matmul.ts explains the blocking).
 */
import type { Backend, Storage, View } from '../types.js';
import type { DType } from '../../tensor/dtype.js';
import type { KernelExports } from './loader.js';
import { addr, DT, numel, rowMajor, type Scratch } from './layout.js';
import type { StoragePool, WasmStorage } from './storage.js';
import { type ChunkKind, CTRL_INTS, defaultThreads, MAX_THREADS, ThreadPool } from './threads.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';

/**
 * Products with fewer multiply-adds than this run on the calling thread alone: waking a worker
 * and waiting for its last chunk costs ~20-200 µs (more when another process shares its core),
 * while 2^22 multiply-adds take ~100-200 µs on one thread at 40-50 GFLOPS.
 */
const THREADED_MACS = 2 ** 22;
/** Largest B packed whole before a threaded product (bigger ones are packed per chunk, as before). */
const PREPACK_MAX_BYTES = 32 * 1024 * 1024;

/** Runs matmul for the wasm backend, and owns the thread pool other split kernels (conv, fused chunks) use too. */
export class MatmulRunner {
  private threads = defaultThreads();
  private workers: ThreadPool | null = null;
  private pools = 0;

  constructor(
    private readonly k: KernelExports,
    private readonly pool: StoragePool,
    private readonly scratch: Scratch,
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
  ) {}

  /** Threads (the calling one included) that large products are split over. */
  get numThreads(): number {
    return this.threads;
  }

  /** Sets the thread count (1: no workers); workers start at the next large product. */
  setNumThreads(n: number): void {
    const t = Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
    if (t === this.threads) return;
    this.workers?.close();
    this.workers = null;
    this.threads = t;
  }

  /** Worker threads started and waiting for work (0 before the first large product). */
  get readyWorkers(): number {
    return this.workers?.readyWorkers ?? 0;
  }

  /**
   * Participants (the calling thread included) for a job of `macs` multiply-adds split over
   * `items` independent pieces: all threads when the job is large enough to repay waking them,
   * else 1. Starts the pool when it answers more than 1 (an allocation: call it before reading
   * operand addresses, see layout.ts).
   */
  participants(macs: number, items: number): number {
    if (this.threads <= 1 || macs < THREADED_MACS || items < 2) return 1;
    this.pool_();
    return this.threads;
  }

  /** Each participant's [packA, packB] scratch for the SIMD product (allocates: call before reading addresses). */
  packBuffers(participants: number): [number, number][] {
    const pack: [number, number][] = [];
    for (let id = 0; id < participants; id++) {
      pack.push([
        this.scratch.buffer(`packA${id}`, this.k.PACK_A_BYTES.value as number),
        this.scratch.buffer(`packB${id}`, this.k.PACK_B_BYTES.value as number),
      ]);
    }
    return pack;
  }

  /**
   * Runs a fused call of `kind` (descriptor at `desc`, kernels/chunked.ts) over items [0, n) in
   * `chunks` chunks of `per`: on the pool when `participants` > 1 (as `participants()` answered),
   * else on this thread, chunk after chunk with participant 0's scratch. Where chunks feed a
   * reduction, the caller picks chunk boundaries that do not depend on the thread count.
   */
  runFused(kind: ChunkKind, desc: number, n: number, per: number, chunks: number, participants: number): void {
    if (participants > 1) {
      this.pool_().runFused(kind, desc, n, per, chunks);
      return;
    }
    for (let i = 0; i < chunks; i++) this.k.fusedChunk(kind, desc, i * per, Math.min(n, (i + 1) * per), i, 0);
  }

  /** The pool, started on first use (its control block zeroed). */
  private pool_(): ThreadPool {
    if (this.workers === null) {
      // A new control block per pool: workers of a closed pool may still be waking up on the
      // old one (to read STOP), and must never see a new pool's jobs.
      const ctrl = this.scratch.buffer(`threads${++this.pools}`, CTRL_INTS * 4);
      this.pool.heap.views().i32.fill(0, ctrl >>> 2, (ctrl >>> 2) + CTRL_INTS);
      this.workers = new ThreadPool(this.threads, this.k, this.module, this.memory, ctrl);
    }
    return this.workers;
  }

  /**
   * a [...batch, M, K] @ b [...batch, K, N] → a new contiguous [...batch, M, N] in a's dtype.
   * float32/float64 run the SIMD kernel directly; other dtypes (and mixed ones) compute in
   * float64 and are stored back with the reference's rules, as the reference does.
   */
  run(backend: Backend, a: View, b: View, copyTo: (x: View, dtype: DType) => WasmStorage): Storage {
    const ra = a.shape.length;
    const M = a.shape[ra - 2]!;
    const K = a.shape[ra - 1]!;
    const N = b.shape[ra - 1]!;
    const batchShape = a.shape.slice(0, ra - 2);
    const nb = numel(batchShape);
    const dtype = a.storage.dtype;
    const total = nb * M * N;
    const out = this.pool.create(backend, dtype, total);
    if (total === 0) return out;
    if ((dtype === 'float32' || dtype === 'float64') && b.storage.dtype === dtype) {
      const folded = foldBatch(a, b, nb, M, K, N);
      if (folded !== null) this.product(folded[0], folded[1], out, 1, nb * M, N, K);
      else this.product(a, b, out, nb, M, N, K);
      return out;
    }
    const af = copyTo(a, 'float64');
    const bf = copyTo(b, 'float64');
    const tmp = this.pool.create(backend, 'float64', total);
    this.product(
      { storage: af, shape: a.shape, strides: rowMajor(a.shape), offset: 0 },
      { storage: bf, shape: b.shape, strides: rowMajor(b.shape), offset: 0 },
      tmp, nb, M, N, K,
    );
    const desc = this.scratch.desc([1, total, 1, 1, 0]);
    this.k.copy(DT.float64, DT[dtype], desc, tmp.ptr, out.ptr);
    af.dispose();
    bf.dispose();
    tmp.dispose();
    return out;
  }

  /**
   * A Linear layer's product as one kernel: x [R, K] @ wᵀ (w [N, K]) + bias [N] (optional), then
   * ReLU when `relu`: the bias and the clamp run in the product's epilogue, on each tile of the
   * result while it is in cache, after its full sum (so they round exactly as a separate add and
   * relu would), written to `out` (R·N elements). x, w, bias and out share one float dtype
   * (fused.ts checks); bias is contiguous.
   */
  linear(x: View, w: View, bias: View | null, relu: boolean, out: WasmStorage): void {
    const [R, K] = x.shape as [number, number];
    const N = w.shape[0]!;
    if (R * N === 0) return;
    const wt: View = { storage: w.storage, shape: [K, N], strides: [w.strides[1]!, w.strides[0]!], offset: w.offset };
    this.product(x, wt, out, 1, R, N, K, bias, relu);
  }

  private product(a: View, b: View, out: WasmStorage, nb: number, M: number, N: number, K: number, bias: View | null = null, relu = false): void {
    const ra = a.shape.length;
    const batchShape = a.shape.slice(0, ra - 2);
    // Element offsets of every batch's A and B (an odometer over the batch dims).
    const boff = new Array<number>(2 * nb);
    const idx = new Array<number>(batchShape.length).fill(0);
    let oa = a.offset;
    let ob = b.offset;
    for (let i = 0; i < nb; i++) {
      boff[2 * i] = oa;
      boff[2 * i + 1] = ob;
      for (let d = batchShape.length - 1; d >= 0; d--) {
        idx[d]!++;
        oa += a.strides[d]!;
        ob += b.strides[d]!;
        if (idx[d]! < batchShape[d]!) break;
        oa -= a.strides[d]! * batchShape[d]!;
        ob -= b.strides[d]! * batchShape[d]!;
        idx[d] = 0;
      }
    }
    const threaded = this.threads > 1 && nb * M * N * K >= THREADED_MACS && (M >= 64 || nb >= 2 * this.threads);
    const participants = threaded ? this.threads : 1;
    // Everything is allocated before any operand address is read (see layout.ts).
    const workers = threaded ? this.pool_() : null;
    const pack = this.packBuffers(participants);
    // Split by rows, every chunk would pack all of B again; packed once (in parallel) instead.
    const es = a.storage.dtype === 'float64' ? 8 : 4;
    const nr = es === 8 ? 4 : 8;
    const panels = Math.ceil(N / nr);
    const prepack = workers !== null && nb === 1 && K * panels * nr * es <= PREPACK_MAX_BYTES;
    const packed = prepack ? this.scratch.buffer('packedB', K * panels * nr * es) : 0;
    const desc = this.scratch.desc(boff);
    const pa = addr({ ...a, offset: 0 });
    const pb = addr({ ...b, offset: 0 });
    const job = {
      dt: DT[a.storage.dtype], nb, M, N, K, boff: desc, pa, sam: a.strides[ra - 2]!, sak: a.strides[ra - 1]!,
      pb, sbk: b.strides[ra - 2]!, sbn: b.strides[ra - 1]!, po: out.ptr, bias: bias === null ? 0 : addr(bias), relu: relu ? 1 : 0,
      prepacked: packed,
    };
    if (workers !== null) {
      if (prepack) workers.runPackB(job.dt, K, N, pb + b.offset * es, job.sbk, job.sbn, packed, panels);
      workers.run(job, pack);
      return;
    }
    this.k.matmul(job.dt, nb, M, N, K, desc, pa, job.sam, job.sak, pb, job.sbk, job.sbn, job.po, 0, M, pack[0]![0], pack[0]![1], job.bias, job.relu, 0);
  }
}

/**
 * A batched product whose B is the same matrix for every batch (stride 0: a Linear layer on a
 * [batch, seq, features] input) and whose A batches stack as rows of one matrix is one big
 * product [nb·M, K] @ [K, N] with the same output layout: B is packed once instead of nb times
 * and the rows split well across threads. Returns the 2-D views, or null when it does not apply.
 */
function foldBatch(a: View, b: View, nb: number, M: number, K: number, N: number): [View, View] | null {
  const r = a.shape.length;
  if (r <= 2 || nb <= 1) return null;
  if (b.strides.slice(0, r - 2).some((s, d) => s !== 0 && b.shape[d] !== 1)) return null;
  // A's batch dims and its row dim must walk as one dim of stride a.strides[r-2].
  let expect = a.strides[r - 2]! * M;
  for (let d = r - 3; d >= 0; d--) {
    if (a.shape[d] !== 1 && a.strides[d] !== expect) return null;
    expect *= a.shape[d]!;
  }
  return [
    { storage: a.storage, shape: [nb * M, K], strides: [a.strides[r - 2]!, a.strides[r - 1]!], offset: a.offset },
    { storage: b.storage, shape: [K, N], strides: [b.strides[r - 2]!, b.strides[r - 1]!], offset: b.offset },
  ];
}
