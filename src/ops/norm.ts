/**
 * Normalisation layers' functional forms: layer norm and batch norm. Each is written once as a
 * composite of reductions and elementwise ops (gradients, including the coupling through the
 * mean and variance, from autograd; the reference backend's path and the oracle), and uses the
 * backend's fused kernels (Backend.fused.layerNorm / batchNorm and their backwards) when it has
 * them, with hand-written gradients that fall back to differentiable ops under createGraph.
 */
import { isGradEnabled, noGrad } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import { releaseStorage } from '../tensor/release.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, requireFloat, wrap } from './core.js';

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
  const ns = layerNormShape('layerNorm', x, normalizedShape, weight, bias);
  return fusedLayerNorm(x, ns, weight ?? null, bias ?? null, eps) ?? layerNormComposite(x, ns, weight, bias, eps);
}

/** normalizedShape as an array, after checking it, weight and bias against x (errors name `op`). */
function layerNormShape(op: string, x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null): number[] {
  requireFloat(op, x);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), ns)) {
    throw new ShapeError(op, `normalizedShape must match the trailing dimensions of the input`, [x.shape, ns]);
  }
  for (const [what, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && !shapesEqual(p.shape, ns)) throw new ShapeError(op, `${what} must have shape normalizedShape`, [p.shape, ns]);
    if (p) checkSameBackend(op, x, p);
  }
  return ns;
}

/**
 * Layer norm of a residual sum, `layerNorm(a + b, normalizedShape, weight, bias, eps)`: the
 * post-norm Transformer's `norm(x + sublayer(x))`. Where the backend has the fused kernel
 * (Backend.fused.addLayerNorm) the sum is formed row by row and normalised while in cache, one
 * pass over memory and one op fewer than `add` then `layerNorm`; its gradient for both `a` and
 * `b` is layer norm's input gradient.
 *
 * Shapes: `a` and `b` (*, ...normalizedShape) of one shape (inputs that broadcast, or mixed
 * dtypes, run as `layerNorm(a.add(b), ...)`); `weight` and `bias` exactly `normalizedShape`;
 * the output has the sum's shape.
 *
 * @example
 * ```ts
 * const x = randn([4, 10, 16]);
 * const y = addLayerNorm(x, randn([4, 10, 16]), [16], ones([16]), zeros([16])); // [4, 10, 16]
 * ```
 */
export function addLayerNorm(a: Tensor, b: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkSameBackend('addLayerNorm', a, b);
  if (!shapesEqual(a.shape, b.shape) || a.dtype !== b.dtype) return layerNorm(a.add(b), normalizedShape, weight, bias, eps);
  requireFloat('addLayerNorm', b);
  const ns = layerNormShape('addLayerNorm', a, normalizedShape, weight, bias);
  return fusedAddLayerNorm(a, b, ns, weight ?? null, bias ?? null, eps) ?? layerNormComposite(a.add(b), ns, weight, bias, eps);
}

