/** Linear and Identity layers. */
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defaultLayerInit_ } from '../init.js';
import { checkLastDim, Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface LinearOptions {
  /** Add a learnable bias. Default true. */
  bias?: boolean;
}

/**
 * y = x Wᵀ + b. input: (*, inFeatures) → output: (*, outFeatures).
 * Parameters `weight` (outFeatures, inFeatures) and `bias` (outFeatures), initialised as PyTorch
 * (kaiming_uniform with a = √5, bias U(-1/√fanIn, 1/√fanIn)).
 *
 * @example
 * ```ts
 * const fc = new nn.Linear(20, 30);
 * fc.forward(torch.randn([128, 20])).shape; // [128, 30]
 * ```
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outFeatures])) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }


  forward(x: Tensor): Tensor {
    checkLastDim('Linear', x, this.inFeatures, 'inFeatures');
    const y = x.matmul(this.weight.t());
    return this.bias ? y.add(this.bias) : y;
  }
}

/** Returns its input unchanged (a placeholder layer). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
