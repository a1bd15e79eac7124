/**
 * The wasm backend's fused kernels (Backend.fused): dropout, softmax/logSoftmax, layer norm, the
 * Adam update, the LSTM cell, the LSTM/GRU/RNN sequence (kernels/{lstm,rnn,rgemm}.ts), batch norm,
 * GELU and cross-entropy (kernels/{batchnorm,act,xent}.ts), each one call into its kernel file;
 * the convolution (conv.ts) and self-attention (attention.ts) have host modules of their own
 * because they split work across the thread pool. Every wrapper
 * returns null (or false) for what it does not handle — non-float dtypes, mixed dtypes, a
 * parameter that is not one contiguous run — and the op then runs its composite. Inputs that
 * are strided views are copied to contiguous first (the composite would read them as views).
 * As in backend.ts, every allocation happens before any input address is read (layout.ts).
 */
import type { AdamHyper, FusedKernels, RandomState, Storage, View } from '../types.js';
import type { DType } from '../../tensor/dtype.js';
import type { KernelExports } from './loader.js';
import { addr, DT, isDense, numel, type Scratch } from './layout.js';
import type { StoragePool, WasmStorage } from './storage.js';
import { attentionBackward, attentionForward } from './attention.js';
import { conv2dBackward, conv2dForward } from './conv.js';
import type { MatmulRunner } from './matmul.js';
import { CHUNK_KINDS } from './threads.js';

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

