/** Dropout: random zeroing with inverted scaling, drawn from the seeded generator. */
import { record } from '../autograd/node.js';
import type { Storage } from '../backend/types.js';
import { ValueError } from '../errors.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { requireFloat, wrap } from './core.js';

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
 * A backend with a fused dropout kernel (wasm) draws the same words from the same generator
 * and gives bit-identical outputs and gradients, in one pass instead of a JavaScript loop; it
 * keeps the generator state (2.5 KB) instead of the mask and redraws the mask in backward.
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
  const fused = x.backend.fused?.dropout;
  if (fused) {
    let res: { out: Storage; mti: number } | null = null;
    let before: { mt: Uint32Array; mti: number } | null = null;
    g.drawRaw((state) => {
      // The state before drawing: backward regenerates the mask from it instead of storing it.
      if (x.requiresGrad) before = { mt: state.mt.slice(), mti: state.mti };
      res = fused(x, keep, scale, state);
      return res === null ? state.mti : res.mti;
    });
    if (res !== null) {
      const saved = before as { mt: Uint32Array; mti: number } | null;
      const out = wrap((res as { out: Storage }).out, x.shape);
      if (saved === null) return out;
      return record(out, 'dropout', [x], (grad) => {
        const again = grad.dtype === x.dtype ? fused(grad, keep, scale, { mt: saved.mt.slice(), mti: saved.mti }) : null;
        return [again !== null ? wrap(again.out, x.shape) : grad.mul(regenerateMask(saved, x, keep, scale))];
      });
    }
  }
  return x.mul(drawMask(g, x, keep, scale));
}

/** The mask in JavaScript: one float32 uniform per element, row-major, scale where it is below keep. */
function drawMask(g: Generator, x: Tensor, keep: number, scale: number): Tensor {
  const n = x.numel();
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) mask[i] = g.nextFloat32() < keep ? scale : 0;
  return new Tensor(x.backend.fromArray(x.dtype, mask), [...x.shape]);
}

/** The mask a fused forward drew from `saved`, redrawn in JavaScript (when the fused kernel declines the gradient). */
function regenerateMask(saved: { mt: Uint32Array; mti: number }, x: Tensor, keep: number, scale: number): Tensor {
  const g = new Generator();
  g.setState({ mt: Array.from(saved.mt), mti: saved.mti, seed: 0, cachedNormal: null });
  return drawMask(g, x, keep, scale);
}
