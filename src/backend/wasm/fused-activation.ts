/**
 * The wasm backend's fused GELU and cross-entropy (Backend.fused.gelu/crossEntropy and their
 * backwards: kernels/act.ts, kernels/xent.ts); split out of fused.ts, whose header explains the
 * conventions.
 */
import type { FusedKernels, Storage, View } from '../types.js';
import type { KernelExports } from './loader.js';
import { addr, DT, numel } from './layout.js';
import { drop, isFloat, type FusedContext } from './fused-common.js';

/** Adds these kernels to the fused table when the loaded .wasm has them. */
export function addActivationAndLoss(c: FusedContext, fused: FusedKernels): void {
  const { k, pool, scratch } = c;
  const has = (n: keyof KernelExports): boolean => typeof k[n] === 'function';

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

  if (has('reluBackward')) {
    fused.reluBackward = (y: View, g: View): Storage | null => {
      const dt = y.storage.dtype;
      if (!isFloat(dt) || g.storage.dtype !== dt || numel(g.shape) !== numel(y.shape)) return null;
      const n = numel(y.shape);
      const ys = c.dense(y);
      const gs = c.dense(g);
      const dx = c.make(dt, n);
      if (n > 0) k.reluBackward!(DT[dt], n, addr(ys), addr(gs), dx.ptr);
      drop(ys, y);
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
}
