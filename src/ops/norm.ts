/**
 * Normalisation layers' functional forms: layer norm and batch norm. Both are composites of
 * reductions and elementwise ops, so their gradients (including the coupling through the batch
 * mean and variance) come from autograd rather than hand-written rules.
 */
import { noGrad } from '../autograd/mode.js';
import { ShapeError, ValueError } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, requireFloat } from './core.js';

/**
 * Layer normalisation over the trailing `normalizedShape` dimensions, as
 * `torch.nn.functional.layer_norm`: `(x - mean) / sqrt(var + eps) * weight + bias`, with the
 * biased variance (divide by the element count, not count - 1).
 *
 * Shapes: `x` (*, ...normalizedShape); `weight` and `bias` exactly `normalizedShape`; the output
 * has `x`'s shape.
 *
 * @example
 * ```ts
 * const x = randn([4, 10, 16]);
 * const y = layerNorm(x, [16], ones([16]), zeros([16])); // [4, 10, 16], each row mean 0, var ≈ 1
 * ```
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  requireFloat('layerNorm', x);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), ns)) {
    throw new ShapeError('layerNorm', `normalizedShape must match the trailing dimensions of the input`, [x.shape, ns]);
  }
  for (const [what, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && !shapesEqual(p.shape, ns)) throw new ShapeError('layerNorm', `${what} must have shape normalizedShape`, [p.shape, ns]);
    if (p) checkSameBackend('layerNorm', x, p);
  }
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = x.sub(x.mean(axes, true));
  const variance = centered.mul(centered).mean(axes, true);
  let y = centered.mul(variance.add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/**
 * Batch normalisation over every dimension except the channel dimension 1, as
 * `torch.nn.functional.batch_norm`, for inputs (N, C), (N, C, L), (N, C, H, W) or more
 * spatial dimensions.
 *
 * In training mode the batch mean and biased variance normalise the input, and the running
 * buffers (when given) are updated in place, outside the graph, with PyTorch's rule
 * `running = (1 - momentum) · running + momentum · stat`, where the variance statistic is the
 * unbiased one (divide by count - 1). In eval mode the running buffers normalise the input and
 * are left unchanged.
 *
 * Shapes: `runningMean`, `runningVar`, `weight`, `bias` hold C elements each; the output has
 * `x`'s shape. Running buffers may be null only in training mode.
 *
 * @example
 * ```ts
 * const mean = zeros([3]);
 * const variance = ones([3]);
 * const y = batchNorm(randn([8, 3, 5, 5]), mean, variance, null, null, true); // [8, 3, 5, 5]
 * // mean and variance have moved 10% of the way to the batch statistics.
 * ```
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  requireFloat('batchNorm', x);
  if (x.ndim < 2) throw new ShapeError('batchNorm', 'expected an input of shape (N, C, ...) with at least 2 dimensions', [x.shape]);
  const c = x.shape[1]!;
  const named = [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const;
  for (const [what, t] of named) {
    if (!t) continue;
    if (t.numel() !== c) throw new ShapeError('batchNorm', `${what} should contain ${c} elements (one per channel of the input) not ${t.numel()}`, [t.shape, x.shape]);
    checkSameBackend('batchNorm', x, t);
  }
  if (!Number.isFinite(momentum)) throw new ValueError('batchNorm', `momentum must be a finite number, got ${momentum}`);
  const axes = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
  let y: Tensor;
  if (training) {
    const n = x.numel() / c;
    if (n <= 1) throw new ValueError('batchNorm', `Expected more than 1 value per channel when training, got input size [${x.shape.join(',')}]`);
    const mean = x.mean(axes, true);
    const centered = x.sub(mean);
    const variance = centered.mul(centered).mean(axes, true);
    y = centered.mul(variance.add(eps).rsqrt());
    noGrad(() => {
      if (runningMean) updateRunning(runningMean, mean, momentum);
      if (runningVar) updateRunning(runningVar, variance.mul(n / (n - 1)), momentum);
    });
  } else {
    if (!runningMean || !runningVar) throw new ValueError('batchNorm', 'runningMean and runningVar are required in eval mode (training = false)');
    y = x.sub(runningMean.reshape(bshape)).mul(runningVar.reshape(bshape).add(eps).rsqrt());
  }
  if (weight) y = y.mul(weight.reshape(bshape));
  if (bias) y = y.add(bias.reshape(bshape));
  return y;
}

/** running ← (1 - momentum) · running + momentum · stat, in place (caller holds noGrad). */
function updateRunning(running: Tensor, stat: Tensor, momentum: number): void {
  const s = stat.detach().reshape([...running.shape]).to(running.dtype);
  running.copy_(running.mul(1 - momentum).add(s.mul(momentum)));
}
