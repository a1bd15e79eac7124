/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (as torch.optim.SGD). */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type Params } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
}

/**
 * SGD, updating each parameter p with gradient g as PyTorch does:
 * g ← g + weightDecay·p; b ← momentum·b + (1 − dampening)·g (b = g on the first step);
 * g ← nesterov ? g + momentum·b : b; p ← p − lr·g.
 *
 * @example
 * ```ts
 * const opt = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  private readonly momentumBuffers = new Map<Tensor, Tensor>();

  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    const o: SGDOptions = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    if (!(o.lr >= 0)) throw new ValueError('SGD', `invalid learning rate ${o.lr}`);
    if (!(o.momentum >= 0)) throw new ValueError('SGD', `invalid momentum ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new ValueError('SGD', `invalid weightDecay ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ValueError('SGD', 'Nesterov momentum requires a momentum and zero dampening');
    super(params, o, 'SGD');
  }

  step(): void {
    noGrad(() => {
      for (const { params, options: o } of this.paramGroups) {
        for (const p of params) {
          if (p.grad === null) continue;
          let g = o.maximize ? p.grad.neg() : p.grad;
          if (o.weightDecay !== 0) g = g.add(p, o.weightDecay);
          if (o.momentum !== 0) {
            const prev = this.momentumBuffers.get(p);
            const buf = prev === undefined ? g.clone() : prev.mul_(o.momentum).add_(g, 1 - o.dampening);
            this.momentumBuffers.set(p, buf);
            g = o.nesterov ? g.add(buf, o.momentum) : buf;
          }
          p.sub_(g, o.lr);
        }
      }
    });
  }
}
