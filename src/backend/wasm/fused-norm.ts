/**
 * The wasm backend's fused layer norm (Backend.fused.layerNorm/layerNormBackward: kernels/norm.ts,
 * threaded over rows through kernels/chunked.ts); split out of fused.ts, whose header explains
 * the conventions.
 *
 * Threads split rows. Forward rows are independent, so any cut gives the same result. Backward's
 * per-column sums (dweight, dbias) are accumulated per chunk of rows into float64 partial rows in
 * scratch, then added in chunk order (a second, column-parallel pass); the chunks are cut from R
 * alone (BACKWARD_CHUNKS), never from the thread count, so one thread and two give the same bits.
 * Both passes run through the chunked job even on one thread, for that reason.
 *
 * Also the residual form addLayerNorm(a, b) = layerNorm(a + b) (ops/norm.ts addLayerNorm), whose
 * backward is layerNormBackward on the sum it returns.
 */
import type { FusedKernels, Storage, View } from '../types.js';
import type { KernelExports } from './loader.js';
import { addr, DT, numel } from './layout.js';
import { CHUNK_KINDS } from './threads.js';
import { CHUNK_DESC_BYTES, chunkParticipants, drop, isFloat, writeChunkDesc, type FusedContext } from './fused-common.js';

/**
 * Backward's chunk count for the column sums: enough for 2–16 threads to share the rows, few
 * enough that the partial rows (16·D bytes each) and their reduction stay small next to the rows.
 */
const BACKWARD_CHUNKS = 16;

/**
 * "Multiply-adds" per element reported to MatmulRunner.participants (threshold 2^22), so rows are
 * split over threads from 2^20 elements (x [8192, 128]; about 1 ms of work per call). The seed
 * model's x [2048, 128] (2^18, ~0.2 ms forward, ~0.25 ms backward on one thread) stays on the
 * calling thread: on this 2-core machine, shared with other processes, waking the worker for it
 * made the profile-step times worse (training forward+backward 12.0 ms per step threaded against
 * 8.1 ms unthreaded; inference 10.4 against 4.5 ms, load average ~5, provisional), because the
 * caller waits whenever the worker's core is busy elsewhere.
 */
const WORK_PER_ELEMENT = 4;