const MT_WORDS = 624;

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** Frees a contiguous copy made by `dense` (not the caller's own view). */
function drop(copy: View, original: View | null): void {
  if (original !== null && copy !== original) (copy.storage as WasmStorage).dispose();
}

/** Builds the fused table; kernels missing from an older .wasm are simply left out. */
export function createFused(c: FusedContext): FusedKernels {
  const { k, pool, scratch } = c;
  const has = (name: keyof KernelExports): boolean => typeof k[name] === 'function';
  const fused: FusedKernels = {};

  if (has('dropout')) {
    fused.dropout = (x: View, keep: number, scale: number, rng: RandomState, wantMask = false): { out: Storage; mask: Storage | null; mti: number } | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt)) return null;
      const n = numel(x.shape);
      const src = c.dense(x);
      const out = c.make(dt, n);
      const mask = wantMask ? c.make(dt, n) : null;
      if (n === 0) return { out, mask, mti: rng.mti };
      const st = scratch.buffer('mt19937', MT_WORDS * 4);
      const heap = pool.heap.views().u8.buffer;
      new Uint32Array(heap, st, MT_WORDS).set(rng.mt);
      const mti = k.dropout(DT[dt], n, addr(src), out.ptr, mask ? mask.ptr : 0, st, rng.mti, keep * 2 ** 24, scale);
      rng.mt.set(new Uint32Array(pool.heap.views().u8.buffer, st, MT_WORDS));
      drop(src, x);
      return { out, mask, mti };
    };
  }

  if (has('softmax')) {
    fused.softmax = (x: View, log: boolean): Storage | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || x.shape.length === 0) return null;
      const n = numel(x.shape);
      const D = x.shape[x.shape.length - 1]!;
      const src = c.dense(x);
      const out = c.make(dt, n);
      if (n > 0) k.softmax(DT[dt], log ? 1 : 0, n / D, D, addr(src), out.ptr);
      drop(src, x);
      return out;
    };
  }

  if (has('softmaxBackward')) {
    fused.softmaxBackward = (y: View, g: View, log: boolean): Storage | null => {
      const dt = y.storage.dtype;
      if (!isFloat(dt) || g.storage.dtype !== dt || y.shape.length === 0) return null;
      const n = numel(y.shape);
      const D = y.shape[y.shape.length - 1]!;
      const ys = c.dense(y);
      const gs = c.dense(g);
      const out = c.make(dt, n);
      if (n > 0) k.softmaxBackward(DT[dt], log ? 1 : 0, n / D, D, addr(ys), addr(gs), out.ptr);
      drop(ys, y);
      drop(gs, g);
      return out;
    };
  }

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
      if (n > 0) k.layerNorm(DT[dt], R, D, addr(xs), ws ? addr(ws) : 0, bs ? addr(bs) : 0, eps, y.ptr, mean.ptr, rstd.ptr);
      drop(xs, x);
      if (ws) drop(ws, weight);
      if (bs) drop(bs, bias);
      return { y, mean, rstd };
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
      const acc = scratch.buffer('layerNormAcc', 16 * Math.max(D, 1));
      if (n > 0) {
        k.layerNormBackward(DT[dt], R, D, addr(xs), addr(ms), addr(rs), ws ? addr(ws) : 0, addr(gs), dx.ptr, dweight ? dweight.ptr : 0, dbias ? dbias.ptr : 0, acc);
      } else {
        // No rows: the column sums are zero.
        if (dweight) pool.heap.views().u8.fill(0, dweight.ptr, dweight.ptr + D * (dt === 'float32' ? 4 : 8));
        if (dbias) pool.heap.views().u8.fill(0, dbias.ptr, dbias.ptr + D * (dt === 'float32' ? 4 : 8));
      }
      for (const [copy, orig] of [[xs, x], [ms, mean], [rs, rstd], [gs, g]] as const) drop(copy, orig);
      if (ws) drop(ws, weight);
      return { dx, dweight, dbias };
    };
  }

  if (has('adam')) {
    fused.adam = (p: View, grad: View, m: View, v: View, vmax: View | null, h: AdamHyper): boolean => {
      const dt = p.storage.dtype;
      if (!isFloat(dt)) return false;
      const all = vmax ? [p, grad, m, v, vmax] : [p, grad, m, v];
      if (all.some((t) => t.storage.dtype !== dt || !isDense(t) || numel(t.shape) !== numel(p.shape))) return false;
      const n = numel(p.shape);
      if (n === 0) return true;
      const flags = (h.decoupled ? 1 : h.weightDecay !== 0 ? 2 : 0) | (h.maximize ? 4 : 0) | (vmax ? 8 : 0);
      const bc1 = 1 - h.beta1 ** h.step;
      const bc2 = 1 - h.beta2 ** h.step;
      const decay = h.decoupled ? 1 - h.lr * h.weightDecay : h.weightDecay;
      k.adam(DT[dt], n, addr(p), addr(grad), addr(m), addr(v), vmax ? addr(vmax) : 0, flags,
        decay, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, Math.sqrt(bc2), h.eps, -(h.lr / bc1));
      return true;
    };
  }

  if (has('lstmCell')) {
    fused.lstmCell = (gates: View, cell: View): { hc: Storage; act: Storage } | null => {
      const dt = gates.storage.dtype;
      if (!isFloat(dt) || cell.storage.dtype !== dt || gates.shape.length !== 2 || cell.shape.length !== 2) return null;
      const [N, G] = gates.shape as [number, number];
      const H = cell.shape[1]!;
      if (G !== 4 * H || cell.shape[0] !== N) return null;
      const gs = c.dense(gates);
      const cs = c.dense(cell);
      const hc = c.make(dt, N * 2 * H);
      const act = c.make(dt, N * 5 * H);
      if (N * H > 0) k.lstmCell(DT[dt], N, H, addr(gs), addr(cs), hc.ptr, act.ptr);
      drop(gs, gates);
      drop(cs, cell);
      return { hc, act };
    };
  }

  if (has('lstmCellBackward')) {
    fused.lstmCellBackward = (act: View, cell: View, d: View): { dgates: Storage; dc: Storage } | null => {
      const dt = act.storage.dtype;
      if (!isFloat(dt) || cell.storage.dtype !== dt || d.storage.dtype !== dt || cell.shape.length !== 2) return null;
      const [N, H] = cell.shape as [number, number];
      if (numel(act.shape) !== N * 5 * H || numel(d.shape) !== N * 2 * H) return null;
      const as = c.dense(act);
      const cs = c.dense(cell);
      const ds = c.dense(d);
      const dgates = c.make(dt, N * 4 * H);
      const dc = c.make(dt, N * H);
      if (N * H > 0) k.lstmCellBackward(DT[dt], N, H, addr(as), addr(cs), addr(ds), dgates.ptr, dc.ptr);
      drop(as, act);
      drop(cs, cell);
      drop(ds, d);
      return { dgates, dc };
    };
  }

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

  if (has('batchNorm') && has('batchNormBackward')) {
    const bytesOf = (dt: DType): number => (dt === 'float32' ? 4 : 8);
    // Threads split channels (the generic fused job, kernels/chunked.ts): each channel's sums stay
    // in one chunk, so results are bit-identical whatever the thread count. `work` counts the
    // kernel's passes over x (≈ multiply-adds) for MatmulRunner.participants.
    const canThread = has('fusedChunk') && c.threads !== undefined;
    const participantsFor = (work: number, C: number): number => (canThread ? c.threads!.participants(work, C) : 1);
    const runChannels = (participants: number, desc: number, words: readonly number[], eps: number, C: number): void => {
      const dv = new DataView(pool.heap.views().u8.buffer, desc, 72);
      words.forEach((w, i) => dv.setInt32(4 * i, w | 0, true));
      dv.setFloat64(64, eps, true);
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
      const participants = participantsFor(4 * N * C * S, C);
      const desc = participants > 1 ? scratch.buffer('batchNormDesc', 72) : 0;
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
      const participants = participantsFor(6 * N * C * S, C);
      const desc = participants > 1 ? scratch.buffer('batchNormDesc', 72) : 0;
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

  if (has('convChunk') && has('convReduce') && c.threads !== undefined) {
    const cc = { k, pool, scratch, threads: c.threads, make: c.make, dense: c.dense };
    fused.conv2d = (x, weight, g) => conv2dForward(cc, x, weight, g);
    fused.conv2dBackward = (x, weight, gy, g, wantInput, wantWeight) => conv2dBackward(cc, x, weight, gy, g, wantInput, wantWeight);
  }

  if (has('attention')) {
    fused.attention = (qkv, heads, batchFirst, dropout, save) => attentionForward(c, qkv, heads, batchFirst, dropout, save);
  }
  if (has('attentionBackward')) {
    fused.attentionBackward = (qkv, probs, mask, scale, g, heads, batchFirst) => attentionBackward(c, qkv, probs, mask, scale, g, heads, batchFirst);
  }

  // GELU and cross-entropy: one pass per direction (kernels/act.ts, kernels/xent.ts).
  if (has('gelu') && has('geluBackward')) {
    fused.gelu = (x: View, tanh: boolean): Storage | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt)) return null;
      const n = numel(x.shape);
      const xs = c.dense(x);
      const y = c.make(dt, n);
      if (n > 0) k.gelu!(DT[dt], tanh ? 1 : 0, n, addr(xs), y.ptr);
      drop(xs, x);
      return y;
    };
    fused.geluBackward = (x: View, g: View, tanh: boolean, y: View | null = null): Storage | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || g.storage.dtype !== dt || numel(g.shape) !== numel(x.shape)) return null;
      const yv = y !== null && y.storage.dtype === dt && numel(y.shape) === numel(x.shape) ? y : null;
      const n = numel(x.shape);
      const xs = c.dense(x);
      const ys = yv ? c.dense(yv) : null;
      const gs = c.dense(g);
      const dx = c.make(dt, n);
      if (n > 0) k.geluBackward!(DT[dt], tanh ? 1 : 0, n, addr(xs), ys ? addr(ys) : 0, addr(gs), dx.ptr);
      drop(xs, x);
      if (ys) drop(ys, yv);
      drop(gs, g);
      return dx;
    };
  }

  if (has('crossEntropy') && has('crossEntropyBackward')) {
    /** [N, C, S] and [N, S] with float logits, int targets and weights [C] of the logits' dtype; null otherwise. */
    const xentDims = (x: View, t: View, w: View | null): [number, number, number] | null => {
      const dt = x.storage.dtype;
      const tdt = t.storage.dtype;
      if (!isFloat(dt) || (tdt !== 'int64' && tdt !== 'int32') || x.shape.length !== 3) return null;
      const [N, C, S] = x.shape as [number, number, number];
      if (numel(t.shape) !== N * S || (w !== null && (w.storage.dtype !== dt || numel(w.shape) !== C))) return null;
      return [N, C, S];
    };
    fused.crossEntropy = (x, t, w, ignoreIndex, eps) => {
      const dims = xentDims(x, t, w);
      if (dims === null) return null;
      const [N, C, S] = dims;
      const dt = x.storage.dtype;
      const views = [x, t, w];
      const dense = views.map((v) => (v === null ? null : c.dense(v)));
      const loss = c.make(dt, N * S);
      const lse = c.make('float64', N * S);
      const acc = scratch.buffer('xentAcc', 16);
      const [xs, ts, ws] = dense;
      let total = 0;
      let weightSum = 0;
      if (N * S > 0) {
        k.crossEntropy!(DT[dt], DT[t.storage.dtype], N, C, S, addr(xs!), addr(ts!), ws ? addr(ws) : 0, ignoreIndex, eps, loss.ptr, lse.ptr, acc);
        const f64 = pool.heap.views().f64;
        total = f64[acc >>> 3]!;
        weightSum = f64[(acc >>> 3) + 1]!;
      }
      dense.forEach((d, i) => { if (d) drop(d, views[i]!); });
      return { loss, lse, total, weightSum };
    };
    fused.crossEntropyBackward = (x, t, w, ignoreIndex, eps, lse, g, scale) => {
      const dims = xentDims(x, t, w);
      if (dims === null || lse.storage.dtype !== 'float64' || (g !== null && g.storage.dtype !== x.storage.dtype)) return null;
      const [N, C, S] = dims;
      const dt = x.storage.dtype;
      if (numel(lse.shape) !== N * S || (g !== null && numel(g.shape) !== N * S)) return null;
      const views = [x, t, w, lse, g];
      const dense = views.map((v) => (v === null ? null : c.dense(v)));
      const dx = c.make(dt, N * C * S);
      const [xs, ts, ws, ls, gs] = dense;
      if (N * C * S > 0) {
        k.crossEntropyBackward!(DT[dt], DT[t.storage.dtype], N, C, S, addr(xs!), addr(ts!), ws ? addr(ws) : 0, ignoreIndex, eps,
          addr(ls!), gs ? addr(gs) : 0, scale, dx.ptr);
      }
      dense.forEach((d, i) => { if (d) drop(d, views[i]!); });
      return dx;
    };
  }

  return fused;
}
