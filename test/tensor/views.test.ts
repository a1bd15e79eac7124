/** Views share storage; reshape copies only when it must; reading values; slice semantics. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';

const grid = (): torch.Tensor => torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);

describe('views share storage with their base', () => {
  test('copy_ into a row view writes through to the base', () => {
    const base = torch.zeros([2, 3]);
    const row = base.select(0, 1);
    row.copy_(torch.tensor([1, 2, 3]));
    assert.equal(row.storage, base.storage);
    assert.deepEqual(base.toArray(), [[0, 0, 0], [1, 2, 3]]);
  });

  test('fill_ through a transposed, stepped view reaches the right base elements', () => {
    const base = torch.zeros([3, 4]);
    base.t().slice(0, 1, undefined, 2).fill_(5); // columns 1 and 3
    assert.deepEqual(base.toArray(), [[0, 5, 0, 5], [0, 5, 0, 5], [0, 5, 0, 5]]);
  });

  test('a write to the base is visible in every view', () => {
    const base = grid();
    const v = base.reshape(2, 6);
    const t = base.t();
    const n = base.narrow(1, 2, 2);
    base.copy_(base.mul(10));
    assert.deepEqual(v.toArray(), [[0, 10, 20, 30, 40, 50], [60, 70, 80, 90, 100, 110]]);
    assert.deepEqual(t.select(0, 3).toArray(), [30, 70, 110]);
    assert.deepEqual(n.toArray(), [[20, 30], [60, 70], [100, 110]]);
  });

  test('copy_ broadcasts its source into the view', () => {
    const base = torch.zeros([2, 3]);
    base.narrow(1, 0, 2).copy_(torch.tensor([7, 8]));
    assert.deepEqual(base.toArray(), [[7, 8, 0], [7, 8, 0]]);
    assert.throws(() => base.copy_(torch.tensor([1, 2])), torch.ShapeError);
  });

  test('expand is a stride-0 view: no copy, the same value repeated', () => {
    const x = torch.tensor([[1], [2]]);
    const e = x.expand(2, 3);
    assert.equal(e.storage, x.storage);
    assert.deepEqual(e.strides, [1, 0]);
    assert.deepEqual(e.toArray(), [[1, 1, 1], [2, 2, 2]]);
  });

  test('unsqueeze and squeeze of a transposed tensor stay views', () => {
    const base = grid();
    const u = base.t().unsqueeze(1);
    assert.deepEqual(u.shape, [4, 1, 3]);
    assert.equal(u.storage, base.storage);
    assert.equal(u.squeeze(1).storage, base.storage);
    assert.deepEqual(u.squeeze().toArray(), base.t().toArray());
  });

  test('detach shares storage but is cut from the graph', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    assert.equal(d.storage, x.storage);
    assert.equal(d.requiresGrad, false);
    assert.equal(d.gradFn, null);
  });
});

describe('reshape and view', () => {
  test('reshape of a contiguous tensor is a view', () => {
    const x = grid();
    const r = x.reshape(6, -1);
    assert.equal(r.storage, x.storage);
    assert.deepEqual(r.shape, [6, 2]);
  });

  test('reshape of a transposed tensor copies the values in the transposed order', () => {
    const x = grid();
    const r = x.t().reshape(12);
    assert.notEqual(r.storage, x.storage);
    assert.deepEqual(r.toArray(), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    r.fill_(-1);
    assert.equal(x.sum().item(), 66, 'writing the copy leaves the base alone');
  });

  test('view of a transposed tensor that cannot be a view throws a ShapeError naming both shapes', () => {
    assert.throws(
      () => grid().t().view(12),
      (e: unknown) => e instanceof torch.ShapeError && e.message === "view: view size is not compatible with the input's strides (use reshape, or contiguous() first): [4,3] vs [12]",
    );
  });

  test('view of a transposed tensor that splits one dimension succeeds without copying', () => {
    const x = torch.arange(24).reshape(4, 6);
    const v = x.t().view(2, 3, 4);
    assert.equal(v.storage, x.storage);
    assert.deepEqual(v.select(0, 1).select(0, 0).toArray(), [3, 9, 15, 21]);
  });

  test('a reshape with an incompatible element count or two -1s throws', () => {
    assert.throws(() => grid().reshape(5, -1), torch.ShapeError);
    assert.throws(() => grid().reshape(-1, -1), torch.ShapeError);
    assert.throws(() => grid().reshape(5, 2), /reshape: shape is invalid for input of size 12/);
  });

  test('contiguous of a transposed tensor is a packed copy; of a contiguous one, itself', () => {
    const x = grid();
    const c = x.t().contiguous();
    assert.ok(c.isContiguous());
    assert.notEqual(c.storage, x.storage);
    assert.deepEqual(c.toArray(), x.t().toArray());
    assert.equal(x.contiguous(), x);
    assert.equal(x.t().isContiguous(), false);
  });
});

describe('reading values', () => {
  test('toArray gives nested arrays of the tensor\'s shape, and a number for 0-d', () => {
    assert.deepEqual(torch.arange(6).reshape(1, 2, 3).toArray(), [[[0, 1, 2], [3, 4, 5]]]);
    assert.equal(torch.tensor(4).toArray(), 4);
    assert.deepEqual(torch.zeros([2, 0]).toArray(), [[], []]);
  });

  test('item reads a one-element tensor of any rank and refuses larger ones', () => {
    assert.equal(torch.tensor([[3.5]]).item(), 3.5);
    assert.throws(
      () => torch.tensor([1, 2]).item(),
      (e: unknown) => e instanceof torch.ValueError && /item: only one-element tensors .* got shape \[2\]/.test(e.message),
    );
  });

  test('dataSync of a view gives its own elements in row-major order', () => {
    assert.deepEqual(Array.from(grid().t().narrow(0, 1, 2).dataSync()), [1, 5, 9, 2, 6, 10]);
    assert.ok(torch.tensor([1], { dtype: 'int64' }).dataSync() instanceof Float64Array);
  });
});

describe('slice, narrow and select semantics', () => {
  const r = (): torch.Tensor => torch.arange(10);

  test('negative bounds count from the end, as Python slicing', () => {
    assert.deepEqual(r().slice(0, -3).toArray(), [7, 8, 9]);
    assert.deepEqual(r().slice(0, 2, -5).toArray(), [2, 3, 4]);
    assert.deepEqual(r().slice(0, -4, -1, 2).toArray(), [6, 8]);
  });

  test('out-of-range bounds are clamped and a start past the end gives an empty slice', () => {
    assert.deepEqual(r().slice(0, -100, 100).toArray(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(r().slice(0, 8, 100).toArray(), [8, 9]);
    assert.deepEqual(r().slice(0, 7, 3).shape, [0]);
    assert.deepEqual(r().slice(0, 12).shape, [0]);
  });

  test('a step takes every step-th element, and a step below 1 is a ValueError', () => {
    assert.deepEqual(r().slice(0, 1, undefined, 3).toArray(), [1, 4, 7]);
    assert.throws(() => r().slice(0, 0, 10, 0), torch.ValueError);
    assert.throws(() => r().slice(0, 0, 10, -1), torch.ValueError);
  });

  test('narrow takes a negative start but not a range past the end', () => {
    assert.deepEqual(r().narrow(0, -3, 2).toArray(), [7, 8]);
    assert.throws(() => r().narrow(0, 8, 3), (e: unknown) => e instanceof torch.IndexError && /narrow: range \[8, 8\+3\)/.test(e.message));
  });

  test('select removes the dimension and accepts a negative index', () => {
    assert.deepEqual(grid().select(1, -1).toArray(), [3, 7, 11]);
    assert.throws(() => grid().select(0, 3), (e: unknown) => e instanceof torch.IndexError && /select: index 3 is out of bounds/.test(e.message));
  });

  test('split and chunk give views that cover the tensor', () => {
    const x = r();
    const parts = x.split([3, 7]);
    assert.deepEqual(parts.map((p) => p.numel()), [3, 7]);
    assert.ok(parts.every((p) => p.storage === x.storage));
    assert.deepEqual(x.chunk(4).map((p) => p.toArray()), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    assert.throws(() => x.split([3, 3]), torch.ShapeError);
  });
});
