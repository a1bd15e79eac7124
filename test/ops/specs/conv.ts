/** Spec table for convolutions; fixture cases in scripts/fixtures/conv.py. */
import { conv1d, conv2d, type ConvOptions, type Size1d, type Size2d } from '../../../src/ops/conv.js';
import type { OpSpec } from '../../helpers/harness.js';

/** F.conv*d's keyword arguments (JSON lists for tuples) as tsorch options. */
function convOptions<S>(k: Record<string, unknown>): ConvOptions<S> {
  return {
    stride: k['stride'] as S | undefined,
    padding: k['padding'] as S | 'valid' | 'same' | undefined,
    dilation: k['dilation'] as S | undefined,
    groups: k['groups'] as number | undefined,
  };
}

const conv1dCase = (name: string): OpSpec => ({ name, fn: ([x, w, b], k) => conv1d(x!, w!, b ?? null, convOptions<Size1d>(k)) });
const conv2dCase = (name: string): OpSpec => ({ name, fn: ([x, w, b], k) => conv2d(x!, w!, b ?? null, convOptions<Size2d>(k)) });

export const specs: OpSpec[] = [
  ...[
    'conv1d_basic', 'conv1d_stride_pad_dilation', 'conv1d_tuple_args', 'conv1d_same_even_kernel',
    'conv1d_same_dilation', 'conv1d_valid', 'conv1d_groups_nobias', 'conv1d_unbatched',
  ].map(conv1dCase),
  ...[
    'conv2d_basic', 'conv2d_stride_pad', 'conv2d_nonsquare_tuples', 'conv2d_same_even_kernel',
    'conv2d_same_asymmetric', 'conv2d_valid', 'conv2d_groups', 'conv2d_depthwise', 'conv2d_nobias',
    'conv2d_unbatched', 'conv2d_pointwise',
  ].map(conv2dCase),
];
