/**
 * A worker_threads pool for the kernels that split work (matmul and the fused kernels) over the
 * one shared WebAssembly memory.
 *
 * Protocol (all through an int32 control block in the shared memory, no messages): the main
 * thread writes a job's arguments, resets the done counter, publishes a ticket word
 * (generation << 16 | next chunk) and bumps GEN, waking the workers (Atomics.notify). Every
 * participant, the main thread included, claims chunks with compareExchange on the ticket until
 * none are left; a claim fails once the ticket belongs to another generation, so a late worker
 * can never run a chunk of a job with another job's arguments. The main thread then waits
 * (Atomics.wait) until all chunks are done. A worker that has not started yet simply takes no
 * chunks, so the main thread never waits for a worker to boot, and one thread always works.
 * Job kinds (MODE): matmul chunks are row blocks of every batch, or batch ranges when there are
 * many batches (attention), so each participant packs its own panels in its own scratch; a
 * row-split product first packs B once in a packing job (panels of B per chunk). The generic
 * kind (MODE_FUSED) runs every fused kernel (attention, batch and layer norm, the convolution):
 * chunk i is items [i·per, min(n, (i+1)·per)) of the call of kind `kind` whose arguments (and
 * every participant's scratch) sit in a descriptor in the shared memory, dispatched by
 * kernels/chunked.ts, so a newly threaded kernel needs a kind and a chunk entry, not a new mode.
 *
 * Workers are unref'd and hold no handles: a script exits right after its last line.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KernelExports } from './loader.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';

/** Control block layout (int32 indices). */
const GEN = 0;
const TICKET = 1;
const DONE = 2;
const NCHUNKS = 3;
const READY = 4;
const STOP = 5;
const MODE = 6; // 0: matmul split by rows, 1: matmul split by batches, 3: fused chunks, 4: packing B's panels
const PER = 7; // rows (a multiple of 4), batches or samples per chunk
const ARGS = 8; // matmul: dt, nb, M, N, K, boff, pa, sam, sak, pb, sbk, sbn, po, bias, relu, prepacked; fused: kind, desc, n; pack: dt, K, N, pb, sbk, sbn, dst, panels
const MODE_FUSED = 3;
const MODE_PACK = 4;

/** Kinds of the generic fused job (kernels/chunked.ts dispatches on them). */
export const CHUNK_KINDS = { attention: 0, attentionBackward: 1, batchNorm: 2, layerNorm: 3, conv: 4 } as const;
/** A kind of the generic fused job. */
export type ChunkKind = (typeof CHUNK_KINDS)[keyof typeof CHUNK_KINDS];
const SCRATCH = 24; // packA, packB per participant (id 0 is the main thread)
/** Most participants a control block has room for. */
export const MAX_THREADS = 64;
/** Int32s in a control block. */
export const CTRL_INTS = SCRATCH + 2 * MAX_THREADS;

/** What a worker is started with. */
export interface WorkerInit {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly ctrlPtr: number;
  readonly ctrlInts: number;
  readonly id: number;
}

/** The arguments of one batched product (the kernel's, minus the row range and scratch). */
export interface MatmulJob {
  dt: number; nb: number; M: number; N: number; K: number; boff: number;
  pa: number; sam: number; sak: number; pb: number; sbk: number; sbn: number; po: number;
  /** The epilogue: bias pointer (0: none) and ReLU (1) (kernels/matmul.ts). */
  bias: number; relu: number;
  /** B packed whole by packBPanels (one batch only), or 0: each chunk packs its own. */
  prepacked: number;
}

function runChunk(k: KernelExports, c: Int32Array, idx: number, id: number): void {
  const per = c[PER]!;
  const nb = c[ARGS + 1]!;
  const M = c[ARGS + 2]!;
  const N = c[ARGS + 3]!;
  const es = c[ARGS]! === 1 ? 8 : 4;
  const boff = c[ARGS + 5]! >>> 0;
  const po = c[ARGS + 12]! >>> 0;
  const packA = c[SCRATCH + 2 * id]! >>> 0;
  const packB = c[SCRATCH + 2 * id + 1]! >>> 0;
  const a = (i: number): number => c[ARGS + i]!;
  if (c[MODE] === MODE_FUSED) {
    const i0 = idx * per;
    k.fusedChunk(c[ARGS]!, c[ARGS + 1]! >>> 0, i0, Math.min(c[ARGS + 2]!, i0 + per), idx, id);
    return;
  }
  if (c[MODE] === MODE_PACK) {
    const p0 = idx * per;
    k.packBPanels(a(0), a(1), a(2), a(3) >>> 0, a(4), a(5), a(6) >>> 0, p0, Math.min(a(7), p0 + per));
    return;
  }
  if (c[MODE] === 1) {
    const b0 = idx * per;
    const b1 = Math.min(nb, b0 + per);
    k.matmul(a(0), b1 - b0, M, N, a(4), boff + 8 * b0, a(6), a(7), a(8), a(9), a(10), a(11), po + b0 * M * N * es, 0, M, packA, packB, a(13) >>> 0, a(14), 0);
  } else {
    const m0 = idx * per;
    k.matmul(a(0), nb, M, N, a(4), boff, a(6), a(7), a(8), a(9), a(10), a(11), po, m0, Math.min(M, m0 + per), packA, packB, a(13) >>> 0, a(14), a(15) >>> 0);
  }
}

/** Claims and runs chunks of generation `gen` until none are left. */
function claimChunks(k: KernelExports, c: Int32Array, id: number, gen: number): void {
  const g = gen & 0x7fff;
  for (;;) {
    const t = Atomics.load(c, TICKET);
    if (t >>> 16 !== g) return;
    const n = Atomics.load(c, NCHUNKS);
    const idx = t & 0xffff;
    if (idx >= n) return;
    if (Atomics.compareExchange(c, TICKET, t, t + 1) !== t) continue;
    runChunk(k, c, idx, id);
    if (Atomics.add(c, DONE, 1) + 1 === n) Atomics.notify(c, DONE);
  }
}