/** Adds these kernels to the fused table when the loaded .wasm has them. */
export function addLayerNormKernels(c: FusedContext, fused: FusedKernels): void {
  const { k, pool, scratch } = c;
  const has = (n: keyof KernelExports): boolean => typeof k[n] === 'function';
  const chunked = (): boolean => c.threads !== undefined && typeof k.fusedChunk === 'function';

  if (has('layerNorm')) {
    fused.layerNorm = (x: View, weight: View | null, bias: View | null, eps: number): { y: Storage; mean: Storage; rstd: Storage } | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || x.shape.length === 0) return null;
      if ((weight && weight.storage.dtype !== dt) || (bias && bias.storage.dtype !== dt)) return null;
      const n = numel(x.shape);
      const D = x.shape[x.shape.length - 1]!;
      const R = D === 0 ? 0 : n / D;
      const xs = c.dense(x);
      const ws = weight ? c.dense(weight) : null;
      const bs = bias ? c.dense(bias) : null;
      const y = c.make(dt, n);
      const mean = c.make(dt, R);
      const rstd = c.make(dt, R);
      const participants = n > 0 ? chunkParticipants(c, WORK_PER_ELEMENT * n, R) : 1;
      if (participants > 1) {
        const desc = scratch.buffer('layerNormDesc', CHUNK_DESC_BYTES);
        writeChunkDesc(c, desc, [DT[dt], 0, R, D, addr(xs), ws ? addr(ws) : 0, bs ? addr(bs) : 0, y.ptr, mean.ptr, rstd.ptr, 0, 0], eps);
        const per = Math.ceil(R / Math.min(R, 4 * participants));
        c.threads!.runFused(CHUNK_KINDS.layerNorm, desc, R, per, Math.ceil(R / per), participants);
      } else if (n > 0) {
        k.layerNorm(DT[dt], R, D, addr(xs), ws ? addr(ws) : 0, bs ? addr(bs) : 0, eps, y.ptr, mean.ptr, rstd.ptr);
      }
      drop(xs, x);
      if (ws) drop(ws, weight);
      if (bs) drop(bs, bias);
      return { y, mean, rstd };
    };
  }

  if (has('layerNorm') && chunked()) {
    // Only through the chunked job (kernels/norm.ts reads the second addend from its descriptor).
    fused.addLayerNorm = (a: View, b: View, weight: View | null, bias: View | null, eps: number, wantSum: boolean) => {
      const dt = a.storage.dtype;
      if (!isFloat(dt) || a.shape.length === 0 || b.storage.dtype !== dt || b.shape.length !== a.shape.length) return null;
      if (a.shape.some((d, i) => d !== b.shape[i])) return null;
      if ((weight && weight.storage.dtype !== dt) || (bias && bias.storage.dtype !== dt)) return null;
      const n = numel(a.shape);
      const D = a.shape[a.shape.length - 1]!;
      if (n === 0) return null;
      const R = n / D;
      const views = [a, b, weight, bias];
      const dense = views.map((v) => (v === null ? null : c.dense(v)));
      const y = c.make(dt, n);
      // Without wantSum the kernel forms each row's sum in y's row, which it then overwrites.
      const sum = wantSum ? c.make(dt, n) : null;
      const mean = c.make(dt, R);
      const rstd = c.make(dt, R);
      const participants = chunkParticipants(c, WORK_PER_ELEMENT * n, R);
      const desc = scratch.buffer('layerNormDesc', CHUNK_DESC_BYTES);
      const [as, bs, ws, bb] = dense;
      writeChunkDesc(c, desc, [DT[dt], 0, R, D, addr(as!), ws ? addr(ws) : 0, bb ? addr(bb) : 0, y.ptr, mean.ptr, rstd.ptr, addr(bs!), sum ? sum.ptr : y.ptr], eps);
      const per = Math.ceil(R / Math.min(R, 4 * participants));
      c.threads!.runFused(CHUNK_KINDS.layerNorm, desc, R, per, Math.ceil(R / per), participants);
      dense.forEach((d, i) => { if (d) drop(d, views[i]!); });
      return { y, sum, mean, rstd };
    };
  }

  if (has('layerNormBackward')) {
    fused.layerNormBackward = (x: View, mean: View, rstd: View, weight: View | null, g: View, wantWeight: boolean, wantBias: boolean) => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || x.shape.length === 0 || g.storage.dtype !== dt || (weight && weight.storage.dtype !== dt)) return null;
      if (mean.storage.dtype !== dt || rstd.storage.dtype !== dt) return null;
      const n = numel(x.shape);
      const D = x.shape[x.shape.length - 1]!;
      const R = D === 0 ? 0 : n / D;
      const xs = c.dense(x);
      const ms = c.dense(mean);
      const rs = c.dense(rstd);
      const ws = weight ? c.dense(weight) : null;
      const gs = c.dense(g);
      const dx = c.make(dt, n);
      const dweight = wantWeight ? c.make(dt, D) : null;
      const dbias = wantBias ? c.make(dt, D) : null;
      if (n === 0) {
        // No rows: the column sums are zero.
        if (dweight) pool.heap.views().u8.fill(0, dweight.ptr, dweight.ptr + D * (dt === 'float32' ? 4 : 8));
        if (dbias) pool.heap.views().u8.fill(0, dbias.ptr, dbias.ptr + D * (dt === 'float32' ? 4 : 8));
      } else if (chunked()) {
        const per = Math.ceil(R / Math.min(R, BACKWARD_CHUNKS));
        const chunks = Math.ceil(R / per);
        const participants = chunkParticipants(c, WORK_PER_ELEMENT * n, chunks);
        const cols = dweight !== null || dbias !== null;
        // Allocations first (they may grow the memory), addresses after.
        const acc = scratch.buffer('layerNormAcc', cols ? 16 * D * chunks : 64);
        const desc = scratch.buffer('layerNormDesc', CHUNK_DESC_BYTES);
        const words = [DT[dt], 1, R, D, addr(xs), addr(ms), addr(rs), ws ? addr(ws) : 0, addr(gs), dx.ptr,
          dweight ? dweight.ptr : 0, dbias ? dbias.ptr : 0, acc, chunks];
        writeChunkDesc(c, desc, words, 0);
        c.threads!.runFused(CHUNK_KINDS.layerNorm, desc, R, per, chunks, participants);
        if (cols) {
          words[1] = 2;
          writeChunkDesc(c, desc, words, 0);
          c.threads!.runFused(CHUNK_KINDS.layerNorm, desc, D, D, 1, 1);
        }
      } else {
        const acc = scratch.buffer('layerNormAcc', 16 * Math.max(D, 1));
        k.layerNormBackward(DT[dt], R, D, addr(xs), addr(ms), addr(rs), ws ? addr(ws) : 0, addr(gs), dx.ptr, dweight ? dweight.ptr : 0, dbias ? dbias.ptr : 0, acc);
      }
      for (const [copy, orig] of [[xs, x], [ms, mean], [rs, rstd], [gs, g]] as const) drop(copy, orig);
      if (ws) drop(ws, weight);
      return { dx, dweight, dbias };
    };
  }
}
