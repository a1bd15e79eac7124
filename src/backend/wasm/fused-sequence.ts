/**
 * The wasm backend's fused sequence kernels (Backend.fused.lstmSeq/rnnSeq and their backwards:
 * kernels/{lstm,rnn,rgemm}.ts); split out of fused.ts, whose header explains the conventions.
 */
import type { FusedKernels, Storage } from '../types.js';
import type { KernelExports } from './loader.js';
import { addr, DT, numel } from './layout.js';
import { drop, isFloat, type FusedContext } from './fused-common.js';

/** Adds these kernels to the fused table when the loaded .wasm has them. */
export function addSequenceKernels(c: FusedContext, fused: FusedKernels): void {
  const { k, pool, scratch } = c;
  const has = (n: keyof KernelExports): boolean => typeof k[n] === 'function';

  // Sequence kernels (lstmSeq, rnnSeq): per-sequence lengths as int32 in scratch (0: none), and
  // the packing buffers of the calling thread's matmul, which they run step by step.
  const lengthsBuffer = (lengths: readonly number[] | null): number => {
    if (lengths === null) return 0;
    const p = scratch.buffer('rnnSeqLengths', 4 * lengths.length);
    pool.heap.views().i32.set(lengths, p >>> 2);
    return p;
  };
  const packs = (): [number, number] => [
    scratch.buffer('packA0', k.PACK_A_BYTES.value as number),
    scratch.buffer('packB0', k.PACK_B_BYTES.value as number),
  ];

  if (has('lstmSeq') && has('lstmSeqBackward')) {
    fused.lstmSeq = (gi, h0, c0, whh, bhh, lengths, reverse, keepSaved = true): { y: Storage; saved: Storage | null } | null => {
      const dt = gi.storage.dtype;
      if (!isFloat(dt) || gi.shape.length !== 3 || h0.shape.length !== 2) return null;
      if ([h0, c0, whh, ...(bhh ? [bhh] : [])].some((v) => v.storage.dtype !== dt)) return null;
      const [L, N, G] = gi.shape as [number, number, number];
      const H = h0.shape[1]!;
      if (G !== 4 * H || h0.shape[0] !== N || c0.shape[0] !== N || c0.shape[1] !== H) return null;
      if (whh.shape[0] !== G || whh.shape[1] !== H || (bhh && numel(bhh.shape) !== G)) return null;
      if (lengths !== null && lengths.length !== N) return null;
      const views = [gi, h0, c0, whh, ...(bhh ? [bhh] : [])];
      const dense = views.map((v) => c.dense(v));
      const y = c.make(dt, (L + 2) * N * H);
      const saved = c.make(dt, L * N * 7 * H);
      const pg = scratch.buffer('lstmSeqGates', N * G * 8);
      const [pa, pb] = packs();
      const plen = lengthsBuffer(lengths);
      if (L * N * H > 0) {
        k.lstmSeq(DT[dt], L, N, H, reverse ? 1 : 0, addr(dense[0]!), addr(dense[1]!), addr(dense[2]!), addr(dense[3]!),
          bhh ? addr(dense[4]!) : 0, plen, y.ptr, saved.ptr, pg, pa, pb);
      }
      dense.forEach((d, i) => drop(d, views[i]!));
      if (keepSaved) return { y, saved };
      saved.dispose();
      return { y, saved: null };
    };

    fused.lstmSeqBackward = (saved, whh, lengths, reverse, dy): { dgates: Storage; dh0: Storage; dc0: Storage } | null => {
      const dt = saved.storage.dtype;
      if (!isFloat(dt) || whh.storage.dtype !== dt || dy.storage.dtype !== dt || dy.shape.length !== 3) return null;
      const [L2, N, H] = dy.shape as [number, number, number];
      const L = L2 - 2;
      if (L < 1 || numel(saved.shape) !== L * N * 7 * H || whh.shape[0] !== 4 * H || whh.shape[1] !== H) return null;
      if (lengths !== null && lengths.length !== N) return null;
      const views = [saved, whh, dy];
      const dense = views.map((v) => c.dense(v));
      const dgates = c.make(dt, L * N * 4 * H);
      const dh0 = c.make(dt, N * H);
      const dc0 = c.make(dt, N * H);
      const pdhr = scratch.buffer('lstmSeqDh', N * H * 8);
      const [pa, pb] = packs();
      const plen = lengthsBuffer(lengths);
      if (L * N * H > 0) {
        k.lstmSeqBackward(DT[dt], L, N, H, reverse ? 1 : 0, addr(dense[0]!), addr(dense[1]!), plen, addr(dense[2]!),
          dgates.ptr, dh0.ptr, dc0.ptr, pdhr, pa, pb);
      }
      dense.forEach((d, i) => drop(d, views[i]!));
      return { dgates, dh0, dc0 };
    };
  }

  if (has('rnnSeq') && has('rnnSeqBackward')) {
    const MODE = { RNN_TANH: 0, RNN_RELU: 1, GRU: 2 } as const;
    fused.rnnSeq = (mode, gi, h0, whh, bhh, lengths, reverse, keepSaved = true): { y: Storage; saved: Storage | null } | null => {
      const dt = gi.storage.dtype;
      if (!isFloat(dt) || gi.shape.length !== 3 || h0.shape.length !== 2) return null;
      if ([h0, whh, ...(bhh ? [bhh] : [])].some((v) => v.storage.dtype !== dt)) return null;
      const [L, N, G] = gi.shape as [number, number, number];
      const H = h0.shape[1]!;
      const gates = mode === 'GRU' ? 3 : 1;
      if (G !== gates * H || h0.shape[0] !== N || whh.shape[0] !== G || whh.shape[1] !== H || (bhh && numel(bhh.shape) !== G)) return null;
      if (lengths !== null && lengths.length !== N) return null;
      const views = [gi, h0, whh, ...(bhh ? [bhh] : [])];
      const dense = views.map((v) => c.dense(v));
      const y = c.make(dt, (L + 1) * N * H);
      const saved = c.make(dt, L * N * (mode === 'GRU' ? 5 : 2) * H);
      const pg = scratch.buffer('rnnSeqGates', N * G * 8);
      const [pa, pb] = packs();
      const plen = lengthsBuffer(lengths);
      if (L * N * H > 0) {
        k.rnnSeq(MODE[mode], DT[dt], L, N, H, reverse ? 1 : 0, addr(dense[0]!), addr(dense[1]!), addr(dense[2]!),
          bhh ? addr(dense[3]!) : 0, plen, y.ptr, saved.ptr, pg, pa, pb);
      }
      dense.forEach((d, i) => drop(d, views[i]!));
      if (keepSaved) return { y, saved };
      saved.dispose();
      return { y, saved: null };
    };

    fused.rnnSeqBackward = (mode, saved, whh, lengths, reverse, dy): { dgi: Storage; dgh: Storage; dh0: Storage } | null => {
      const dt = saved.storage.dtype;
      if (!isFloat(dt) || whh.storage.dtype !== dt || dy.storage.dtype !== dt || dy.shape.length !== 3) return null;
      const [L1, N, H] = dy.shape as [number, number, number];
      const L = L1 - 1;
      const G = (mode === 'GRU' ? 3 : 1) * H;
      if (L < 1 || numel(saved.shape) !== L * N * (mode === 'GRU' ? 5 : 2) * H || whh.shape[0] !== G || whh.shape[1] !== H) return null;
      if (lengths !== null && lengths.length !== N) return null;
      const views = [saved, whh, dy];
      const dense = views.map((v) => c.dense(v));
      const dgi = c.make(dt, L * N * G);
      const dgh = mode === 'GRU' ? c.make(dt, L * N * G) : dgi;
      const dh0 = c.make(dt, N * H);
      const pdhr = scratch.buffer('rnnSeqDh', N * H * 8);
      const pdhz = scratch.buffer('rnnSeqDhz', N * H * 8);
      const [pa, pb] = packs();
      const plen = lengthsBuffer(lengths);
      if (L * N * H > 0) {
        k.rnnSeqBackward(MODE[mode], DT[dt], L, N, H, reverse ? 1 : 0, addr(dense[0]!), addr(dense[1]!), plen, addr(dense[2]!),
          dgi.ptr, dgh.ptr, dh0.ptr, pdhr, pdhz, pa, pb);
      }
      dense.forEach((d, i) => drop(d, views[i]!));
      return { dgi, dgh, dh0 };
    };
  }
}