/** A worker's life: announce readiness, then sleep on GEN and take part in every job. */
export function runChunks(k: KernelExports, c: Int32Array, id: number): void {
  let seen = Atomics.load(c, GEN);
  Atomics.add(c, READY, 1);
  for (;;) {
    Atomics.wait(c, GEN, seen);
    if (Atomics.load(c, STOP) !== 0) return;
    seen = Atomics.load(c, GEN);
    claimChunks(k, c, id, seen);
  }
}

/** The pool: worker threads plus the main thread, sharing chunks of each job. */
export class ThreadPool {
  private readonly workers: Worker[] = [];
  private gen = 0;

  /**
   * @param threads participants including the main thread (≥ 2; one thread needs no pool)
   * @param ctrlPtr byte address of a CTRL_INTS-int32 control block (zeroed) in the shared memory
   */
  constructor(
    readonly threads: number,
    private readonly k: KernelExports,
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly ctrlPtr: number,
  ) {
    for (let id = 1; id < threads; id++) {
      const init: WorkerInit = { module, memory, ctrlPtr, ctrlInts: CTRL_INTS, id };
      // execArgv: [] — the worker needs no Node options, and some of the parent's (--input-type,
      // --eval) would stop it from starting; V8 flags such as relaxed SIMD are process-wide anyway.
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init, execArgv: [] });
      w.unref();
      w.on('error', () => {
        // A worker that fails to start takes no chunks; the others (and the main thread) do its share.
      });
      this.workers.push(w);
    }
  }

  private ctrl(): Int32Array {
    return new Int32Array(this.memory.buffer, this.ctrlPtr, CTRL_INTS);
  }

  /** Workers that have started and wait for jobs. */
  get readyWorkers(): number {
    return Atomics.load(this.ctrl(), READY);
  }

  /**
   * Runs a product split into chunks; `pointers[id]` is participant id's [packA, packB].
   * Returns when every chunk is done.
   */
  run(job: MatmulJob, pointers: readonly (readonly [number, number])[]): void {
    // Several chunks per participant, so one descheduled thread (another process on its core)
    // holds up at most a small share; row chunks stay ≥ 32 rows so re-packing B per chunk
    // (K·N copies against rows·K·N multiply-adds) costs a few percent at most.
    const byBatch = job.nb >= 2 * this.threads;
    const nChunks = byBatch ? Math.min(job.nb, 8 * this.threads) : Math.max(1, Math.min(Math.floor(job.M / 32), 4 * this.threads));
    const per = byBatch ? Math.ceil(job.nb / nChunks) : 4 * Math.ceil(job.M / 4 / nChunks);
    const chunks = byBatch ? Math.ceil(job.nb / per) : Math.ceil(job.M / per);
    const c = this.ctrl();
    c[MODE] = byBatch ? 1 : 0;
    c[PER] = per;
    const args = [job.dt, job.nb, job.M, job.N, job.K, job.boff, job.pa, job.sam, job.sak, job.pb, job.sbk, job.sbn, job.po, job.bias, job.relu, job.prepacked];
    for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i]!;
    pointers.forEach(([a, b], id) => {
      c[SCRATCH + 2 * id] = a;
      c[SCRATCH + 2 * id + 1] = b;
    });
    this.publish(c, chunks);
  }

  /**
   * Packs B [K, N] (element strides sbk, sbn) whole into dst (kernels/matmul.ts packBPanels),
   * its `panels` NR-column panels split over the participants.
   */
  runPackB(dt: number, K: number, N: number, pb: number, sbk: number, sbn: number, dst: number, panels: number): void {
    const chunks = Math.min(panels, 4 * this.threads);
    const per = Math.ceil(panels / chunks);
    const c = this.ctrl();
    c[MODE] = MODE_PACK;
    c[PER] = per;
    const args = [dt, K, N, pb, sbk, sbn, dst, panels];
    for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i]!;
    this.publish(c, Math.ceil(panels / per));
  }

  /**
   * Runs a fused call of `kind` (descriptor at `desc`, kernels/chunked.ts) over items [0, n) in
   * `chunks` chunks of `per` items; chunk i is items [i·per, min(n, (i+1)·per)).
   */
  runFused(kind: ChunkKind, desc: number, n: number, per: number, chunks: number): void {
    const c = this.ctrl();
    c[MODE] = MODE_FUSED;
    c[PER] = per;
    c[ARGS] = kind;
    c[ARGS + 1] = desc;
    c[ARGS + 2] = n;
    this.publish(c, chunks);
  }

  /** Publishes the job written into the control block, takes part, and waits for every chunk. */
  private publish(c: Int32Array, chunks: number): void {
    this.gen++;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NCHUNKS, chunks);
    Atomics.store(c, TICKET, (this.gen & 0x7fff) << 16);
    Atomics.store(c, GEN, this.gen);
    Atomics.notify(c, GEN);
    claimChunks(this.k, c, 0, this.gen);
    for (let d = Atomics.load(c, DONE); d < chunks; d = Atomics.load(c, DONE)) Atomics.wait(c, DONE, d);
  }

  /** Stops the workers (they exit at their next wake-up). */
  close(): void {
    const c = this.ctrl();
    Atomics.store(c, STOP, 1);
    Atomics.store(c, GEN, ++this.gen);
    Atomics.notify(c, GEN);
    for (const w of this.workers) void w.terminate();
  }
}

/** The default thread count: every core (os.availableParallelism()). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}
