/** Spec table for softmax and logSoftmax; fixture cases in scripts/fixtures/softmax.py. */
import * as torch from '../../../src/index.js';
import { kw, type OpSpec } from '../../helpers/harness.js';

const cases = ['dim0', 'dim1', 'dim_last_3d', 'dim1_3d', 'large_last', 'large_dim0'];

export const specs: OpSpec[] = [
  ...cases.map((c): OpSpec => ({ name: `softmax_${c}`, fn: ([x], k) => torch.softmax(x!, kw<number>(k, 'dim')) })),
  ...cases.map((c): OpSpec => ({ name: `log_softmax_${c}`, fn: ([x], k) => x!.logSoftmax(kw<number>(k, 'dim')) })),
];
