/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (as torch.optim.SGD). */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { check, Optimizer, type Params } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  /** Momentum factor. Default 0. */
  momentum: number;
  /** Dampening for momentum. Default 0. */
  dampening: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov: boolean;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** SGD's per-parameter state: the momentum buffer, created on the first step with momentum. */
export type SGDState = { momentum_buffer?: Tensor };

function validateSGD(o: SGDOptions): void {
  check('SGD', o.lr >= 0, 'learning rate', o.lr);
  check('SGD', o.momentum >= 0, 'momentum value', o.momentum);
  check('SGD', Number.isFinite(o.dampening), 'dampening value', o.dampening);
  check('SGD', o.weightDecay >= 0, 'weightDecay value', o.weightDecay);
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    throw new ValueError('SGD', `Nesterov momentum requires a momentum and zero dampening, got momentum ${o.momentum} and dampening ${o.dampening}`);
  }
}

/**
 * SGD, updating each parameter p with gradient g in PyTorch 1.13's order:
 * g ← ±g (maximize); g ← g + weightDecay·p; b ← momentum·b + (1 − dampening)·g (b = g on the
 * first step); g ← nesterov ? g + momentum·b : b; p ← p − lr·g.
 *
 * @example
 * ```ts
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }

  protected validate(o: SGDOptions): void { validateSGD(o); }

  protected initState(): SGDState {
    return {};
  }

  /** Nothing: a missing momentum buffer just means the next step is the first with momentum. */
  protected requiredState(): readonly string[] {
    return [];
  }

  protected update(p: Tensor, grad: Tensor, o: SGDOptions, s: SGDState): void {
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(p, o.weightDecay);
    if (o.momentum !== 0) {
      // The first buffer is a copy of the gradient, not zeros: no dampening on step one.
      const buf = s.momentum_buffer === undefined ? g.clone() : s.momentum_buffer.mul_(o.momentum).add_(g, 1 - o.dampening);
      s.momentum_buffer = buf;
      g = o.nesterov ? g.add(buf, o.momentum) : buf;
    }
    p.add_(g, -o.lr);
  }
}
