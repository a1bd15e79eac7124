/**
 * Classification losses: negative log likelihood and cross entropy (class-index targets with
 * class weights, ignoreIndex and label smoothing; class-probability targets). The elementwise
 * losses live in loss-extra.ts and are re-exported from here.
 */
import { DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, requireFloat, requireIndex } from './core.js';
import { where } from './elementwise.js';
import { logSoftmax } from './softmax.js';
import { reduceLoss, type Reduction } from './loss-extra.js';
import { fusedCrossEntropy } from './cross-entropy-fused.js';

export * from './loss-extra.js';

/** Options of {@link nllLoss}. */
export interface NllLossOptions {
  /** Per-class rescaling, shape (C). */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing, not even to the mean's denominator. Default -100. */
  ignoreIndex?: number;
  /** Default 'mean': the weighted mean, dividing by the summed weights of the non-ignored targets. */
  reduction?: Reduction;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: ε in [0, 1]. Default 0. */
  labelSmoothing?: number;
}

/**
 * The shared class-index path of nllLoss and crossEntropy on log-probabilities `lp`
 * (N, C, d1, …) or (C). With smoothing ε the per-element loss is PyTorch 1.13's
 * (1 - ε)·w[t]·(-lp[t]) + ε/C · Σ_c w[c]·(-lp[c]), and the mean divides both terms by the
 * summed target weights Σ w[t] over non-ignored elements.
 */
function classIndexLoss(op: string, input: Tensor, target: Tensor, opts: CrossEntropyOptions, toLogProbs: (x: Tensor, dim: number) => Tensor): Tensor {
  requireFloat(op, input);
  if (isFloat(target.dtype)) {
    throw new DTypeError(op, `class-index targets must be int64 or int32, got ${target.dtype} with shape [${target.shape.join(',')}] for input [${input.shape.join(',')}]` +
      (op === 'crossEntropy' ? '; class-probability targets must have the input\'s shape' : ''));
  }
  requireIndex(op, target, 'target');
  checkSameBackend(op, input, target);
  if (input.ndim === 0) throw new ShapeError(op, 'input must have a class dimension: (C), (N, C) or (N, C, d1, ...)', [input.shape]);
  const unbatched = input.ndim === 1;
  if (unbatched ? target.ndim !== 0 : !shapesEqual(target.shape, [input.shape[0]!, ...input.shape.slice(2)])) {
    const expected = unbatched ? 'a 0-d target for a (C) input' : `target of shape (N, d1, ...) = [${[input.shape[0]!, ...input.shape.slice(2)].join(',')}] for input (N, C, d1, ...)`;
    throw new ShapeError(op, `expected ${expected}; input and target batch shapes differ`, [input.shape, target.shape]);
  }
  const x = unbatched ? input.unsqueeze(0) : input;
  const t = unbatched ? target.reshape([1]) : target;
  const c = x.shape[1]!;
  const { weight, ignoreIndex = -100 } = opts;
  if (weight) {
    requireFloat(op, weight);
    checkSameBackend(op, input, weight);
    if (weight.ndim !== 1 || weight.shape[0] !== c) throw new ShapeError(op, `weight must have shape (C) = [${c}]`, [weight.shape, input.shape]);
  }
  for (const v of t.dataSync()) {
    if (v !== ignoreIndex && (v < 0 || v >= c)) {
      throw new IndexError(op, `target ${v} is out of bounds for ${c} classes (expected 0 to ${c - 1}, or ignoreIndex ${ignoreIndex})`);
    }
  }
  const smoothing = opts.labelSmoothing ?? 0;
  if (op === 'crossEntropy') {
    // One fused pass per direction where the backend has it (wasm); the composite below is the oracle.
    const reduction = opts.reduction ?? 'mean';
    const f = fusedCrossEntropy(x, t, weight ?? null, ignoreIndex, smoothing, reduction);
    if (f !== null) return unbatched && reduction === 'none' ? f.reshape([]) : f;
  }
  const lp = toLogProbs(x, 1);
  const ignored = t.eq(ignoreIndex);
  // Ignored targets may hold any value (-100 by default); index with 0 there and mask afterwards.
  const safeT = where(ignored, 0, t);
  const picked = lp.gather(1, safeT.unsqueeze(1)).squeeze(1);
  const wt = weight ? weight.gather(0, safeT.reshape([-1])).reshape([...safeT.shape]).to(lp.dtype) : null;
  let loss = wt ? picked.mul(wt).neg() : picked.neg();
  if (smoothing > 0) {
    const wc = weight ? weight.reshape([1, c, ...x.shape.slice(2).map(() => 1)]) : null;
    const smooth = (wc ? lp.mul(wc) : lp).sum(1).neg();
    loss = loss.mul(1 - smoothing).add(smooth.mul(smoothing / c));
  }
  // where (not a multiply by the mask) so that -inf log-probabilities at ignored positions give 0, not NaN.
  loss = where(ignored, 0, loss);
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'mean') {
    const denom = wt ? where(ignored, 0, wt).sum() : ignored.logicalNot().sum().to(lp.dtype);
    return loss.sum().div(denom);
  }
  const out = reduceLoss(op, loss, reduction);
  return unbatched && reduction === 'none' ? out.reshape([]) : out;
}

