/**
 * crossEntropy's fused fast path (class-index targets): the backend's Backend.fused.crossEntropy
 * computes log-softmax, the target pick, the class weights, label smoothing and the per-position
 * loss in one pass, saving only each position's logsumexp; its backward writes
 * softmax − (weighted, smoothed) one-hot, scaled by the upstream gradient, in one more pass.
 * The whole loss is one autograd node. ops/loss.ts validates the inputs first (so every error
 * is the composite's) and runs the composite when this returns null (no fused kernel, weights
 * that require grad or of another dtype, empty inputs).
 */
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from './core.js';
import { fusedPathOn } from './fused-switch.js';
import { where } from './elementwise.js';
import type { Reduction } from './loss-extra.js';
import { softmax } from './softmax.js';

/** Rounds a float64 scalar to the dtype's precision. */
const roundTo = (dtype: string, v: number): number => (dtype === 'float32' ? Math.fround(v) : v);

/**
 * The fused loss of logits x (N, C, d1, …) with targets t (N, d1, …) (already validated), or
 * null when the fused kernel cannot run. Output: 0-d for 'mean'/'sum', t's shape for 'none'.
 */
export function fusedCrossEntropy(x: Tensor, t: Tensor, weight: Tensor | null, ignoreIndex: number, smoothing: number, reduction: Reduction): Tensor | null {
  const kern = x.backend.fused;
  if (!fusedPathOn('crossEntropy') || kern?.crossEntropy === undefined || kern.crossEntropyBackward === undefined) return null;
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') return null;
  if (weight !== null && (weight.requiresGrad || weight.dtype !== x.dtype)) return null;
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  const S = x.shape.slice(2).reduce((a, b) => a * b, 1);
  if (N * C * S === 0) return null;
  const x3 = x.detach().reshape([N, C, S]);
  const t2 = t.reshape([N, S]);
  const w = weight ? weight.detach() : null;
  const r = kern.crossEntropy(x3, t2, w, ignoreIndex, smoothing);
  if (r === null) return null;
  const denom = roundTo(x.dtype, r.weightSum);
  let out: Tensor;
  if (reduction === 'none') {
    out = wrap(r.loss, [...t.shape]);
  } else {
    disposeStorage(r.loss);
    const total = roundTo(x.dtype, r.total);
    out = wrap(x.backend.fromArray(x.dtype, [reduction === 'sum' ? total : roundTo(x.dtype, total / denom)]), []);
  }
  if (!isGradEnabled() || !x.requiresGrad) {
    disposeStorage(r.lse); // no backward: the saved logsumexp is not needed
    return out;
  }
  const lse = wrap(r.lse, [N * S]);
  return record(out, 'crossEntropy', [x], (g) => {
    if (!isGradEnabled() && g.dtype === x.dtype) {
      const scale = reduction === 'none' ? 1 : reduction === 'sum' ? g.item() : g.item() / denom;
      const dx = kern.crossEntropyBackward!(x3, t2, w, ignoreIndex, smoothing, lse, reduction === 'none' ? g.reshape([N * S]) : null, scale);
      if (dx !== null) return [wrap(dx, x.shape)];
    }
    return [crossEntropyGrad(x.reshape([N, C, S]), t2, weight, ignoreIndex, smoothing, reduction, denom, g).reshape(x.shape)];
  }, [lse]);
}

/** Frees a storage the caller made and will not use (the wasm backend's storages can be disposed early). */
function disposeStorage(s: object): void {
  const d = (s as { dispose?: () => void }).dispose;
  if (typeof d === 'function') d.call(s);
}

/**
 * The fused backward's rule written with differentiable ops, for a recorded backward
 * (createGraph): with p = softmax(x), coef the upstream gradient per position (÷ the summed
 * target weights for 'mean'), a = (1 − ε)·w[t]·coef, b = ε/C·coef and W = Σ w:
 * dx = p·(a + b·W) − b·w[c] − a·[c = t], 0 at ignored targets.
 */
function crossEntropyGrad(x3: Tensor, t2: Tensor, weight: Tensor | null, ignoreIndex: number, smoothing: number, reduction: Reduction, denom: number, g: Tensor): Tensor {
  const [N, C, S] = x3.shape as [number, number, number];
  const ignored = t2.eq(ignoreIndex);
  const safeT = where(ignored, 0, t2);
  const classes = wrap(x3.backend.fromArray(t2.dtype, Array.from({ length: C }, (_, i) => i)), [1, C, 1]);
  const onehot = classes.eq(safeT.unsqueeze(1)).to(x3.dtype);
  const wt = weight ? weight.detach().gather(0, safeT.reshape([-1])).reshape([N, S]) : null;
  // The upstream gradient per position, [N, S] (a scalar g broadcast for 'sum' and 'mean').
  const coef = reduction === 'none' ? g.reshape([N, S]) : (reduction === 'sum' ? g : g.div(denom)).reshape([1, 1]).expand([N, S]);
  const a = (wt ? coef.mul(wt) : coef).mul(1 - smoothing).reshape([N, 1, S]);
  const b = coef.mul(smoothing / C).reshape([N, 1, S]);
  const W = weight ? weight.detach().sum() : C;
  const p = softmax(x3, 1);
  let dx = p.mul(a.add(b.mul(W)));
  if (smoothing > 0) dx = dx.sub(weight ? b.mul(weight.detach().reshape([1, C, 1])) : b);
  dx = dx.sub(onehot.mul(a));
  return where(ignored.unsqueeze(1), 0, dx);
}
