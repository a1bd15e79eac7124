/** torch.nn.functional.pad for constant padding. */
import { ValueError } from '../errors.js';
import { constantPadNd } from '../ops/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Pads with a constant. `pad` lists (before, after) pairs starting from the LAST dimension, as
 * PyTorch: `pad(x, [1, 1])` pads the last dim by one on each side; `[l, r, t, b]` pads the last
 * two. Only mode 'constant' is supported.
 *
 * @example
 * ```ts
 * pad(torch.ones([2, 3]), [1, 2]).shape; // [2, 6]
 * ```
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ValueError('pad', `padding must hold (before, after) pairs for at most ${x.ndim} dimensions, got [${padding.join(',')}]`);
  }
  const perDim = new Array<number>(2 * x.ndim).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    perDim[2 * d] = padding[2 * i]!;
    perDim[2 * d + 1] = padding[2 * i + 1]!;
  }
  return constantPadNd(x, perDim, value);
}
