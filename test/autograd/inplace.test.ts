/** In-place operations and autograd: refused where they would corrupt gradients, caught by versions. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';

const f64 = (v: number[], requiresGrad = true): torch.Tensor => torch.tensor(v, { dtype: 'float64', requiresGrad });

describe('in-place modification and autograd', () => {
  test('an in-place op on a leaf that requires grad throws while grad mode is on', () => {
    const x = f64([1, 2]);
    assert.throws(
      () => x.add_(1),
      (e: unknown) => e instanceof torch.AutogradError && /add_: a leaf tensor that requires grad cannot be modified in place/.test(e.message),
    );
    assert.deepEqual(x.toArray(), [1, 2], 'the leaf is unchanged');
  });

  test('the same update under noGrad is allowed (as optimizers do)', () => {
    const x = f64([1, 2]);
    torch.noGrad(() => x.sub_(torch.tensor([0.5, 0.5], { dtype: 'float64' })));
    assert.deepEqual(x.toArray(), [0.5, 1.5]);
    assert.equal(x.requiresGrad, true);
  });

  test('an in-place op on a non-leaf in the graph throws while grad mode is on', () => {
    const y = f64([1, 2]).mul(2);
    assert.throws(() => y.mul_(2), torch.AutogradError);
  });

  test('modifying a leaf after it was used makes backward throw (version counter)', () => {
    const x = f64([1, 2]);
    const y = x.mul(x).sum();
    torch.noGrad(() => x.add_(1));
    assert.throws(
      () => y.backward(),
      (e: unknown) => e instanceof torch.AutogradError && /was modified by an in-place operation after it was used/.test(e.message),
    );
  });

  test('modifying a constant input that the backward rule reads makes backward throw', () => {
    const x = f64([1, 2, 3]);
    const w = torch.tensor([2, 2, 2], { dtype: 'float64' });
    const y = x.mul(w).sum();
    w.add_(10); // w does not require grad, so this is allowed; mul's gradient for x reads w
    assert.throws(() => y.backward(), /saved by mul \(shape \[3\]\) was modified by an in-place operation/);
  });

  test('modifying an op output that its own backward reads makes backward throw', () => {
    const x = f64([0, 1]);
    const e = x.exp(); // exp's gradient is g · exp(x), read from its output
    torch.noGrad(() => e.mul_(2));
    assert.throws(() => e.sum().backward(), torch.AutogradError);
  });

  test('modifying a view of a used tensor is caught, since views share the version', () => {
    const w = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const x = f64([1, 1]);
    const y = w.matmul(x).sum();
    w.select(0, 0).fill_(0);
    assert.throws(() => y.backward(), torch.AutogradError);
  });

  test('in-place writes to tensors outside any graph need no care', () => {
    const a = torch.zeros([3]);
    a.add_(1).mul_(3).clamp_(0, 2);
    assert.deepEqual(a.toArray(), [2, 2, 2]);
  });
});
