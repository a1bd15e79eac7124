/** Linear, Bilinear and Identity layers. */
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/linear.js';
import { defaultLayerInit_, uniform_ } from '../init.js';
import { ShapeError } from '../../errors.js';
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
    return linear(x, this.weight, this.bias);
  }
}

/** Returns its input unchanged (a placeholder layer). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * y = x1ᵀ A x2 + b. input1: (*, in1Features), input2: (*, in2Features) → (*, outFeatures).
 * `weight` (outFeatures, in1Features, in2Features) and `bias` (outFeatures), both U(±1/√in1),
 * as torch.nn.Bilinear.
 *
 * @example
 * ```ts
 * const bil = new nn.Bilinear(20, 30, 40);
 * bil.forward(torch.randn([128, 20]), torch.randn([128, 30])).shape; // [128, 40]
 * ```
 */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.weight = new Parameter(zeros([outFeatures, in1Features, in2Features]));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outFeatures])) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    checkLastDim('Bilinear', x1, this.in1Features, 'in1Features');
    checkLastDim('Bilinear', x2, this.in2Features, 'in2Features');
    const lead = x1.shape.slice(0, -1);
    if (lead.join() !== x2.shape.slice(0, -1).join()) throw new ShapeError('Bilinear', 'inputs must agree in all but the last dimension', [x1.shape, x2.shape]);
    const a = x1.reshape([-1, this.in1Features]);
    const b = x2.reshape([-1, this.in2Features]);
    // (out, N, in2) = a @ W[o] for every o, then a row-wise dot with b.
    const y = a.unsqueeze(0).matmul(this.weight).mul(b.unsqueeze(0)).sum(-1).t();
    const out = this.bias ? y.add(this.bias) : y;
    return out.reshape([...lead, this.outFeatures]);
  }
}
