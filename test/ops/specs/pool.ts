/** Spec table for pooling; fixture cases in scripts/fixtures/pool.py. */
import type { Tensor } from '../../../src/index.js';
import type { Size1d, Size2d } from '../../../src/ops/conv.js';
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  type AvgPoolOptions, type MaxPoolOptions,
} from '../../../src/ops/pool.js';
import { kw, type OpSpec } from '../../helpers/harness.js';

/** F.max_pool*d's keyword arguments (JSON lists for tuples) as tsorch options. */
function maxOptions<S>(k: Record<string, unknown>): MaxPoolOptions<S> {
  return {
    stride: k['stride'] as S | undefined,
    padding: k['padding'] as S | undefined,
    dilation: k['dilation'] as S | undefined,
    ceilMode: k['ceil_mode'] as boolean | undefined,
  };
}

function avgOptions<S>(k: Record<string, unknown>): AvgPoolOptions<S> {
  return {
    stride: k['stride'] as S | undefined,
    padding: k['padding'] as S | undefined,
    ceilMode: k['ceil_mode'] as boolean | undefined,
    countIncludePad: k['count_include_pad'] as boolean | undefined,
    divisorOverride: k['divisor_override'] as number | undefined,
  };
}

/** With return_indices, PyTorch returns (values, indices); the harness compares both. */
function maxCase<S>(name: string, pool: (x: Tensor, kernel: S, o: MaxPoolOptions<S>) => Tensor | { values: Tensor; indices: Tensor }): OpSpec {
  return {
    name,
    fn: ([x], k) => {
      const withIndices = k['return_indices'] === true;
      const out = pool(x!, kw<S>(k, 'kernel_size'), { ...maxOptions<S>(k), returnIndices: withIndices });
      return 'values' in out ? [out.values, out.indices] : out;
    },
  };
}

function avgCase<S>(name: string, pool: (x: Tensor, kernel: S, o: AvgPoolOptions<S>) => Tensor): OpSpec {
  return { name, fn: ([x], k) => pool(x!, kw<S>(k, 'kernel_size'), avgOptions<S>(k)) };
}

const max1 = (name: string): OpSpec => maxCase<Size1d>(name, (x, s, o) => maxPool1d(x, s, o));
const max2 = (name: string): OpSpec => maxCase<Size2d>(name, (x, s, o) => maxPool2d(x, s, o));
const avg1 = (name: string): OpSpec => avgCase<Size1d>(name, avgPool1d);
const avg2 = (name: string): OpSpec => avgCase<Size2d>(name, avgPool2d);

export const specs: OpSpec[] = [
  ...[
    'max_pool1d_basic', 'max_pool1d_stride_pad_dilation', 'max_pool1d_ceil', 'max_pool1d_ceil_pad_drops_last',
    'max_pool1d_indices', 'max_pool1d_unbatched',
  ].map(max1),
  ...[
    'max_pool2d_basic', 'max_pool2d_tuples', 'max_pool2d_ceil', 'max_pool2d_indices',
    'max_pool2d_indices_ceil_dilation', 'max_pool2d_unbatched',
  ].map(max2),
  ...['avg_pool1d_basic', 'avg_pool1d_pad', 'avg_pool1d_pad_exclude', 'avg_pool1d_ceil_pad', 'avg_pool1d_divisor', 'avg_pool1d_unbatched'].map(avg1),
  ...[
    'avg_pool2d_basic', 'avg_pool2d_tuples', 'avg_pool2d_pad_exclude', 'avg_pool2d_ceil_include',
    'avg_pool2d_ceil_exclude', 'avg_pool2d_divisor', 'avg_pool2d_unbatched',
  ].map(avg2),
  ...['adaptive_avg_pool1d', 'adaptive_avg_pool1d_upsample', 'adaptive_avg_pool1d_unbatched'].map((name): OpSpec => ({
    name, fn: ([x], k) => adaptiveAvgPool1d(x!, kw<number>(k, 'output_size')),
  })),
  ...['adaptive_avg_pool2d', 'adaptive_avg_pool2d_keep_dim', 'adaptive_avg_pool2d_global', 'adaptive_avg_pool2d_unbatched'].map((name): OpSpec => ({
    name, fn: ([x], k) => adaptiveAvgPool2d(x!, kw<number | [number | null, number | null]>(k, 'output_size')),
  })),
];
