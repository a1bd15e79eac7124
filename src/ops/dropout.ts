/** Dropout: random zeroing with inverted scaling, drawn from the seeded generator. */
import { ValueError } from '../errors.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './core.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Generator for the mask. Default: the global one seeded by `manualSeed`. */
  generator?: Generator;
}

/**
 * Inverted dropout, as `torch.nn.functional.dropout`: each element is zeroed with probability
 * `p` and the survivors are scaled by 1 / (1 - p), so the expected value is unchanged and eval
 * mode needs no rescaling. The identity (the input itself) when `training` is false or `p` is 0;
 * zeros when `p` is 1.
 *
 * The mask draws one float32 uniform per element, in row-major order, from the generator, so
 * `manualSeed(s)` makes it reproducible (it is not the same stream as torch's dropout mask).
 * The gradient is the mask times 1 / (1 - p).
 *
 * Shapes: any input; the output has the same shape and dtype.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const y = dropout(ones([2, 4]), 0.5); // entries are 0 or 2
 * dropout(y, 0.5, false) === y;          // eval mode: identity
 * ```
 */
export function dropout(x: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new ValueError('dropout', `dropout probability has to be between 0 and 1, but got ${p}`);
  }
  requireFloat('dropout', x);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const g = opts.generator ?? defaultGenerator;
  const keep = 1 - p;
  const scale = 1 / keep;
  const n = x.numel();
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) mask[i] = g.nextFloat32() < keep ? scale : 0;
  return x.mul(new Tensor(x.backend.fromArray(x.dtype, mask), [...x.shape]));
}
