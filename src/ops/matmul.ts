/** Matrix products with PyTorch's batching, broadcasting and 1-D rules. */
import { record } from '../autograd/node.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, wrap } from './core.js';

/** The primitive: a [...B, M, K] @ b [...B, K, N], identical batch shapes. */
function bmm(a: Tensor, b: Tensor): Tensor {
  const out = wrap(a.backend.matmul(a, b), [...a.shape.slice(0, -1), b.shape[b.ndim - 1]!]);
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? bmm(g, b.transpose(-1, -2)) : null,
    b.requiresGrad ? bmm(a.transpose(-1, -2), g) : null,
  ]);
}

/**
 * Matrix product as torch.matmul:
 * - 1-D @ 1-D: dot product (0-d result);
 * - 2-D @ 2-D: (M, K) @ (K, N) → (M, N);
 * - 1-D operands are promoted to a matrix (a row for the left, a column for the right) and
 *   the added dimension removed from the result;
 * - N-D: batch dimensions (all but the last two) broadcast.
 *
 * @example
 * ```ts
 * matmul(randn([10, 3, 4]), randn([4, 5])).shape; // [10, 3, 5]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError('matmul', 'both arguments need at least 1 dimension', [a.shape, b.shape]);
  if (a.dtype !== b.dtype) throw new DTypeError('matmul', `expected both operands to have the same dtype, got ${a.dtype} and ${b.dtype}`);
  checkSameBackend('matmul', a, b);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  const K = a2.shape[a2.ndim - 1]!;
  if (b2.shape[b2.ndim - 2] !== K) throw new ShapeError('matmul', 'inner dimensions differ', [a.shape, b.shape]);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  } catch (e) {
    // Report the operands' full shapes, not just their batch parts.
    if (e instanceof ShapeError) throw new ShapeError('matmul', 'batch dimensions cannot be broadcast together', [a.shape, b.shape]);
    throw e;
  }
  const ae = a2.expand([...batch, ...a2.shape.slice(-2)]);
  const be = b2.expand([...batch, ...b2.shape.slice(-2)]);
  let out = bmm(ae, be);
  if (a.ndim === 1) out = out.squeeze(-2);
  if (b.ndim === 1) out = out.squeeze(-1);
  return out;
}
