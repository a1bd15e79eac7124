import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/softmax.js';

runOpSuite('softmax', specs);

describe('softmax behaviour', () => {
  test('float32 softmax of values near ±1000 is finite, sums to 1 and matches the shifted values', () => {
    const x = torch.tensor([[1000, 1001, 1002], [-1000, -1001, -1002]]);
    const p = x.softmax(1);
    const v = Array.from(p.dataSync());
    assert.ok(v.every(Number.isFinite));
    const e = [1, Math.E, Math.E ** 2].map((t) => t / (1 + Math.E + Math.E ** 2));
    const expected = [e[0]!, e[1]!, e[2]!, e[2]!, e[1]!, e[0]!];
    v.forEach((got, i) => assert.ok(Math.abs(got - expected[i]!) < 1e-6, `element ${i}: ${got} vs ${expected[i]}`));
    assert.deepEqual(Array.from(p.sum(1).dataSync()).map((s) => Math.abs(s - 1) < 1e-6), [true, true]);
  });

  test('logSoftmax stays finite where softmax underflows to 0', () => {
    const ls = torch.tensor([0, -2000], { dtype: 'float64' }).logSoftmax(0);
    assert.deepEqual(Array.from(ls.dataSync()), [0, -2000]);
  });

  test('-inf entries get probability 0 and the rest renormalise', () => {
    const p = torch.tensor([0, -Infinity, 0], { dtype: 'float64' }).softmax(0);
    assert.deepEqual(Array.from(p.dataSync()), [0.5, 0, 0.5]);
  });

  test('the softmax gradient sums to zero along the softmax dimension', () => {
    const x = torch.tensor([[0.1, 2, -1], [3, 3, 3]], { dtype: 'float64', requiresGrad: true });
    x.softmax(1).mul(torch.tensor([[1, 5, -2], [0.5, 0, 9]], { dtype: 'float64' })).sum().backward();
    Array.from(x.grad!.sum(1).dataSync()).forEach((s) => assert.ok(Math.abs(s) < 1e-15, `row sum ${s}`));
  });
});
