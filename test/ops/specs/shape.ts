/** Spec table for views and shape ops; fixture cases in scripts/fixtures/shape.py. */
import * as torch from '../../../src/index.js';
import type { OpSpec } from '../../helpers/harness.js';

type T = torch.Tensor;
const one = (name: string, f: (x: T) => T | T[]): OpSpec => ({ name, fn: ([x]) => f(x!) });

export const specs: OpSpec[] = [
  one('reshape_contiguous', (x) => x.reshape(3, -1)),
  one('reshape_transposed', (x) => x.t().reshape(2, 6)),
  one('reshape_permuted_3d', (x) => torch.reshape(x.permute(2, 0, 1), [-1, 6])),
  one('view_transposed_split', (x) => x.t().view(2, 3, 4)),
  one('view_narrowed_rows', (x) => x.slice(0, 1, 3).view([12])),
  one('permute', (x) => x.permute(1, 2, 0)),
  one('permute_negative', (x) => torch.permute(x, [-1, 0, 1])),
  one('transpose', (x) => x.transpose(0, 2)),
  one('transpose_negative', (x) => x.transpose(-1, -2)),
  one('unsqueeze', (x) => x.unsqueeze(1)),
  one('unsqueeze_negative', (x) => x.unsqueeze(-1)),
  one('squeeze_all', (x) => x.squeeze()),
  one('squeeze_dim', (x) => x.squeeze(2)),
  one('squeeze_dim_not_one', (x) => x.squeeze(1)),
  one('expand', (x) => x.expand(2, 3, 4)),
  one('expand_keep', (x) => x.expand([4, -1, 3])),
  one('narrow', (x) => x.narrow(1, 1, 2)),
  one('narrow_negative_start', (x) => x.narrow(0, -2, 2)),
  one('slice_step', (x) => x.slice(1, 1, 6, 2)),
  one('slice_step_open_end', (x) => x.slice(0, undefined, undefined, 3)),
  one('slice_negative_bounds', (x) => x.slice(1, -4, -1)),
  one('slice_clamped', (x) => x.slice(0, -10, 10)),
  one('select', (x) => x.select(1, 2)),
  one('select_negative', (x) => x.select(-1, -1)),
  one('flatten_all', (x) => x.flatten()),
  one('flatten_range', (x) => x.flatten(1, 2)),
  one('flatten_transposed', (x) => x.transpose(0, 1).flatten()),
  one('contiguous_of_transpose', (x) => x.t().contiguous()),
  { name: 'cat_dim0', fn: (xs) => torch.cat(xs, 0) },
  { name: 'cat_dim1', fn: (xs) => torch.cat(xs, 1) },
  { name: 'cat_negative_dim_transposed', fn: ([a, b]) => torch.cat([a!.t(), b!], -1) },
  { name: 'stack_dim0', fn: (xs) => torch.stack(xs, 0) },
  { name: 'stack_dim_last', fn: (xs) => torch.stack(xs, -1) },
  one('split_int', (x) => x.split(2, 0)),
  one('split_list', (x) => torch.split(x, [1, 3, 2], 1)),
  one('chunk_uneven', (x) => x.chunk(3, 0)),
  one('chunk_fewer', (x) => torch.chunk(x, 4, 1)),
  { name: 'composite_view_then_op', fn: ([x, y]) => x!.transpose(0, 1).slice(0, 1).slice(1, undefined, undefined, 2).mul(y!).exp() },
  { name: 'composite_expand_mul_sum', fn: ([x, y]) => x!.unsqueeze(0).expand(3, 2, 4).mul(y!.view(3, 1, 1)).sum(1) },
  one('composite_select_narrow_chain', (x) => x.permute(1, 0, 2).select(2, 1).narrow(0, 1, 2).pow(2)),
];
