/**
 * The wasm backend's fused kernels (Backend.fused): dropout, softmax/logSoftmax, layer norm, the
 * Adam update and the LSTM cell here, each one call into its kernel file; the LSTM/GRU/RNN
 * sequence (fused-sequence.ts), batch norm (fused-batchnorm.ts), GELU and cross-entropy
 * (fused-activation.ts), the convolution (conv.ts) and self-attention (attention.ts) in modules
 * of their own, all sharing fused-common.ts. Every wrapper
 * returns null (or false) for what it does not handle — non-float dtypes, mixed dtypes, a
 * parameter that is not one contiguous run — and the op then runs its composite. Inputs that
 * are strided views are copied to contiguous first (the composite would read them as views).
 * As in backend.ts, every allocation happens before any input address is read (layout.ts).
 */
import type { AdamHyper, FusedKernels, RandomState, Storage, View } from '../types.js';
import type { KernelExports } from './loader.js';
import { IndexError } from '../../errors.js';
import { addr, DT, isDense, numel } from './layout.js';
import { attentionBackward, attentionForward } from './attention.js';
import { conv2dBackward, conv2dForward } from './conv.js';
import { addActivationAndLoss } from './fused-activation.js';
import { addBatchNorm } from './fused-batchnorm.js';
import { addDropoutBits } from './fused-dropout.js';
import { addLayerNormKernels } from './fused-norm.js';
import { addSequenceKernels } from './fused-sequence.js';
import { drop, isFloat, type FusedContext } from './fused-common.js';

export type { FusedContext } from './fused-common.js';

const MT_WORDS = 624;

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

  addLayerNormKernels(c, fused);

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

  addSequenceKernels(c, fused);
  addBatchNorm(c, fused);
  addDropoutBits(c, fused);

  if (has('fusedChunk') && has('convReduce') && c.threads !== undefined) {
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

  addActivationAndLoss(c, fused);

  // Embedding lookup and its gradient, whole rows at a time (kernels/indexing.ts).
  type RowKernel = (dt: number, idt: number, n: number, D: number, rows: number, pin: number, pidx: number, po: number, errp: number) => number;
  /**
   * Runs a row kernel from rows-long `data` rows of D (src [n, D] or the table x [rows, D]) at a
   * 1-D integer index [n] into a new [outRows, D]; null for other dtypes or ranks; a bad index is
   * the reference's IndexError.
   */
  const rowsCall = (op: string, kernel: RowKernel, data: View, index: View, n: number, rows: number, outRows: number): Storage | null => {
    const dt = data.storage.dtype;
    if (!isFloat(dt) || (index.storage.dtype !== 'int64' && index.storage.dtype !== 'int32') || index.shape.length !== 1 || data.shape.length !== 2) return null;
    const D = data.shape[1]!;
    scratch.desc([]); // the status slot's block
    const ds = c.dense(data);
    const is = c.dense(index);
    const out = c.make(dt, outRows * D);
    const bad = outRows * D > 0 ? kernel(DT[dt], DT[index.storage.dtype], n, D, rows, addr(ds), addr(is), out.ptr, scratch.statusPtr) : 0;
    drop(ds, data);
    drop(is, index);
    if (bad !== 0) {
      out.dispose();
      throw new IndexError(op, `index ${pool.heap.views().f64[scratch.statusPtr >>> 3]!} is out of bounds for dimension 0 with size ${rows}`);
    }
    return out;
  };
  if (has('indexSelectRows')) {
    fused.indexSelectRows = (x: View, index: View): Storage | null =>
      rowsCall('indexSelect', k.indexSelectRows!, x, index, index.shape[0] ?? 0, x.shape[0] ?? 0, index.shape[0] ?? 0);
  }
  if (has('indexAddRows')) {
    fused.indexAddRows = (rows: number, index: View, src: View): Storage | null =>
      src.shape[0] !== index.shape[0] ? null : rowsCall('indexSelect backward', k.indexAddRows!, src, index, src.shape[0] ?? 0, rows, rows);
  }

  // A Linear layer's product with its bias (and ReLU) in the GEMM's epilogue (matmul.ts).
  const runner = c.threads;
  if (runner !== undefined) {
    fused.linear = (x: View, w: View, bias: View | null, relu: boolean): Storage | null => {
      const dt = x.storage.dtype;
      if (!isFloat(dt) || w.storage.dtype !== dt || (bias !== null && bias.storage.dtype !== dt)) return null;
      if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1] || (bias !== null && (bias.shape.length !== 1 || bias.shape[0] !== w.shape[0]))) return null;
      const b = bias === null ? null : c.dense(bias);
      const out = c.make(dt, x.shape[0]! * w.shape[0]!);
      runner.linear(x, w, b, relu, out);
      if (b !== null) drop(b, bias);
      return out;
    };
  }

  return fused;
}