/** The composite: reductions and elementwise ops, differentiated by autograd. */
function layerNormComposite(x: Tensor, ns: readonly number[], weight: Tensor | null | undefined, bias: Tensor | null | undefined, eps: number): Tensor {
  const k = ns.length;
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = x.sub(x.mean(axes, true));
  const variance = centered.mul(centered).mean(axes, true);
  let y = centered.mul(variance.add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/**
 * Layer norm's gradients written with differentiable tensor ops (the rule the fused backward
 * implements): with x̂ = (x − mean)·rstd and ĝ = g·w,
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dw = Σ g·x̂ and db = Σ g over the leading dims.
 */
function layerNormGrads(x: Tensor, ns: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number, g: Tensor): Tensor[] {
  const k = ns.length;
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const lead = Array.from({ length: x.ndim - k }, (_, i) => i);
  const xc = x.sub(x.mean(axes, true));
  const rstd = xc.mul(xc).mean(axes, true).add(eps).rsqrt();
  const xhat = xc.mul(rstd);
  const gw = weight ? g.mul(weight) : g;
  const dx = rstd.mul(gw.sub(gw.mean(axes, true)).sub(xhat.mul(gw.mul(xhat).mean(axes, true))));
  const out = [dx];
  const overLead = (t: Tensor): Tensor => (lead.length > 0 ? t.sum(lead) : t);
  if (weight) out.push(overLead(g.mul(xhat)));
  if (bias) out.push(overLead(g));
  return out;
}

/**
 * The backend's fused layer norm (Backend.fused.layerNorm) over the flattened trailing dims,
 * with its fused backward; null when the backend has none. When the backward pass is itself
 * recorded (createGraph), the gradients are built from differentiable ops (layerNormGrads).
 */
function fusedLayerNorm(x: Tensor, ns: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor | null {
  const kern = x.backend.fused;
  if (kern?.layerNorm === undefined || x.numel() === 0) return null;
  const D = ns.reduce((a, b) => a * b, 1);
  const R = x.numel() / D;
  const x2 = x.detach().reshape([R, D]);
  const w2 = weight ? weight.detach().reshape([D]) : null;
  const b2 = bias ? bias.detach().reshape([D]) : null;
  const r = kern.layerNorm(x2, w2, b2, eps);
  if (r === null) return null;
  const mean = wrap(r.mean, [R]);
  const rstd = wrap(r.rstd, [R]);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) {
    // No graph: the saved statistics are dead now (freed at once, not at the next GC).
    releaseStorage(mean);
    releaseStorage(rstd);
    return wrap(r.y, x.shape);
  }
  return record(wrap(r.y, x.shape), 'layerNorm', inputs, (g) => {
    if (!isGradEnabled() && kern.layerNormBackward !== undefined && g.dtype === x.dtype) {
      const gb = kern.layerNormBackward(x2, mean, rstd, w2, g.reshape([R, D]), weight?.requiresGrad === true, bias?.requiresGrad === true);
      if (gb !== null) {
        const out = [wrap(gb.dx, x.shape)];
        if (weight) out.push(gb.dweight ? wrap(gb.dweight, weight.shape) : weight.zerosLike());
        if (bias) out.push(gb.dbias ? wrap(gb.dbias, bias.shape) : bias.zerosLike());
        return out;
      }
    }
    return layerNormGrads(x, ns, weight, bias, eps, g);
  }, [mean, rstd]);
}

/** addLayerNorm through Backend.fused.addLayerNorm and layer norm's fused backward; null without it. */
function fusedAddLayerNorm(a: Tensor, b: Tensor, ns: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor | null {
  const kern = a.backend.fused;
  if (kern?.addLayerNorm === undefined || a.numel() === 0) return null;
  const D = ns.reduce((p, q) => p * q, 1);
  const R = a.numel() / D;
  const w2 = weight ? weight.detach().reshape([D]) : null;
  const b2 = bias ? bias.detach().reshape([D]) : null;
  const inputs = [a, b, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const recording = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const r = kern.addLayerNorm(a.detach().reshape([R, D]), b.detach().reshape([R, D]), w2, b2, eps, recording);
  if (r === null) return null;
  const mean = wrap(r.mean, [R]);
  const rstd = wrap(r.rstd, [R]);
  if (!recording || r.sum === null) {
    // No graph: the statistics are dead now (freed at once, not at the next GC).
    releaseStorage(mean);
    releaseStorage(rstd);
    if (r.sum !== null) releaseStorage(wrap(r.sum, [R, D]));
    return wrap(r.y, a.shape);
  }
  const sum = wrap(r.sum, [R, D]);
  return record(wrap(r.y, a.shape), 'addLayerNorm', inputs, (g) => {
    if (!isGradEnabled() && kern.layerNormBackward !== undefined && g.dtype === a.dtype) {
      const gb = kern.layerNormBackward(sum, mean, rstd, w2, g.reshape([R, D]), weight?.requiresGrad === true, bias?.requiresGrad === true);
      if (gb !== null) {
        const ds = wrap(gb.dx, a.shape);
        const out = [ds, ds];
        if (weight) out.push(gb.dweight ? wrap(gb.dweight, weight.shape) : weight.zerosLike());
        if (bias) out.push(gb.dbias ? wrap(gb.dbias, bias.shape) : bias.zerosLike());
        return out;
      }
    }
    // Recorded backward (createGraph): the sum rebuilt from a and b, so it is differentiable.
    const [ds, ...rest] = layerNormGrads(a.add(b), ns, weight, bias, eps, g);
    return [ds!, ds!, ...rest];
  }, [sum, mean, rstd]);
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
 * On a backend with a fused batch norm (wasm) the statistics, the normalisation and the
 * gradients each take one or two passes over x per channel (two-pass mean and variance, never
 * E[x²] − E[x]²); the result matches the composite to rounding.
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
  if (training) {
    const n = x.numel() / c;
    if (n <= 1) throw new ValueError('batchNorm', `Expected more than 1 value per channel when training, got input size [${x.shape.join(',')}]`);
  } else if (!runningMean || !runningVar) {
    throw new ValueError('batchNorm', 'runningMean and runningVar are required in eval mode (training = false)');
  }
  const opts: BatchNormArgs = { runningMean, runningVar, weight: weight ?? null, bias: bias ?? null, training, momentum, eps };
  return fusedBatchNorm(x, opts) ?? batchNormComposite(x, opts);
}

/** batchNorm's arguments once validated (running buffers present in eval mode). */
interface BatchNormArgs {
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly training: boolean;
  readonly momentum: number;
  readonly eps: number;
}

/** Axes batch norm reduces over (all but the channel dim 1) and the shape that broadcasts a [C] tensor against x. */
function bnAxes(x: Tensor): { axes: number[]; bshape: number[] } {
  return {
    axes: [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)],
    bshape: x.shape.map((s, i) => (i === 1 ? s : 1)),
  };
}

/** The composite: reductions and elementwise ops, differentiated by autograd. */
function batchNormComposite(x: Tensor, a: BatchNormArgs): Tensor {
  const { runningMean, runningVar, weight, bias, momentum, eps } = a;
  const { axes, bshape } = bnAxes(x);
  let y: Tensor;
  if (a.training) {
    const n = x.numel() / x.shape[1]!;
    const mean = x.mean(axes, true);
    const centered = x.sub(mean);
    const variance = centered.mul(centered).mean(axes, true);
    y = centered.mul(variance.add(eps).rsqrt());
    noGrad(() => {
      if (runningMean) updateRunning(runningMean, mean, momentum);
      if (runningVar) updateRunning(runningVar, variance.mul(n / (n - 1)), momentum);
    });
  } else {
    y = x.sub(runningMean!.reshape(bshape)).mul(runningVar!.reshape(bshape).add(eps).rsqrt());
  }
  if (weight) y = y.mul(weight.reshape(bshape));
  if (bias) y = y.add(bias.reshape(bshape));
  return y;
}

/**
 * Batch norm's gradients written with differentiable tensor ops (the rule the fused backward
 * implements), for a backward pass that is itself recorded (createGraph). Training, with
 * x̂ = (x − mean)·rstd over the batch statistics and ĝ = g·w:
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); eval (`stats` = the running mean and rstd the forward
 * used, constants): dx = ĝ·rstd. dw = Σ g·x̂ and db = Σ g over every dim but the channel's.
 */
function batchNormGrads(x: Tensor, weight: Tensor | null, bias: Tensor | null, stats: { mean: Tensor; rstd: Tensor } | null, eps: number, g: Tensor): Tensor[] {
  const { axes, bshape } = bnAxes(x);
  let xhat: Tensor;
  let rstd: Tensor;
  if (stats === null) {
    const xc = x.sub(x.mean(axes, true));
    rstd = xc.mul(xc).mean(axes, true).add(eps).rsqrt();
    xhat = xc.mul(rstd);
  } else {
    rstd = stats.rstd.reshape(bshape);
    xhat = x.sub(stats.mean.reshape(bshape)).mul(rstd);
  }
  const gw = weight ? g.mul(weight.reshape(bshape)) : g;
  const dx = stats === null ? rstd.mul(gw.sub(gw.mean(axes, true)).sub(xhat.mul(gw.mul(xhat).mean(axes, true)))) : gw.mul(rstd);
  const out = [dx];
  if (weight) out.push(g.mul(xhat).sum(axes).reshape([...weight.shape]));
  if (bias) out.push(g.sum(axes).reshape([...bias.shape]));
  return out;
}

/**
 * The backend's fused batch norm (Backend.fused.batchNorm) over x viewed as [N, C, S], with its
 * fused backward; null when the backend has none. The running buffers are updated from the
 * kernel's mean and variance ([C] tensors, no further pass over x). When the backward pass is
 * itself recorded (createGraph), the gradients are built from differentiable ops
 * (batchNormGrads).
 */
function fusedBatchNorm(x: Tensor, a: BatchNormArgs): Tensor | null {
  const kern = x.backend.fused;
  if (kern?.batchNorm === undefined || x.numel() === 0) return null;
  const { runningMean, runningVar, weight, bias, training, momentum, eps } = a;
  // Running buffers that require grad (unusual) get their gradient from the composite in eval.
  if (!training && (runningMean!.requiresGrad || runningVar!.requiresGrad)) return null;
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  const S = x.numel() / (N * C);
  const x3 = x.detach().reshape([N, C, S]);
  const flat = (t: Tensor | null): Tensor | null => (t ? t.detach().reshape([C]) : null);
  const w1 = flat(weight);
  const running = training ? null : { mean: flat(runningMean)!, var: flat(runningVar)! };
  const r = kern.batchNorm(x3, w1, flat(bias), running, eps);
  if (r === null) return null;
  const mean = wrap(r.mean, [C]);
  const rstd = wrap(r.rstd, [C]);
  if (training) {
    const n = N * S;
    noGrad(() => {
      if (runningMean) updateRunning(runningMean, mean, momentum);
      if (runningVar) updateRunning(runningVar, wrap(r.var, [C]).mul(n / (n - 1)), momentum);
    });
  }
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(wrap(r.y, x.shape), 'batchNorm', inputs, (g) => {
    if (!isGradEnabled() && kern.batchNormBackward !== undefined && g.dtype === x.dtype) {
      const want = { input: x.requiresGrad, weight: weight?.requiresGrad === true, bias: bias?.requiresGrad === true };
      const gb = kern.batchNormBackward(x3, mean, rstd, w1, g.reshape([N, C, S]), training, want);
      if (gb !== null) {
        const out = [gb.dx ? wrap(gb.dx, x.shape) : null];
        if (weight) out.push(gb.dweight ? wrap(gb.dweight, weight.shape) : null);
        if (bias) out.push(gb.dbias ? wrap(gb.dbias, bias.shape) : null);
        return out;
      }
    }
    return batchNormGrads(x, weight, bias, training ? null : { mean, rstd }, eps, g);
  });
}

/** running ← (1 - momentum) · running + momentum · stat, in place (caller holds noGrad). */
function updateRunning(running: Tensor, stat: Tensor, momentum: number): void {
  const s = stat.detach().reshape([...running.shape]).to(running.dtype);
  running.copy_(running.mul(1 - momentum).add(s.mul(momentum)));
}
