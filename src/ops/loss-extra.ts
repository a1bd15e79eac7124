/**
 * Elementwise losses: regression (MSE, L1, smooth L1, Huber), binary cross entropy (on
 * probabilities and on logits) and KL divergence, plus the reduction shared by every loss.
 *
 * Unlike PyTorch, which broadcasts mismatched input and target shapes with a warning for the
 * regression losses, these throw a ShapeError naming both shapes: silently broadcasting (N, 1)
 * against (N) is a classic source of wrong losses.
 */
import { record } from '../autograd/node.js';
import { noGrad } from '../autograd/mode.js';
import { ShapeError, ValueError } from '../errors.js';
import { broadcastShapes, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, requireFloat } from './core.js';
import { exp, log1p, sub, where } from './elementwise.js';

/** How a loss reduces its per-element values: their mean, their sum, or none (same shape). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options shared by every loss. */
export interface LossOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
}

/** @internal Applies a reduction; 'mean' averages over every element. */
export function reduceLoss(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? 'mean';
  if (r === 'none') return loss;
  if (r === 'sum') return loss.sum();
  if (r === 'mean') return loss.mean();
  throw new ValueError(op, `reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
}

/** @internal Throws unless both are float tensors of one shape on one backend. */
export function checkPair(op: string, input: Tensor, target: Tensor): void {
  requireFloat(op, input);
  requireFloat(op, target);
  checkSameBackend(op, input, target);
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(op, 'input and target must have the same shape (tsorch does not broadcast losses)', [input.shape, target.shape]);
  }
}

/** Throws unless an optional weight broadcasts to `shape` without growing it. */
function checkWeight(op: string, what: string, w: Tensor | null | undefined, shape: readonly number[]): void {
  if (!w) return;
  requireFloat(op, w);
  if (!shapesEqual(broadcastShapes(op, w.shape, shape), shape)) {
    throw new ShapeError(op, `${what} must broadcast to the input shape`, [w.shape, shape]);
  }
}

/**
 * Mean squared error, as `torch.nn.functional.mse_loss`: (input - target)².
 *
 * Shapes: `input` and `target` equal (any shape); output 0-d, or that shape with 'none'.
 *
 * @example
 * ```ts
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item(); // 2
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('mseLoss', input, target);
  const d = input.sub(target);
  return reduceLoss('mseLoss', d.mul(d), opts.reduction);
}

/**
 * Mean absolute error, as `torch.nn.functional.l1_loss`: |input - target|. The gradient at 0
 * is 0 (as PyTorch).
 *
 * Shapes: `input` and `target` equal; output 0-d, or that shape with 'none'.
 *
 * @example
 * ```ts
 * l1Loss(tensor([1, 2]), tensor([0, 4]), { reduction: 'sum' }).item(); // 3
 * ```
 */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('l1Loss', input, target);
  return reduceLoss('l1Loss', input.sub(target).abs(), opts.reduction);
}

/**
 * Smooth L1, as `torch.nn.functional.smooth_l1_loss`: with z = |input - target|,
 * 0.5·z²/beta where z < beta, else z - 0.5·beta. `beta` = 0 is the L1 loss.
 *
 * Shapes: `input` and `target` equal; output 0-d, or that shape with 'none'.
 *
 * @example
 * ```ts
 * smoothL1Loss(tensor([0, 3]), tensor([0.5, 0]), { beta: 1 }).item(); // (0.125 + 2.5) / 2
 * ```
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: LossOptions & { beta?: number } = {}): Tensor {
  checkPair('smoothL1Loss', input, target);
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new ValueError('smoothL1Loss', `beta must be non-negative, got ${beta}`);
  const d = input.sub(target);
  const z = d.abs();
  const loss = beta === 0 ? z : where(z.lt(beta), d.mul(d).mul(0.5 / beta), z.sub(0.5 * beta));
  return reduceLoss('smoothL1Loss', loss, opts.reduction);
}

/**
 * Huber loss, as `torch.nn.functional.huber_loss`: with z = |input - target|, 0.5·z² where
 * z < delta, else delta·(z - 0.5·delta). Equal to delta · smoothL1Loss with beta = delta.
 *
 * Shapes: `input` and `target` equal; output 0-d, or that shape with 'none'.
 *
 * @example
 * ```ts
 * huberLoss(tensor([0, 3]), tensor([0.5, 0]), { delta: 2 }).item(); // (0.125 + 4) / 2
 * ```
 */
