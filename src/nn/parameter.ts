/** Parameter: a leaf tensor that a Module registers as trainable (like torch.nn.Parameter). */
import { Tensor } from '../tensor/tensor.js';

export class Parameter extends Tensor {
  /**
   * Wraps `data` (sharing its storage) as a leaf that requires grad unless `requiresGrad` is false.
   *
   * @example
   * ```ts
   * this.weight = new Parameter(torch.randn([out, inp]));
   * ```
   */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    if (requiresGrad) this.requiresGrad_(true);
  }
}
