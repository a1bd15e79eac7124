/**
 * Padding masks and masked pooling shared by the text classifiers: which tokens are real, and
 * sums, means and maxima over the real tokens only, so padding never changes a result.
 */
import { ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * (N, L) bool, true at real tokens: from `attentionMask` (1/true = real, any dtype) when given,
 * else from `inputIds != paddingIdx`.
 *
 * @example
 * ```ts
 * realTokens(torch.tensor([[5, 7, 0]], { dtype: 'int64' }), null, 0).toArray(); // [[1, 1, 0]]
 * ```
 */
export function realTokens(inputIds: Tensor, attentionMask: Tensor | null | undefined, paddingIdx: number): Tensor {
  if (inputIds.ndim !== 2) throw new ShapeError('TextClassifier', 'inputIds must be (N, L)', [inputIds.shape]);
  if (attentionMask === null || attentionMask === undefined) return inputIds.ne(paddingIdx);
  if (attentionMask.ndim !== 2 || attentionMask.shape[0] !== inputIds.shape[0] || attentionMask.shape[1] !== inputIds.shape[1]) {
    throw new ShapeError('TextClassifier', 'attentionMask must have the shape of inputIds', [attentionMask.shape, inputIds.shape]);
  }
  return attentionMask.dtype === 'bool' ? attentionMask : attentionMask.ne(0);
}

/**
 * Real tokens per row; rows without any count as 1 so means stay finite.
 *
 * @example
 * ```ts
 * lengthsOf(torch.tensor([[true, true, false]])); // [2]
 * ```
 */
export function lengthsOf(real: Tensor): number[] {
  const L = real.shape[1]!;
  const m = real.dataSync();
  return Array.from({ length: real.shape[0]! }, (_, n) => {
    let len = 0;
    for (let t = 0; t < L; t++) if (m[n * L + t]) len++;
    return Math.max(1, len);
  });
}

/**
 * Mean of h (N, L, E) over real tokens → (N, E).
 *
 * @example
 * ```ts
 * maskedMean(h, real).shape; // [N, E]
 * ```
 */
export function maskedMean(h: Tensor, real: Tensor): Tensor {
  const w = real.to(h.dtype).unsqueeze(2);
  return h.mul(w).sum(1).div(w.sum(1).clamp(1));
}

/**
 * Maximum of h (N, L, E) over real tokens → (N, E).
 *
 * @example
 * ```ts
 * maskedMax(h, real).shape; // [N, E]
 * ```
 */
export function maskedMax(h: Tensor, real: Tensor): Tensor {
  return h.maskedFill(real.logicalNot().unsqueeze(2), -Infinity).amax(1);
}
