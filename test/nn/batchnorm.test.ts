import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn } from '../../src/index.js';
import { assertTensorClose } from '../helpers/assert.js';
import { repoRoot } from '../helpers/fixtures.js';

interface Enc { shape: number[]; data: number[] }
interface BnCase { name: string; weight: Enc | null; bias: Enc | null; inputs: Enc[]; outputs: Enc[]; upstream: Enc; grads: Enc[]; buffers: Record<string, Enc> }
const cases = (JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'batchnorm.json'), 'utf8')) as { cases: BnCase[] }).cases;
const f64 = (e: Enc): torch.Tensor => torch.tensor(e.data, { dtype: 'float64', shape: e.shape });
const TOL = { rtol: 1e-10, atol: 1e-12 };

const builders: Record<string, () => nn.BatchNorm1d | nn.BatchNorm2d> = {
  bn2d: () => new nn.BatchNorm2d(3),
  bn1d_seq: () => new nn.BatchNorm1d(4, { momentum: 0.3 }),
  bn1d_cumulative: () => new nn.BatchNorm1d(4, { momentum: null }),
  bn1d_no_affine: () => new nn.BatchNorm1d(4, { affine: false }),
};

describe('BatchNorm modules match PyTorch over two training steps and an eval step', () => {
  for (const c of cases) {
    test(`${c.name}: outputs, gradients and running statistics (float64, rtol 1e-10)`, () => {
      const m = builders[c.name]!().double();
      torch.noGrad(() => {
        if (c.weight) m.weight!.copy_(f64(c.weight));
        if (c.bias) m.bias!.copy_(f64(c.bias));
      });
      m.train();
      assertTensorClose(m.forward(f64(c.inputs[0]!)), c.outputs[0]!, TOL, 'step 1 output');
      const x2 = f64(c.inputs[1]!).requiresGrad_();
      const y2 = m.forward(x2);
      assertTensorClose(y2, c.outputs[1]!, TOL, 'step 2 output');
      y2.mul(f64(c.upstream)).sum().backward();
      assertTensorClose(x2.grad!, c.grads[0]!, TOL, 'input grad');
      [m.weight, m.bias].filter((p) => p !== null).forEach((p, i) => assertTensorClose(p!.grad!, c.grads[i + 1]!, TOL, `param ${i} grad`));
      m.eval();
      assertTensorClose(m.forward(f64(c.inputs[2]!)), c.outputs[2]!, TOL, 'eval output');
      const state = m.stateDict();
      for (const [k, v] of Object.entries(c.buffers)) assertTensorClose(state.get(k)!.double(), v, TOL, k);
    });
  }
});

test('BatchNorm state dict keys are PyTorch\'s, and wrong channel counts name the layer and shape', () => {
  const bn = new nn.BatchNorm2d(3);
  assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  assert.throws(() => bn.forward(torch.zeros([2, 4, 3, 3])), /BatchNorm2d: expected 3 channels in dimension 1: \[2,4,3,3\]/);
  assert.throws(() => bn.forward(torch.zeros([2, 3])), /BatchNorm2d: expected a 4-D input/);
});
