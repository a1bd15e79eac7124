/** The autograd engine: backward, grad(), accumulation, graph lifetime and higher-order gradients. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';

const f64 = (v: number[], requiresGrad = true): torch.Tensor => torch.tensor(v, { dtype: 'float64', requiresGrad });
const values = (t: torch.Tensor | null): number[] => {
  assert.ok(t, 'expected a gradient');
  return Array.from(t.dataSync());
};

describe('backward', () => {
  test('.grad accumulates over two backward calls', () => {
    const x = f64([1, 2, 3]);
    x.mul(x).sum().backward();
    assert.deepEqual(values(x.grad), [2, 4, 6]);
    x.mul(3).sum().backward();
    assert.deepEqual(values(x.grad), [5, 7, 9]);
  });

  test('an explicit gradient weights a non-scalar output', () => {
    const x = f64([1, 2, 3]);
    x.mul(x).backward(torch.tensor([1, 0.5, -1], { dtype: 'float64' }));
    assert.deepEqual(values(x.grad), [2, 2, -6]);
  });

  test('a gradient of the wrong shape is a ShapeError naming both shapes', () => {
    const x = f64([1, 2, 3]);
    assert.throws(() => x.mul(2).backward(torch.ones([2])), /backward: gradient shape differs from output shape: \[2\] vs \[3\]/);
  });

  test('backward of a non-scalar without a gradient is an AutogradError that gives the shape', () => {
    const x = f64([1, 2, 3, 4]);
    assert.throws(
      () => x.reshape(2, 2).mul(2).backward(),
      (e: unknown) => e instanceof torch.AutogradError && /only for scalar outputs, but the output has shape \[2,2\]/.test(e.message),
    );
  });

  test('a second backward through a freed graph throws a message that suggests retainGraph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    assert.throws(
      () => y.backward(),
      (e: unknown) => e instanceof torch.AutogradError && /backward through the graph a second time/.test(e.message) && /retainGraph: true/.test(e.message),
    );
  });

  test('retainGraph allows a second backward, which accumulates the same gradient again', () => {
    const x = f64([0, 1]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assert.deepEqual(values(x.grad), [2, 2 * Math.E]);
  });

  test('backward without retainGraph drops every node\'s edges, so activations are not kept alive by the loss', () => {
    const x = f64([1, 2]);
    const h = x.exp();
    const y = h.mul(2).sum();
    assert.equal(y.gradFn!.inputs.length, 1);
    y.backward();
    assert.equal(y.gradFn!.inputs.length, 0, 'the loss must no longer reach its inputs');
    assert.equal(h.gradFn!.inputs.length, 0, 'nor an intermediate its own');
    assert.ok(y.gradFn!.released && h.gradFn!.released);
    assert.throws(() => h.sum().backward(), /backward through the graph a second time \(through exp\)/);
  });

  test('retainGraph keeps the edges; the pass after it releases them', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    assert.equal(y.gradFn!.inputs.length, 1);
    y.backward();
    assert.equal(y.gradFn!.inputs.length, 0);
    values(x.grad).forEach((g, i) => assert.ok(Math.abs(g - 2 * Math.exp(i + 1)) < 1e-12, `grad ${i}: ${g}`));
  });

  test('gradients of two leaves are independent tensors, even when the backward rule shares one', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const g = torch.tensor([1, 1], { dtype: 'float64' });
    a.add(b).backward(g);
    a.grad!.mul_(10);
    assert.deepEqual(values(a.grad), [10, 10]);
    assert.deepEqual(values(b.grad), [1, 1], 'scaling a.grad in place must not touch b.grad');
    assert.deepEqual(values(g), [1, 1], 'nor the gradient passed in');
  });

  test('a leaf used twice receives the sum of both paths', () => {
    const x = f64([2]);
    x.mul(x).add(x.mul(3)).sum().backward();
    assert.deepEqual(values(x.grad), [7]);
  });

  test('backward of a tensor that does not require grad is an AutogradError', () => {
    assert.throws(() => torch.tensor([1]).sum().backward(), torch.AutogradError);
  });

  test('a deep chain of 5,000 adds backpropagates without overflowing the stack', () => {
    const x = f64([1, 2]);
    let y = x;
    for (let i = 0; i < 5000; i++) y = y.add(1);
    y.sum().backward();
    assert.deepEqual(values(x.grad), [1, 1]);
    assert.deepEqual(values(y.detach()), [5001, 5002]);
  });
});

describe('grad mode and graph cutting', () => {
  test('results computed under noGrad do not require grad and have no gradFn', () => {
    const x = f64([1, 2]);
    const y = torch.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.deepEqual(values(y), [2, 4]);
    assert.equal(torch.isGradEnabled(), true, 'grad mode is restored after noGrad');
  });

  test('enableGrad records inside noGrad', () => {
    const x = f64([1]);
    const y = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    assert.equal(y.requiresGrad, true);
  });

  test('detach cuts the graph: no gradient flows through the detached path', () => {
    const x = f64([3]);
    const y = x.mul(x.detach()).sum(); // d/dx of x·c with c = x held constant is c
    y.backward();
    assert.deepEqual(values(x.grad), [3]);
  });

  test('requiresGrad_ on an integer tensor throws; on a non-leaf it throws too', () => {
    assert.throws(
      () => torch.tensor([1, 2], { dtype: 'int64' }).requiresGrad_(),
      (e: unknown) => e instanceof torch.AutogradError && /only floating point tensors can require gradients, got int64/.test(e.message),
    );
    assert.throws(() => f64([1]).mul(2).requiresGrad_(false), torch.AutogradError);
  });
});

describe('grad()', () => {
  test('returns gradients without touching .grad', () => {
    const x = f64([1, 2, 3]);
    const [dx] = torch.grad([x.pow(2).sum()], [x]);
    assert.deepEqual(values(dx!), [2, 4, 6]);
    assert.equal(x.grad, null);
  });

  test('differentiates with respect to an intermediate tensor', () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const [dh, dx] = torch.grad([h.mul(h).sum()], [h, x]);
    assert.deepEqual(values(dh!), [6, 12]);
    assert.deepEqual(values(dx!), [18, 36]);
  });

  test('an unused input throws unless allowUnused, which gives null', () => {
    const x = f64([1]);
    const unused = f64([5]);
    assert.throws(() => torch.grad([x.mul(2).sum()], [x, unused]), /grad: input 1 was not used .* allowUnused/);
    const [dx, du] = torch.grad([x.mul(2).sum()], [x, unused], { allowUnused: true });
    assert.deepEqual(values(dx!), [2]);
    assert.equal(du, null);
  });

  test('gradOutputs weight non-scalar outputs', () => {
    const x = f64([1, 2]);
    const [dx] = torch.grad([x.mul(x)], [x], { gradOutputs: [torch.tensor([1, -1], { dtype: 'float64' })] });
    assert.deepEqual(values(dx!), [2, -4]);
  });

  test('createGraph gives a differentiable gradient: d²/dx² of x³ is 6x', () => {
    const x = f64([-1, 0.5, 2]);
    const [dx] = torch.grad([x.pow(3).sum()], [x], { createGraph: true });
    assert.ok(dx!.requiresGrad);
    assert.deepEqual(values(dx!), [3, 0.75, 12]);
    const [dxx] = torch.grad([dx!.sum()], [x]);
    assert.deepEqual(values(dxx!), [-6, 3, 12]);
  });

  test('backward with createGraph leaves a differentiable .grad (third derivative of x⁴ is 24x)', () => {
    const x = f64([1.5]);
    x.pow(4).sum().backward(undefined, { createGraph: true });
    const g1 = x.grad!;
    assert.deepEqual(values(g1), [4 * 1.5 ** 3]);
    const [g2] = torch.grad([g1.sum()], [x], { createGraph: true });
    const [g3] = torch.grad([g2!.sum()], [x]);
    assert.deepEqual(values(g2!), [12 * 1.5 ** 2]);
    assert.deepEqual(values(g3!), [24 * 1.5]);
  });
});

describe('retainGrad', () => {
  test('a non-leaf keeps its .grad after backward only when retainGrad was called', () => {
    const x = f64([1, 2]);
    const h = x.mul(3).retainGrad();
    const other = x.mul(2);
    h.mul(h).add(other).sum().backward();
    assert.deepEqual(values(h.grad), [6, 12]);
    assert.equal(other.grad, null);
    assert.deepEqual(values(x.grad), [20, 38]);
  });
});