/**
 * Negative log likelihood, as `torch.nn.functional.nll_loss`: -weight[t] · input[n, t, …] for
 * each target t (the input holds log-probabilities, e.g. from `logSoftmax`).
 *
 * Shapes: input (N, C) with target (N); input (N, C, d1, …) with target (N, d1, …); or an
 * unbatched input (C) with a 0-d target. Targets are int64 or int32 class indices in [0, C),
 * or `ignoreIndex`. Output 0-d, or the target's shape with 'none' (ignored elements give 0).
 * A target outside [0, C) throws an IndexError naming the value; a float target, a DTypeError.
 *
 * @example
 * ```ts
 * const logp = logSoftmax(randn([3, 5]), 1);
 * const loss = nllLoss(logp, tensor([1, 0, 4], { dtype: 'int64' }));
 * ```
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  return classIndexLoss('nllLoss', input, target, { ...opts, labelSmoothing: 0 }, (x) => x);
}

/**
 * Cross entropy on unnormalised logits, as `torch.nn.functional.cross_entropy` (PyTorch 1.13
 * semantics): logSoftmax over the class dimension, then
 * - with class-index targets (int64/int32): nllLoss with the same shapes and options, blended
 *   with the smoothing term when `labelSmoothing` ε > 0:
 *   (1 - ε)·nll + ε/C · Σ_c weight[c]·(-logp[c]), zero at ignored targets, and for 'mean' both
 *   terms divided by the summed weights of the non-ignored targets;
 * - with class-probability targets (a float target of the input's shape): the target becomes
 *   (1 - ε)·target + ε/C, the loss is -Σ_c weight[c]·target[c]·logp[c] per element, and 'mean'
 *   divides by the number of elements other than the class dimension (N·d1·…). `ignoreIndex`
 *   does not apply.
 *
 * Shapes: logits (N, C, d1, …), (N, C) or (C); targets as in {@link nllLoss}, or the logits'
 * shape for probabilities. Output 0-d, or the shape without the class dimension with 'none'.
 *
 * @example
 * ```ts
 * const logits = randn([4, 3], { requiresGrad: true });
 * crossEntropy(logits, tensor([0, 2, 1, 2], { dtype: 'int64' }), { labelSmoothing: 0.1 }).backward();
 * crossEntropy(logits, softmax(randn([4, 3]), 1)); // probability targets
 * ```
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const smoothing = opts.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ValueError('crossEntropy', `labelSmoothing must be between 0.0 and 1.0, got ${smoothing}`);
  if (isFloat(target.dtype) && shapesEqual(target.shape, input.shape)) return probabilityLoss(input, target, opts);
  return classIndexLoss('crossEntropy', input, target, opts, logSoftmax);
}

/** crossEntropy with class-probability targets (same shape as the logits). */
function probabilityLoss(input: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  requireFloat(op, input);
  checkSameBackend(op, input, target);
  if (input.ndim === 0) throw new ShapeError(op, 'input must have a class dimension: (C), (N, C) or (N, C, d1, ...)', [input.shape]);
  const classDim = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classDim]!;
  const smoothing = opts.labelSmoothing ?? 0;
  const lp = logSoftmax(input, classDim);
  const t = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / c) : target;
  let prod = lp.mul(t);
  if (opts.weight) {
    const w = opts.weight;
    requireFloat(op, w);
    if (w.ndim !== 1 || w.shape[0] !== c) throw new ShapeError(op, `weight must have shape (C) = [${c}]`, [w.shape, input.shape]);
    prod = prod.mul(w.reshape(input.shape.map((s, i) => (i === classDim ? s : 1))));
  }
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'none') return prod.sum(classDim).neg();
  if (reduction === 'sum') return prod.sum().neg();
  if (reduction === 'mean') return prod.sum().neg().div(input.numel() / c);
  throw new ValueError(op, `reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
}
