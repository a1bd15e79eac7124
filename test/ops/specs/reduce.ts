/** Spec table for reductions; fixture cases in scripts/fixtures/reduce.py. */
import * as torch from '../../../src/index.js';
import { kw, type OpSpec } from '../../helpers/harness.js';

type Dim = number | number[];
type Reduce = (x: torch.Tensor, dim: Dim, keepdim: boolean) => torch.Tensor | torch.Tensor[];

/** An op called with the fixture's `dim` and `keepdim`. */
const withDim = (name: string, f: Reduce, extra: Partial<OpSpec> = {}): OpSpec => ({
  name,
  fn: ([x], k) => f(x!, kw<Dim>(k, 'dim'), kw<boolean>(k, 'keepdim')),
  ...extra,
});
const whole = (name: string, f: (x: torch.Tensor) => torch.Tensor, extra: Partial<OpSpec> = {}): OpSpec => ({ name, fn: ([x]) => f(x!), ...extra });
const oneDim = (d: Dim): number => {
  if (typeof d !== 'number') throw new Error(`expected a single dim, got [${d.join(',')}]`);
  return d;
};
const valuesIndices = (r: { values: torch.Tensor; indices: torch.Tensor }): torch.Tensor[] => [r.values, r.indices];

export const specs: OpSpec[] = [
  whole('sum_all', (x) => x.sum()),
  withDim('sum_dim1', (x, d, k) => x.sum(d, k)),
  withDim('sum_dims_keepdim', (x, d, k) => x.sum(d, k)),
  withDim('sum_negative_dim', (x, d, k) => torch.sum(x, d, k)),
  withDim('sum_negative_dims', (x, d, k) => x.sum(d, k)),
  whole('mean_all', (x) => x.mean()),
  withDim('mean_dim0_keepdim', (x, d, k) => x.mean(d, k)),
  withDim('mean_dims', (x, d, k) => x.mean(d, k)),
  withDim('mean_negative_dim', (x, d, k) => torch.mean(x, d, k)),

  whole('prod_all', (x) => x.prod()),
  withDim('prod_dim', (x, d, k) => x.prod(oneDim(d), k)),
  withDim('prod_dim_keepdim', (x, d, k) => x.prod(oneDim(d), k)),
  whole('prod_one_zero', (x) => torch.prod(x)),
  whole('prod_two_zeros', (x) => torch.prod(x)),
  withDim('prod_dim_zeros', (x, d, k) => x.prod(oneDim(d), k)),

  withDim('amax_ties_dim1', (x, d, k) => x.amax(d, k)),
  withDim('amin_ties_dim1_keepdim', (x, d, k) => x.amin(d, k)),
  withDim('amax_dims', (x, d, k) => torch.amax(x, d, k)),
  withDim('amin_negative_dim', (x, d, k) => torch.amin(x, d, k)),
  whole('amax_all', (x) => x.amax([0, 1])),

  whole('max_all', (x) => x.max()),
  whole('min_all', (x) => x.min()),
  whole('max_all_ties', (x) => torch.max(x)),
  whole('min_all_ties', (x) => torch.min(x)),

  withDim('max_dim', (x, d, k) => valuesIndices(x.maxDim(oneDim(d), k))),
  withDim('max_dim0_keepdim', (x, d, k) => valuesIndices(x.maxDim(oneDim(d), k))),
  withDim('min_dim_negative', (x, d, k) => valuesIndices(torch.minDim(x, oneDim(d), k))),
  // At a tie the value is not differentiable; torch (and tsorch) give the whole gradient to the
  // first occurrence, which a central difference cannot see: the fixture's gradient is checked.
  withDim('max_dim_ties', (x, d, k) => valuesIndices(x.maxDim(oneDim(d), k)), { noGradcheck: true }),
  withDim('min_dim_ties', (x, d, k) => valuesIndices(x.minDim(oneDim(d), k)), { noGradcheck: true }),

  { name: 'argmax_all', fn: ([x]) => x!.argmax(), noGradcheck: true },
  withDim('argmax_dim', (x, d, k) => x.argmax(oneDim(d), k), { noGradcheck: true }),
  withDim('argmin_dim_keepdim', (x, d, k) => torch.argmin(x, oneDim(d), k), { noGradcheck: true }),
  withDim('argmax_ties', (x, d, k) => x.argmax(oneDim(d), k), { noGradcheck: true }),
  withDim('argmin_ties', (x, d, k) => x.argmin(oneDim(d), k), { noGradcheck: true }),

  whole('var_all', (x) => x.var()),
  { name: 'var_dim', fn: ([x], k) => x!.var(kw<Dim>(k, 'dim')) },
  {
    name: 'var_correction0_keepdim',
    fn: ([x], k) => torch.var(x!, kw<Dim>(k, 'dim'), { correction: kw<number>(k, 'correction'), keepdim: kw<boolean>(k, 'keepdim') }),
  },
  { name: 'var_dims', fn: ([x], k) => x!.var(kw<Dim>(k, 'dim')) },
  whole('std_all', (x) => x.std()),
  { name: 'std_dim', fn: ([x], k) => x!.std(kw<Dim>(k, 'dim')) },
  {
    name: 'std_correction0_keepdim',
    fn: ([x], k) => torch.std(x!, kw<Dim>(k, 'dim'), { correction: kw<number>(k, 'correction'), keepdim: kw<boolean>(k, 'keepdim') }),
  },

  withDim('logsumexp_dim', (x, d, k) => x.logsumexp(d, k)),
  withDim('logsumexp_dims_keepdim', (x, d, k) => torch.logsumexp(x, d, k)),
  // Inputs near ±1000 are exact in float32, so the float32 pass checks stability, not rounding.
  withDim('logsumexp_large', (x, d, k) => x.logsumexp(d, k)),
];
