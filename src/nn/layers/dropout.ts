/** Dropout layer (torch.nn.Dropout). */
import { ValueError } from '../../errors.js';
import { dropout } from '../../ops/dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/**
 * During training, zeroes each element with probability `p` and scales the survivors by
 * 1 / (1 - p), drawing the mask from the global generator (seed it with `manualSeed`); in eval
 * mode (`module.eval()`) it returns its input unchanged. Shape: any → same shape.
 *
 * @example
 * ```ts
 * const drop = new nn.Dropout(0.1);
 * const y = drop.forward(x);        // training: ~10% zeros, the rest × 1/0.9
 * drop.eval().forward(x) === x;     // eval: identity
 * ```
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    // Validate at construction, as PyTorch does, rather than at the first training forward.
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ValueError('Dropout', `dropout probability has to be between 0 and 1, but got ${p}`);
    }
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
