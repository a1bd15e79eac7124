/**
 * torch.nn.functional: the stateless forms of layers and losses.
 *
 * @example
 * ```ts
 * import { nn } from 'tsorch';
 * const F = nn.functional;
 * const loss = F.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * ```
 */
export {
  relu, gelu, sigmoid, tanh, softplus, softmax, logSoftmax, embedding, dropout, layerNorm, batchNorm,
  conv1d, conv2d, maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, unfold,
  nllLoss, crossEntropy, mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv,
  type DropoutOptions, type Reduction, type LossOptions, type NllLossOptions, type CrossEntropyOptions,
  type BCEOptions, type BCEWithLogitsOptions, type KLDivOptions,
} from '../ops/index.js';
export { linear } from '../ops/linear.js';
export { pad } from './pad.js';
