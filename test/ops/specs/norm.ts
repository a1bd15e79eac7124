/** Spec table for normalisation ops; fixture cases in scripts/fixtures/norm.py. */
import type { Tensor } from '../../../src/index.js';
import { batchNorm, layerNorm } from '../../../src/ops/index.js';
import { kw, type OpSpec } from '../../helpers/harness.js';

type Args = Record<string, unknown>;

/** Training mode updates the buffers in place: clone them per call so repeated runs (float32, finite differences) start alike. */
function bnTrain(withStats: boolean) {
  return ([x, rm, rv, w, b]: Tensor[], k: Args): Tensor | Tensor[] => {
    const m = rm!.clone();
    const v = rv!.clone();
    const y = batchNorm(x!, m, v, w ?? null, b ?? null, true, kw<number>(k, 'momentum'), kw<number>(k, 'eps'));
    return withStats ? [y, m, v] : y;
  };
}

const bnEval = ([x, rm, rv, w, b]: Tensor[], k: Args): Tensor => batchNorm(x!, rm!, rv!, w ?? null, b ?? null, false, 0.1, kw<number>(k, 'eps'));

const layouts = ['nc', 'ncl', 'nchw'] as const;

export const specs: OpSpec[] = [
  { name: 'layer_norm_last', fn: ([x, w, b], k) => layerNorm(x!, kw<number[]>(k, 'shape'), w, b, kw<number>(k, 'eps')) },
  { name: 'layer_norm_two_dims', fn: ([x, w, b], k) => layerNorm(x!, kw<number[]>(k, 'shape'), w, b, kw<number>(k, 'eps')) },
  { name: 'layer_norm_no_affine', fn: ([x], k) => layerNorm(x!, kw<number[]>(k, 'shape'), null, null, kw<number>(k, 'eps')) },
  ...layouts.flatMap((l): OpSpec[] => [
    { name: `batch_norm_train_${l}`, fn: bnTrain(false) },
    { name: `batch_norm_train_${l}_stats`, fn: bnTrain(true) },
    { name: `batch_norm_eval_${l}`, fn: bnEval },
  ]),
  { name: 'batch_norm_train_no_affine', fn: bnTrain(false) },
  { name: 'batch_norm_eval_no_affine', fn: bnEval },
];
