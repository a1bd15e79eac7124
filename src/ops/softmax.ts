/** softmax and logSoftmax, stabilised by subtracting the (detached) maximum along `dim`. */
import { Tensor } from '../tensor/tensor.js';
import { normDim, requireFloat } from './core.js';
import { where } from './elementwise.js';

function shifted(op: string, x: Tensor, dim: number): Tensor {
  requireFloat(op, x);
  normDim(op, dim, x.ndim); // an invalid dim names this op, not the amax inside it
  const m = x.amax(dim, true).detach();
  return x.sub(where(m.abs().eq(Infinity), 0, m));
}

/** exp(x) / sum(exp(x)) along `dim`. Shape unchanged. */
export function softmax(x: Tensor, dim: number): Tensor {
  const e = shifted('softmax', x, dim).exp();
  return e.div(e.sum(dim, true));
}

/** x - logsumexp(x) along `dim`, computed stably. Shape unchanged. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const s = shifted('logSoftmax', x, dim);
  return s.sub(s.exp().sum(dim, true).log());
}
