/** Spec table for matmul and F.linear; fixture cases in scripts/fixtures/matmul.py. */
import * as torch from '../../../src/index.js';
import { linear, linearRelu } from '../../../src/ops/linear.js';
import type { OpSpec } from '../../helpers/harness.js';

const mm = (name: string): OpSpec => ({ name, fn: ([a, b]) => torch.matmul(a!, b!) });

export const specs: OpSpec[] = [
  mm('dot_1d_1d'),
  mm('vec_mat_1d_2d'),
  mm('mat_vec_2d_1d'),
  mm('mat_mat_2d_2d'),
  mm('batched_3d_3d'),
  mm('broadcast_3d_2d'),
  mm('broadcast_2d_3d'),
  mm('broadcast_4d_3d'),
  mm('batched_1d_3d'),
  mm('batched_3d_1d'),
  { name: 'transposed_both', fn: ([a, b]) => a!.t().matmul(b!.t()) },
  { name: 'transposed_batched', fn: ([a, b]) => a!.transpose(-1, -2).matmul(b!) },
  { name: 'permuted_batch', fn: ([a, b]) => a!.permute(1, 0, 2).matmul(b!) },
  { name: 'linear_2d', fn: ([x, w, b]) => linear(x!, w!, b!) },
  { name: 'linear_no_bias', fn: ([x, w]) => linear(x!, w!) },
  { name: 'linear_1d', fn: ([x, w, b]) => linear(x!, w!, b!) },
  { name: 'linear_3d', fn: ([x, w, b]) => linear(x!, w!, b!) },
  // relu(F.linear) fused: the ReLU runs in the product's epilogue on the wasm backend.
  { name: 'linear_relu', fn: ([x, w, b]) => linearRelu(x!, w!, b!) },
];