export function huberLoss(input: Tensor, target: Tensor, opts: LossOptions & { delta?: number } = {}): Tensor {
  checkPair('huberLoss', input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError('huberLoss', `delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const z = d.abs();
  const loss = where(z.lt(delta), d.mul(d).mul(0.5), z.sub(0.5 * delta).mul(delta));
  return reduceLoss('huberLoss', loss, opts.reduction);
}

/** Options of {@link binaryCrossEntropy}. */
export interface BCEOptions extends LossOptions {
  /** Per-element rescaling, broadcastable to the input shape. */
  weight?: Tensor | null;
}

/** log(t) clamped below at -100, as PyTorch's binary_cross_entropy (so log(0) stays finite). */
const clampedLog = (t: Tensor): Tensor => t.log().clamp(-100);

/**
 * Binary cross entropy on probabilities, as `torch.nn.functional.binary_cross_entropy`:
 * -weight · (target · log(input) + (1 - target) · log(1 - input)), each log clamped to ≥ -100.
 * The input gradient is PyTorch's (input - target) / max(input · (1 - input), 1e-12), which
 * stays finite at 0 and 1. Inputs outside [0, 1] throw a ValueError.
 *
 * Shapes: `input` and `target` equal; `weight` broadcastable to them; output 0-d, or the input
 * shape with 'none'.
 *
 * @example
 * ```ts
 * binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])).item(); // -(log 0.9 + log 0.8) / 2
 * ```
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  checkPair('binaryCrossEntropy', input, target);
  checkWeight('binaryCrossEntropy', 'weight', opts.weight, input.shape);
  const outside = noGrad(() => input.lt(0).logicalOr(input.gt(1)).sum().item());
  if (outside > 0) throw new ValueError('binaryCrossEntropy', `all elements of input should be between 0 and 1 (${outside} are not); apply sigmoid first, or use binaryCrossEntropyWithLogits`);
  const x = input.detach();
  const y = target.detach();
  const raw = noGrad(() => y.mul(clampedLog(x)).add(sub(1, y).mul(clampedLog(sub(1, x)))).neg());
  // A recorded rule rather than a composite: the composite's gradient y/x is 0/0 at x = 0.
  let loss = record(raw, 'binaryCrossEntropy', [input, target], (g) => [
    input.requiresGrad ? g.mul(input.sub(target)).div(input.mul(sub(1, input)).clamp(1e-12)) : null,
    target.requiresGrad ? g.mul(clampedLog(sub(1, input)).sub(clampedLog(input))) : null,
  ]);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduceLoss('binaryCrossEntropy', loss, opts.reduction);
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of positive examples, broadcastable to the input (usually one per class, shape (C)). */
  posWeight?: Tensor | null;
}

/** log(1 + exp(z)) without overflow, with the exact gradient sigmoid(z) everywhere (also at 0). */
function softplusStable(z: Tensor): Tensor {
  const pos = z.gt(0);
  const zp = where(pos, z, 0);
  const zn = where(pos, 0, z);
  return where(pos, zp.add(log1p(exp(zp.neg()))), log1p(exp(zn)));
}

/**
 * Binary cross entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`:
 * weight · ((1 - target) · x + (1 + (posWeight - 1) · target) · log(1 + exp(-x))), computed in
 * the overflow-free log-sum-exp form, so large |x| never gives inf or NaN.
 *
 * Shapes: `input` and `target` equal; `weight` and `posWeight` broadcastable to them; output
 * 0-d, or the input shape with 'none'.
 *
 * @example
 * ```ts
 * binaryCrossEntropyWithLogits(tensor([100, -3]), tensor([1, 0])).item(); // ≈ log(1 + e^-3) / 2
 * ```
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkPair(op, input, target);
  checkWeight(op, 'weight', opts.weight, input.shape);
  checkWeight(op, 'posWeight', opts.posWeight, input.shape);
  const spNeg = softplusStable(input.neg());
  const logWeight = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  let loss = sub(1, target).mul(input).add(logWeight ? logWeight.mul(spNeg) : spNeg);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduceLoss(op, loss, opts.reduction);
}

/** Options of {@link klDiv}. */
export interface KLDivOptions {
  /** 'batchmean' (sum / batch size) is the true KL divergence; 'mean' divides by every element. Default 'mean', as PyTorch. */
  reduction?: Reduction | 'batchmean';
  /** The target holds log-probabilities instead of probabilities. Default false. */
  logTarget?: boolean;
}

/**
 * Pointwise KL divergence, as `torch.nn.functional.kl_div`, with `input` holding
 * log-probabilities: target · (log(target) - input), taking 0 · log 0 = 0; with `logTarget`,
 * exp(target) · (target - input).
 *
 * Shapes: `input` and `target` equal, (N, *); output 0-d, or that shape with 'none'.
 *
 * @example
 * ```ts
 * const logQ = logSoftmax(randn([4, 5]), 1);
 * const p = softmax(randn([4, 5]), 1);
 * const kl = klDiv(logQ, p, { reduction: 'batchmean' }); // KL(p ‖ q) averaged over the batch
 * ```
 */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivOptions = {}): Tensor {
  checkPair('klDiv', input, target);
  let loss: Tensor;
  if (opts.logTarget) {
    loss = target.exp().mul(target.sub(input));
  } else {
    const zero = target.eq(0);
    // The safe log keeps 0 · log 0 out of both the value and the gradient; negative targets still give NaN, as torch's xlogy.
    const xlogx = where(zero, 0, target.mul(where(zero, 1, target).log()));
    loss = xlogx.sub(target.mul(input));
  }
  if (opts.reduction === 'batchmean') return loss.sum().div(input.ndim === 0 ? 1 : input.shape[0]!);
  return reduceLoss('klDiv', loss, opts.reduction);
}
