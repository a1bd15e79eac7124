/** Spec table for losses; fixture cases in scripts/fixtures/loss.py (kwargs there are snake_case). */
import type { Tensor } from '../../../src/index.js';
import * as ops from '../../../src/ops/index.js';
import type { OpSpec } from '../../helpers/harness.js';

type Args = Record<string, unknown>;
type Reduction = ops.Reduction;

const red = (k: Args): Reduction | undefined => k['reduction'] as Reduction | undefined;
const ignore = (k: Args): number | undefined => k['ignore_index'] as number | undefined;
const smoothing = (k: Args): number | undefined => k['label_smoothing'] as number | undefined;

const nll = (name: string): OpSpec => ({
  name,
  fn: ([x, t, w], k) => ops.nllLoss(x!, t!, { weight: w ?? null, reduction: red(k), ignoreIndex: ignore(k) }),
});
const ce = (name: string): OpSpec => ({
  name,
  fn: ([x, t, w], k) => ops.crossEntropy(x!, t!, { weight: w ?? null, reduction: red(k), ignoreIndex: ignore(k), labelSmoothing: smoothing(k) }),
});
const pair = (name: string, f: (a: Tensor, b: Tensor, k: Args) => Tensor): OpSpec => ({ name, fn: ([a, b], k) => f(a!, b!, k) });
const reductions = ['mean', 'sum', 'none'] as const;

export const specs: OpSpec[] = [
  nll('nll_basic'),
  ...reductions.map((r) => nll(`nll_weight_ignore_${r}`)),
  nll('nll_kdim_weight_ignore'),
  nll('nll_kdim_none'),
  nll('nll_unbatched'),
  nll('nll_unbatched_none'),
  nll('nll_int32_target'),

  ce('ce_basic'),
  ...reductions.map((r) => ce(`ce_weight_ignore_${r}`)),
  ce('ce_kdim'),
  ce('ce_kdim_weight_ignore'),
  ce('ce_smooth'),
  ...reductions.map((r) => ce(`ce_smooth_weight_ignore_${r}`)),
  ce('ce_smooth_ignore_none_unweighted'),
  ce('ce_smooth_kdim_weight_ignore'),
  ce('ce_unbatched_smooth'),

  ...reductions.map((r) => ce(`ce_prob_${r}`)),
  ce('ce_prob_weight_smooth'),
  ce('ce_prob_kdim_weight_none'),
  ce('ce_prob_unbatched'),
  ce('ce_prob_target_grad'),

  ...reductions.flatMap((r) => [
    pair(`mse_${r}`, (a, b, k) => ops.mseLoss(a, b, { reduction: red(k) })),
    pair(`l1_${r}`, (a, b, k) => ops.l1Loss(a, b, { reduction: red(k) })),
  ]),
  pair('mse_target_grad', (a, b) => ops.mseLoss(a, b)),
  pair('smooth_l1_beta1', (a, b, k) => ops.smoothL1Loss(a, b, { beta: k['beta'] as number })),
  pair('smooth_l1_beta_half_none', (a, b, k) => ops.smoothL1Loss(a, b, { beta: k['beta'] as number, reduction: 'none' })),
  pair('smooth_l1_beta0_sum', (a, b, k) => ops.smoothL1Loss(a, b, { beta: k['beta'] as number, reduction: 'sum' })),
  pair('huber_delta1', (a, b, k) => ops.huberLoss(a, b, { delta: k['delta'] as number })),
  pair('huber_delta_07_none', (a, b, k) => ops.huberLoss(a, b, { delta: k['delta'] as number, reduction: 'none' })),

  pair('bce_mean', (a, b) => ops.binaryCrossEntropy(a, b)),
  { name: 'bce_weight_sum', fn: ([x, y, w]) => ops.binaryCrossEntropy(x!, y!, { weight: w!, reduction: 'sum' }) },
  pair('bce_none_target_grad', (a, b) => ops.binaryCrossEntropy(a, b, { reduction: 'none' })),
  pair('bce_logits_mean', (a, b) => ops.binaryCrossEntropyWithLogits(a, b)),
  { name: 'bce_logits_pos_weight_weight', fn: ([x, y, w, pw]) => ops.binaryCrossEntropyWithLogits(x!, y!, { weight: w!, posWeight: pw! }) },
  { name: 'bce_logits_none_target_grad', fn: ([x, y, pw]) => ops.binaryCrossEntropyWithLogits(x!, y!, { posWeight: pw!, reduction: 'none' }) },
  pair('bce_logits_sum', (a, b) => ops.binaryCrossEntropyWithLogits(a, b, { reduction: 'sum' })),

  ...(['mean', 'sum', 'none', 'batchmean'] as const).map((r) => pair(`kl_div_${r}`, (a, b) => ops.klDiv(a, b, { reduction: r }))),
  pair('kl_div_log_target', (a, b) => ops.klDiv(a, b, { reduction: 'batchmean', logTarget: true })),
  pair('kl_div_target_grad', (a, b) => ops.klDiv(a, b, { reduction: 'sum' })),
];
