/** Type promotion (PyTorch's rules: bool < int32 < int64 < float32 < float64, numbers are weak). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';

const f32 = (v: number[]): torch.Tensor => torch.tensor(v);
const f64 = (v: number[]): torch.Tensor => torch.tensor(v, { dtype: 'float64' });
const i32 = (v: number[]): torch.Tensor => torch.tensor(v, { dtype: 'int32' });
const i64 = (v: number[]): torch.Tensor => torch.tensor(v, { dtype: 'int64' });
const bool = (v: boolean[]): torch.Tensor => torch.tensor(v);

describe('binary op promotion between tensors', () => {
  test('float32 with float64 gives float64 and keeps float64 precision', () => {
    const r = f32([1]).add(f64([1e-10]));
    assert.equal(r.dtype, 'float64');
    assert.equal(r.item(), 1 + 1e-10);
  });

  test('an integer tensor with a float32 tensor gives float32', () => {
    assert.equal(i32([1, 2]).add(f32([0.5, 0.5])).dtype, 'float32');
    const r = i64([1, 2]).mul(f32([0.5, 0.25]));
    assert.equal(r.dtype, 'float32');
    assert.deepEqual(r.toArray(), [0.5, 0.5]);
  });

  test('int32 with int64 gives int64, and bool with int32 gives int32', () => {
    assert.equal(i32([1]).add(i64([2])).dtype, 'int64');
    const r = bool([true, false]).add(i32([5, 5]));
    assert.equal(r.dtype, 'int32');
    assert.deepEqual(r.toArray(), [6, 5]);
  });
});

describe('promotion with JavaScript numbers (weak scalars)', () => {
  test('int64 plus 0.5 gives float32, plus 2 stays int64', () => {
    const a = i64([1, 2]).add(0.5);
    assert.equal(a.dtype, 'float32');
    assert.deepEqual(a.toArray(), [1.5, 2.5]);
    const b = i64([1, 2]).add(2);
    assert.equal(b.dtype, 'int64');
    assert.deepEqual(b.toArray(), [3, 4]);
  });

  test('a number never widens a float tensor', () => {
    assert.equal(f32([1]).mul(1e-300).dtype, 'float32');
    assert.equal(f64([1]).add(1).dtype, 'float64');
  });

  test('dividing integers gives float32 (true division)', () => {
    const r = i64([1, 3]).div(2);
    assert.equal(r.dtype, 'float32');
    assert.deepEqual(r.toArray(), [0.5, 1.5]);
  });
});

describe('result dtypes of comparisons and reductions', () => {
  test('comparisons give bool whatever the operand dtypes', () => {
    const r = f32([1, 2, 3]).gt(i64([2, 2, 2]));
    assert.equal(r.dtype, 'bool');
    assert.deepEqual(r.toArray(), [0, 0, 1]);
    assert.equal(i32([1]).eq(1).dtype, 'bool');
    assert.equal(f64([1]).le(0.5).dtype, 'bool');
  });

  test('sum of bool and of int32 gives int64 with the right count', () => {
    const s = bool([true, false, true, true]).sum();
    assert.equal(s.dtype, 'int64');
    assert.equal(s.item(), 3);
    const t = i32([2147483647, 1]).sum();
    assert.equal(t.dtype, 'int64');
    assert.equal(t.item(), 2147483648);
  });

  test('prod of int32 and bool gives int64, as torch.prod', () => {
    const p = i32([100000, 100000]).prod();
    assert.equal(p.dtype, 'int64');
    assert.equal(p.item(), 1e10);
    assert.equal(bool([true, true]).prod().dtype, 'int64');
  });

  test('mean of an integer tensor is a DTypeError that suggests .float()', () => {
    assert.throws(() => i64([1, 2]).mean(), (e: unknown) => e instanceof torch.DTypeError && /mean: .*got int64.*\.float\(\)/.test(e.message));
    assert.equal(i64([1, 2]).float().mean().item(), 1.5);
  });

  test('argmax gives int64', () => {
    assert.equal(f32([1, 3, 2]).argmax().dtype, 'int64');
    assert.equal(f32([1, 3, 2]).argmax().item(), 1);
  });
});

describe('conversions', () => {
  test('float to integer truncates toward zero, and to bool maps nonzero to 1', () => {
    const x = f32([-1.7, 2.9, 0]);
    assert.deepEqual(x.to('int32').toArray(), [-1, 2, 0]);
    assert.deepEqual(x.long().toArray(), [-1, 2, 0]);
    assert.deepEqual(x.bool().toArray(), [1, 1, 0]);
  });

  test('to() with the same dtype returns the same tensor', () => {
    const x = f32([1]);
    assert.equal(x.to('float32'), x);
  });

  test('float32 storage rounds, float64 does not', () => {
    assert.equal(f32([0.1]).item(), Math.fround(0.1));
    assert.equal(f32([0.1]).double().item(), Math.fround(0.1));
    assert.equal(f64([0.1]).item(), 0.1);
  });
});
