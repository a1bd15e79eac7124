/**
 * Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), computed with tensor ops
 * in the gradients' dtype so the result and the scaled gradients match PyTorch's.
 */
import { noGrad } from '../autograd/mode.js';
import { TsorchError, ValueError } from '../errors.js';
import { div, stack } from '../ops/index.js';
import { Tensor } from '../tensor/tensor.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

function grads(params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  return list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}

/** The p-norm of all elements of `g` (p = Infinity: the largest magnitude). */
function norm(g: Tensor, p: number): Tensor {
  if (p === Infinity) return g.abs().max();
  if (p === 2) return g.mul(g).sum().sqrt();
  if (p === 1) return g.abs().sum();
  return g.abs().pow(p).sum().pow(1 / p);
}

/**
 * Scales the gradients of `params` in place so that their total `normType`-norm (all
 * gradients taken as one vector) is at most `maxNorm`, and returns that total norm before
 * clipping. As PyTorch, the scale is maxNorm / (norm + 1e-6), capped at 1; parameters without a
 * gradient are skipped, and with no gradients at all the norm is 0.
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = optim.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 * ```
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, opts: ClipGradNormOptions = {}): number {
  if (!(normType > 0)) throw new ValueError('clipGradNorm_', `normType must be positive or Infinity, got ${normType}`);
  // PyTorch accepts a negative maxNorm and silently flips the gradients; that is never intended.
  if (!(maxNorm >= 0)) throw new ValueError('clipGradNorm_', `maxNorm must be non-negative, got ${maxNorm}`);
  const gs = grads(params);
  if (gs.length === 0) return 0;
  return noGrad(() => {
    const norms = gs.map((g) => norm(g.detach(), normType));
    // As PyTorch: a lone inf-norm is used as is; p-norms are always re-normed over the stack.
    const total = normType === Infinity ? (norms.length === 1 ? norms[0]! : stack(norms).max()) : norm(stack(norms), normType);
    const value = total.item();
    if (opts.errorIfNonfinite && !Number.isFinite(value)) {
      throw new TsorchError('clipGradNorm_', `the total norm of order ${normType} of the gradients is ${value}, so it cannot be clipped; pass { errorIfNonfinite: false } to scale by it anyway`);
    }
    const coef = div(maxNorm, total.add(1e-6)).clamp(null, 1);
    for (const g of gs) g.mul_(coef);
    return value;
  });
}

/**
 * Clamps every gradient of `params` in place to [−clipValue, clipValue].
 *
 * @example
 * ```ts
 * loss.backward();
 * optim.clipGradValue_(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError('clipGradValue_', `clipValue must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const g of grads(params)) g.clamp_(-clipValue, clipValue);
  });
}
