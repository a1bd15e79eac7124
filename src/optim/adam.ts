/** Adam and AdamW (torch.optim.Adam / AdamW), sharing one update in PyTorch 1.13's order. */
import type { Tensor } from '../tensor/tensor.js';
import { check, Optimizer, type Params } from './optimizer.js';

export interface AdamOptions {
  /** Default 1e-3. */
  lr: number;
  /** Decay rates of the first and second moment averages. Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay p ← p·(1 − lr·wd) (default 0.01). */
  weightDecay: number;
  /** Use the maximum of past second moments (AMSGrad). Default false. */
  amsgrad: boolean;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** Adam's per-parameter state, with PyTorch's key names. */
export type AdamState = { step: number; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor };

function validateAdam(name: string, o: AdamOptions): void {
  check(name, o.lr >= 0, 'learning rate', o.lr);
  check(name, o.eps >= 0, 'epsilon value', o.eps);
  check(name, Array.isArray(o.betas) && o.betas.length === 2, 'betas (expected [beta1, beta2])', o.betas);
  check(name, o.betas[0] >= 0 && o.betas[0] < 1, 'beta parameter at index 0', o.betas[0]);
  check(name, o.betas[1] >= 0 && o.betas[1] < 1, 'beta parameter at index 1', o.betas[1]);
  check(name, o.weightDecay >= 0, 'weightDecay value', o.weightDecay);
}

/** The shared step; `decoupled` selects AdamW's decay of the parameter instead of the gradient. */
function adamUpdate(p: Tensor, grad: Tensor, o: AdamOptions, s: AdamState, decoupled: boolean): void {
  const [beta1, beta2] = o.betas;
  const fused = p.backend.fused?.adam;
  if (fused !== undefined && grad.backend === p.backend) {
    const vmax = o.amsgrad ? (s.max_exp_avg_sq ??= p.zerosLike()) : null;
    const h = { lr: o.lr, beta1, beta2, eps: o.eps, weightDecay: o.weightDecay, decoupled, maximize: o.maximize, step: s.step + 1 };
    // One pass over the parameter, bit-identical to the ops below (kernels/adam.ts).
    if (fused(p, grad, s.exp_avg, s.exp_avg_sq, vmax, h)) {
      s.step += 1;
      for (const t of vmax ? [p, s.exp_avg, s.exp_avg_sq, vmax] : [p, s.exp_avg, s.exp_avg_sq]) t._bumpVersion();
      return;
    }
  }
  let g = o.maximize ? grad.neg() : grad;
  s.step += 1;
  if (decoupled) p.mul_(1 - o.lr * o.weightDecay);
  else if (o.weightDecay !== 0) g = g.add(p, o.weightDecay);
  s.exp_avg.mul_(beta1).add_(g, 1 - beta1);
  // addcmul_(g, g, value): PyTorch's kernel computes (value·g)·g.
  s.exp_avg_sq.mul_(beta2).add_(g.mul(1 - beta2).mul(g));
  const biasCorrection1 = 1 - beta1 ** s.step;
  const biasCorrection2 = 1 - beta2 ** s.step;
  const stepSize = o.lr / biasCorrection1;
  let second = s.exp_avg_sq;
  if (o.amsgrad) {
    const max = s.max_exp_avg_sq ?? p.zerosLike();
    s.max_exp_avg_sq = max.copy_(max.maximum(s.exp_avg_sq));
    second = s.max_exp_avg_sq;
  }
  const denom = second.sqrt().div(Math.sqrt(biasCorrection2)).add(o.eps);
  // addcdiv_(m, denom, value): PyTorch's kernel computes (value·m)/denom.
  p.add_(s.exp_avg.mul(-stepSize).div(denom));
}

function adamState(p: Tensor, o: AdamOptions): AdamState {
  const s: AdamState = { step: 0, exp_avg: p.zerosLike(), exp_avg_sq: p.zerosLike() };
  if (o.amsgrad) s.max_exp_avg_sq = p.zerosLike();
  return s;
}

function adamRequired(o: AdamOptions): readonly string[] {
  return o.amsgrad ? ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['step', 'exp_avg', 'exp_avg_sq'];
}

/**
 * Adam (Kingma & Ba) as torch.optim.Adam in PyTorch 1.13: the gradient (negated when
 * maximizing, plus weightDecay·p) updates the moment averages m and v; then
 * p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps), with v replaced by its running maximum
 * under AMSGrad.
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.98] });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options });
  }

  protected validate(o: AdamOptions): void { validateAdam('Adam', o); }

  protected initState(p: Tensor, o: AdamOptions): AdamState { return adamState(p, o); }
  protected requiredState(o: AdamOptions): readonly string[] { return adamRequired(o); }
  protected update(p: Tensor, grad: Tensor, o: AdamOptions, s: AdamState): void { adamUpdate(p, grad, o, s, false); }
}

/**
 * AdamW (Loshchilov & Hutter) as torch.optim.AdamW in PyTorch 1.13: Adam with the weight decay
 * decoupled from the gradient: each step first scales p by (1 − lr·weightDecay). The default
 * weightDecay is 0.01.
 *
 * @example
 * ```ts
 * const opt = new optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class AdamW extends Optimizer<AdamOptions, AdamState> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options });
  }

  protected validate(o: AdamOptions): void { validateAdam('AdamW', o); }

  protected initState(p: Tensor, o: AdamOptions): AdamState { return adamState(p, o); }
  protected requiredState(o: AdamOptions): readonly string[] { return adamRequired(o); }
  protected update(p: Tensor, grad: Tensor, o: AdamOptions, s: AdamState): void { adamUpdate(p, grad, o, s, true); }
}
