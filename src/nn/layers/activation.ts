/** Activation layers: thin modules over the functional ops. Shape: any → same shape. */
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return ops.relu(x); }
}

/** GELU; `approximate: 'tanh'` uses the tanh approximation (as torch.nn.GELU). */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return ops.gelu(x, this.approximate); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return ops.tanh(x); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return ops.sigmoid(x); }
}

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return ops.softplus(x, this.beta, this.threshold); }
}

/** max(0, x) + negativeSlope · min(0, x). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return ops.where(x.gt(0), x, x.mul(this.negativeSlope)); }
}

/** Softmax along `dim` (required, as PyTorch recommends). */
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return ops.softmax(x, this.dim); }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return ops.logSoftmax(x, this.dim); }
}

/** Flattens dims startDim … endDim (default 1 … -1, keeping the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return ops.flatten(x, this.startDim, this.endDim); }
}
