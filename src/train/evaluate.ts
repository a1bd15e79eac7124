/**
 * Evaluation over a dataset: the model in eval mode, no gradients, the loss averaged over
 * samples and metrics computed on every prediction at once (so F1 is the F1 of the whole set,
 * not a mean of per-batch F1s).
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import type { Module } from '../nn/index.js';
import { Tensor } from '../tensor/tensor.js';

/** What one evaluation batch gives: its mean loss and/or predictions with their targets. */
export interface EvalBatch<P> {
  /** Mean loss over the batch (a scalar tensor or a number). */
  loss?: Tensor | number;
  /** One prediction per sample (class ids, tag sequences, ratings, …). */
  predictions?: readonly P[];
  /** The matching targets. */
  targets?: readonly P[];
  /** Samples in the batch. Default: `predictions.length`, else the first dimension of the batch's first tensor. */
  size?: number;
}

/** A metric over all predictions and targets of a dataset (higher or lower is better, as named). */
export type Metric<P> = (predictions: P[], targets: P[]) => number;

/**
 * The number of samples in a batch: the first dimension of the first tensor found (depth first), or 1.
 *
 * @example
 * ```ts
 * inferBatchSize([torch.zeros([8, 3]), torch.zeros([8])]); // 8
 * ```
 */
export function inferBatchSize(batch: unknown): number {
  const seen = new Set<unknown>();
  const walk = (v: unknown): number | null => {
    if (v instanceof Tensor) return v.ndim === 0 ? 1 : v.shape[0]!;
    if (typeof v !== 'object' || v === null || seen.has(v)) return null;
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      const n = walk(x);
      if (n !== null) return n;
    }
    return null;
  };
  return walk(batch) ?? 1;
}

function lossValue(loss: Tensor | number): number {
  return typeof loss === 'number' ? loss : loss.item();
}

/**
 * Runs `step` on every batch under `noGrad` with the model in eval mode (its mode is restored
 * afterwards), and returns `loss` (the sample-weighted mean, when batches give one) and each
 * metric by name.
 *
 * @example
 * ```ts
 * const scores = evaluate(model, testLoader, ([x, y]) => {
 *   const logits = model.forward(x);
 *   return { loss: F.crossEntropy(logits, y), predictions: argmaxList(logits), targets: listOf(y) };
 * }, { accuracy });
 * scores.accuracy; // e.g. 0.97
 * ```
 */
export function evaluate<B, P>(model: Module, data: Iterable<B>, step: (batch: B) => EvalBatch<P>, metrics: Record<string, Metric<P>> = {}): Record<string, number> {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let lossSum = 0;
      let lossCount = 0;
      const predictions: P[] = [];
      const targets: P[] = [];
      for (const batch of data) {
        const out = step(batch);
        const size = out.size ?? out.predictions?.length ?? inferBatchSize(batch);
        if (out.loss !== undefined) {
          lossSum += lossValue(out.loss) * size;
          lossCount += size;
        }
        if (out.predictions) predictions.push(...out.predictions);
        if (out.targets) targets.push(...out.targets);
      }
      if (predictions.length !== targets.length) {
        throw new ValueError('evaluate', `got ${predictions.length} predictions but ${targets.length} targets`);
      }
      const result: Record<string, number> = {};
      if (lossCount > 0) result.loss = lossSum / lossCount;
      for (const [name, metric] of Object.entries(metrics)) result[name] = metric(predictions, targets);
      return result;
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * The arg-max class of each row of (N, C) logits, as numbers (a common `predictions` source).
 *
 * @example
 * ```ts
 * argmaxList(torch.tensor([[0.1, 2], [3, -1]])); // [1, 0]
 * ```
 */
export function argmaxList(logits: Tensor): number[] {
  return Array.from(logits.argmax(-1).dataSync());
}
