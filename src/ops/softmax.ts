/**
 * softmax and logSoftmax, stabilised by subtracting the (detached) maximum along `dim`.
 *
 * Over the last dimension a backend's fused kernel (Backend.fused.softmax) replaces the
 * five-kernel composite, with a fused backward too; when a backward pass is itself recorded
 * (createGraph), the backward is written with differentiable tensor ops instead.
 */
import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/mode.js';
import { Tensor } from '../tensor/tensor.js';
import { normDim, requireFloat, wrap } from './core.js';
import { where } from './elementwise.js';

function shifted(x: Tensor, dim: number): Tensor {
  const m = x.amax(dim, true).detach();
  return x.sub(where(m.abs().eq(Infinity), 0, m));
}

/** The fused kernel's result over the last dim, recorded with its backward; null when the backend has none. */
function fused(op: string, x: Tensor, dim: number, log: boolean): Tensor | null {
  const k = x.backend.fused;
  if (k?.softmax === undefined || dim !== x.ndim - 1) return null;
  const s = k.softmax(x, log);
  if (s === null) return null;
  const y = wrap(s, x.shape);
  return record(y, op, [x], (g) => {
    if (!isGradEnabled() && k.softmaxBackward !== undefined && g.dtype === y.dtype) {
      const gs = k.softmaxBackward(y, g, log);
      if (gs !== null) return [wrap(gs, x.shape)];
    }
    // Differentiable form (also the rule the fused backward implements).
    return log ? [g.sub(y.exp().mul(g.sum(dim, true)))] : [y.mul(g.sub(g.mul(y).sum(dim, true)))];
  });
}

/** exp(x) / sum(exp(x)) along `dim`. Shape unchanged. */
export function softmax(x: Tensor, dim: number): Tensor {
  requireFloat('softmax', x);
  const d = normDim('softmax', dim, x.ndim); // an invalid dim names this op, not the amax inside it
  const f = fused('softmax', x, d, false);
  if (f !== null) return f;
  const e = shifted(x, dim).exp();
  return e.div(e.sum(dim, true));
}

/** x - logsumexp(x) along `dim`, computed stably. Shape unchanged. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  requireFloat('logSoftmax', x);
  const d = normDim('logSoftmax', dim, x.ndim);
  const f = fused('logSoftmax', x, d, true);
  if (f !== null) return f;
  const s = shifted(x, dim);
  return s.sub(s.exp().sum(dim, true).log());
}
