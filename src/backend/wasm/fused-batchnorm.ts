/**
 * The wasm backend's fused batch norm (Backend.fused.batchNorm/batchNormBackward: kernels/batchnorm.ts,
 * threaded over channels through kernels/chunked.ts); split out of fused.ts, whose header explains
 * the conventions.
 */
import type { FusedKernels, Storage } from '../types.js';
import type { DType } from '../../tensor/dtype.js';
import type { KernelExports } from './loader.js';
import { addr, DT, numel } from './layout.js';
import { CHUNK_KINDS } from './threads.js';
import { CHUNK_DESC_BYTES, chunkParticipants, drop, isFloat, writeChunkDesc, type FusedContext } from './fused-common.js';

/** Adds these kernels to the fused table when the loaded .wasm has them. */
export function addBatchNorm(c: FusedContext, fused: FusedKernels): void {
  const { k, pool, scratch } = c;
  const has = (n: keyof KernelExports): boolean => typeof k[n] === 'function';

  if (has('batchNorm') && has('batchNormBackward')) {
    const bytesOf = (dt: DType): number => (dt === 'float32' ? 4 : 8);
    // Threads split channels (the generic fused job, kernels/chunked.ts): each channel's sums stay
    // in one chunk, so results are bit-identical whatever the thread count. `work` counts the
    // kernel's passes over x (≈ multiply-adds) for MatmulRunner.participants.
    const runChannels = (participants: number, desc: number, words: readonly number[], eps: number, C: number): void => {
      writeChunkDesc(c, desc, words, eps);
      const per = Math.ceil(C / Math.min(C, 4 * participants));
      c.threads!.runFused(CHUNK_KINDS.batchNorm, desc, C, per, Math.ceil(C / per), participants);
    };

    fused.batchNorm = (x, weight, bias, running, eps): { y: Storage; mean: Storage; var: Storage; rstd: Storage } | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || x.shape.length !== 3) return null;
      const [N, C, S] = x.shape as [number, number, number];
      const params = [weight, bias, running?.mean ?? null, running?.var ?? null];
      if (params.some((p) => p !== null && (p.storage.dtype !== dt || numel(p.shape) !== C))) return null;
      if (N * C * S === 0) return null;
      const views = [x, ...params];
      const dense = views.map((v) => (v === null ? null : c.dense(v)));
      const y = c.make(dt, N * C * S);
      const mean = c.make(dt, C);
      const variance = c.make(dt, C);
      const rstd = c.make(dt, C);
      const participants = chunkParticipants(c, 4 * N * C * S, C);
      const desc = participants > 1 ? scratch.buffer('batchNormDesc', CHUNK_DESC_BYTES) : 0;
      const [xs, ws, bs, rm, rv] = dense;
      if (rm && rv) {
        // Eval: the kernel reads the running statistics from copies it returns, so backward sees
        // the values this forward used even if the buffers change in place before it runs.
        const u8 = pool.heap.views().u8;
        const len = C * bytesOf(dt);
        u8.copyWithin(mean.ptr, addr(rm), addr(rm) + len);
        u8.copyWithin(variance.ptr, addr(rv), addr(rv) + len);
      }
      if (participants > 1) {
        runChannels(participants, desc, [DT[dt], 0, running ? 0 : 1, N, C, S, addr(xs!), ws ? addr(ws) : 0, bs ? addr(bs) : 0,
          mean.ptr, variance.ptr, rstd.ptr, y.ptr], eps, C);
      } else {
        k.batchNorm(DT[dt], running ? 0 : 1, N, C, S, addr(xs!), ws ? addr(ws) : 0, bs ? addr(bs) : 0, eps, mean.ptr, variance.ptr, rstd.ptr, y.ptr);
      }
      dense.forEach((d, i) => { if (d) drop(d, views[i]!); });
      return { y, mean, var: variance, rstd };
    };

    fused.batchNormBackward = (x, mean, rstd, weight, g, training, want) => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || x.shape.length !== 3 || g.storage.dtype !== dt || numel(g.shape) !== numel(x.shape)) return null;
      const C = x.shape[1]!;
      const params = [mean, rstd, weight];
      if (params.some((p) => p !== null && (p.storage.dtype !== dt || numel(p.shape) !== C))) return null;
      const [N, , S] = x.shape as [number, number, number];
      if (N * C * S === 0) return null;
      const views = [x, mean, rstd, weight, g];
      const dense = views.map((v) => (v === null ? null : c.dense(v)));
      const dx = want.input ? c.make(dt, N * C * S) : null;
      const dweight = want.weight ? c.make(dt, C) : null;
      const dbias = want.bias ? c.make(dt, C) : null;
      const participants = chunkParticipants(c, 6 * N * C * S, C);
      const desc = participants > 1 ? scratch.buffer('batchNormDesc', CHUNK_DESC_BYTES) : 0;
      const [xs, ms, rs, ws, gs] = dense;
      if (participants > 1) {
        runChannels(participants, desc, [DT[dt], 1, training ? 1 : 0, N, C, S, addr(xs!), addr(ms!), addr(rs!), ws ? addr(ws) : 0, addr(gs!),
          dx ? dx.ptr : 0, dweight ? dweight.ptr : 0, dbias ? dbias.ptr : 0], 0, C);
      } else {
        k.batchNormBackward(DT[dt], training ? 1 : 0, N, C, S, addr(xs!), addr(ms!), addr(rs!), ws ? addr(ws) : 0, addr(gs!),
          dx ? dx.ptr : 0, dweight ? dweight.ptr : 0, dbias ? dbias.ptr : 0);
      }
      dense.forEach((d, i) => { if (d) drop(d, views[i]!); });
      return { dx, dweight, dbias };
    };
  }
}
