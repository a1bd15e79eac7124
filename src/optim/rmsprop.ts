/** RMSprop (torch.optim.RMSprop), in PyTorch 1.13's order of operations. */
import type { Tensor } from '../tensor/tensor.js';
import { check, Optimizer, type Params } from './optimizer.js';

export interface RMSpropOptions {
  /** Default 1e-2. */
  lr: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor. Default 0. */
  momentum: number;
  /** Normalise by the estimated variance (subtract the squared mean gradient). Default false. */
  centered: boolean;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** RMSprop's per-parameter state, with PyTorch's key names. */
export type RMSpropState = { step: number; square_avg: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor };

function validateRMSprop(o: RMSpropOptions): void {
  check('RMSprop', o.lr >= 0, 'learning rate', o.lr);
  check('RMSprop', o.eps >= 0, 'epsilon value', o.eps);
  check('RMSprop', o.momentum >= 0, 'momentum value', o.momentum);
  check('RMSprop', o.weightDecay >= 0, 'weightDecay value', o.weightDecay);
  check('RMSprop', o.alpha >= 0, 'alpha value', o.alpha);
}

/**
 * RMSprop as torch.optim.RMSprop in PyTorch 1.13: v ← α·v + (1 − α)·g²; the denominator is
 * √v + eps, or √(v − ḡ²) + eps when centered (ḡ the running mean gradient); with momentum
 * b ← momentum·b + g/denominator and p ← p − lr·b, otherwise p ← p − lr·g/denominator.
 *
 * @example
 * ```ts
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, centered: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...options });
  }

  protected validate(o: RMSpropOptions): void { validateRMSprop(o); }

  protected initState(p: Tensor, o: RMSpropOptions): RMSpropState {
    const s: RMSpropState = { step: 0, square_avg: p.zerosLike() };
    if (o.momentum > 0) s.momentum_buffer = p.zerosLike();
    if (o.centered) s.grad_avg = p.zerosLike();
    return s;
  }

  protected requiredState(o: RMSpropOptions): readonly string[] {
    return ['step', 'square_avg', ...(o.momentum > 0 ? ['momentum_buffer'] : []), ...(o.centered ? ['grad_avg'] : [])];
  }

  protected update(p: Tensor, grad: Tensor, o: RMSpropOptions, s: RMSpropState): void {
    s.step += 1;
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(p, o.weightDecay);
    // addcmul_(g, g, value): PyTorch's kernel computes (value·g)·g.
    s.square_avg.mul_(o.alpha).add_(g.mul(1 - o.alpha).mul(g));
    let avg: Tensor;
    if (o.centered) {
      // Created here too: a scheduler or loadStateDict may turn options on after the state exists.
      const gAvg = (s.grad_avg ??= p.zerosLike()).mul_(o.alpha).add_(g, 1 - o.alpha);
      avg = s.square_avg.add(gAvg.mul(-1).mul(gAvg)).sqrt();
    } else {
      avg = s.square_avg.sqrt();
    }
    avg = avg.add(o.eps);
    if (o.momentum > 0) {
      const buf = (s.momentum_buffer ??= p.zerosLike()).mul_(o.momentum).add_(g.div(avg));
      p.add_(buf, -o.lr);
    } else {
      p.add_(g.mul(-o.lr).div(avg));
    }
  }
}
