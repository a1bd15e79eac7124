/** Dropout: random zeroing with inverted scaling, drawn from the seeded generator. */
import { isGradEnabled } from '../autograd/mode.js';
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
 * and gives bit-identical outputs and gradients, in one pass instead of a JavaScript loop. When
 * the input needs a gradient it keeps the mask as bits (n / 8 bytes: 128 KiB per million
 * elements, Backend.fused.dropoutBits) and backward multiplies by them (dropoutApply) instead of
 * redrawing the mask; the generator state it started from (2.5 KB) is kept too, for a backward
 * that is itself recorded (createGraph), which redraws the mask as a tensor.
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
  const bitsPath = x.requiresGrad && isGradEnabled() ? dropoutWithBits(x, g, keep, scale) : null;
  if (bitsPath !== null) return bitsPath;
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

/**
 * The fused forward that keeps its mask as bits (Backend.fused.dropoutBits), recorded with a
 * backward that multiplies by those bits (fused.dropoutApply): no words are redrawn. Also keeps
 * the generator state it started from (2.5 KB), for a backward that must itself be
 * differentiable (createGraph) or that the kernel declines: those redraw the mask as a tensor.
 * Null when the backend has no such kernel or declines x.
 */
function dropoutWithBits(x: Tensor, g: Generator, keep: number, scale: number): Tensor | null {
  const k = x.backend.fused;
  if (k?.dropoutBits === undefined) return null;
  let res: { out: Storage; bits: Storage; mti: number } | null = null;
  let before: { mt: Uint32Array; mti: number } | null = null;
  g.drawRaw((state) => {
    before = { mt: state.mt.slice(), mti: state.mti };
    res = k.dropoutBits!(x, keep, scale, state);
    return res === null ? state.mti : res.mti;
  });
  const r = res as { out: Storage; bits: Storage; mti: number } | null;
  if (r === null) return null;
  const saved = before as unknown as { mt: Uint32Array; mti: number };
  // The bits as a tensor the node owns: freed when the graph is released after backward.
  const bits = wrap(r.bits, [r.bits.size]);
  return record(wrap(r.out, x.shape), 'dropout', [x], (grad) => {
    if (!isGradEnabled() && grad.dtype === x.dtype && k.dropoutApply !== undefined) {
      const out = k.dropoutApply(grad, bits.storage, scale);
      if (out !== null) return [wrap(out, x.shape)];
    }
    return [grad.mul(regenerateMask(saved, x, keep, scale))];
  }, [bits]);
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
