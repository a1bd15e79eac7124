/**
 * Loss modules: the functional losses with their options fixed at construction, as
 * torch.nn.CrossEntropyLoss and friends. forward(input, target) → scalar (or per-element with
 * reduction 'none'); shapes are those of the functional form.
 */
import * as F from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

abstract class Loss<O> extends Module {
  constructor(readonly options: O) { super(); }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/**
 * Cross entropy over logits (N, C) or (N, C, d1, …) with class indices (N) / (N, d1, …) or
 * class probabilities of the input's shape.
 *
 * @example
 * ```ts
 * const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = lossFn.forward(logits, labels); // logits (32, 10), labels int64 (32)
 * ```
 */
export class CrossEntropyLoss extends Loss<F.CrossEntropyOptions> {
  constructor(opts: F.CrossEntropyOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this.options); }
}

/** Negative log-likelihood over log-probabilities (N, C) with class indices (N). */
export class NLLLoss extends Loss<F.NllLossOptions> {
  constructor(opts: F.NllLossOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this.options); }
}

/** Mean squared error; input and target shapes must be equal. */
export class MSELoss extends Loss<F.LossOptions> {
  constructor(opts: F.LossOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this.options); }
}

export class L1Loss extends Loss<F.LossOptions> {
  constructor(opts: F.LossOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this.options); }
}

export class SmoothL1Loss extends Loss<F.LossOptions & { beta?: number }> {
  constructor(opts: F.LossOptions & { beta?: number } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, this.options); }
}

export class HuberLoss extends Loss<F.LossOptions & { delta?: number }> {
  constructor(opts: F.LossOptions & { delta?: number } = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, this.options); }
}

/** Binary cross entropy over probabilities in [0, 1]. */
export class BCELoss extends Loss<F.BCEOptions> {
  constructor(opts: F.BCEOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropy(input, target, this.options); }
}

/** Sigmoid + binary cross entropy in one numerically stable step (with optional posWeight). */
export class BCEWithLogitsLoss extends Loss<F.BCEWithLogitsOptions> {
  constructor(opts: F.BCEWithLogitsOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropyWithLogits(input, target, this.options); }
}

/** KL divergence with log-probability input (reduction 'batchmean' gives the true KL). */
export class KLDivLoss extends Loss<F.KLDivOptions> {
  constructor(opts: F.KLDivOptions = {}) { super(opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, this.options); }
}
