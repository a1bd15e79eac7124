/**
 * The reference CPU backend's kernels on strided views (transposed, offset, stride-0), checked
 * against values worked out by hand, and the backend registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import type { View } from '../../src/index.js';

const cpu = torch.getBackend('cpu');
/** A view of 0..11 as [3,4], the storage the other views below look into. */
const base = (): torch.Tensor => torch.withBackend('cpu', () => torch.arange(12, undefined, 1, { dtype: 'float64' }).reshape(3, 4));
const read = (v: View): number[] => Array.from(cpu.read(v));

describe('cpu kernels on strided views', () => {
  // These tests hand cpu-backend storages to cpu kernels, so tensors are created on cpu.
  let previous = '';
  before(() => { previous = torch.getBackend().name; torch.setBackend('cpu'); });
  after(() => torch.setBackend(previous));
  test('read walks a transposed view with an offset in row-major order of its shape', () => {
    const v: View = { storage: base().storage, shape: [2, 3], strides: [1, 4], offset: 1 }; // columns 1-2, transposed
    assert.deepEqual(read(v), [1, 5, 9, 2, 6, 10]);
  });

  test('reduce sums the chosen axes of a transposed view, and argmax takes one axis', () => {
    const t = base().t(); // [4,3]
    assert.deepEqual(read({ storage: cpu.reduce('sum', t, [0]), shape: [3], strides: [1], offset: 0 }), [6, 22, 38]);
    assert.deepEqual(read({ storage: cpu.reduce('sum', t, [1]), shape: [4], strides: [1], offset: 0 }), [12, 15, 18, 21]);
    assert.deepEqual(read({ storage: cpu.reduce('prod', t, [0, 1]), shape: [], strides: [], offset: 0 }), [0]);
    const am = cpu.reduce('argmax', t, [0]);
    assert.equal(am.dtype, 'int64');
    assert.deepEqual(read({ storage: am, shape: [3], strides: [1], offset: 0 }), [3, 3, 3]);
  });

  test('max and argmax treat NaN as the extreme, as torch does', () => {
    const x = torch.tensor([1, NaN, 3], { dtype: 'float64' });
    assert.ok(Number.isNaN(x.max().item()));
    assert.equal(x.argmax().item(), 1);
    assert.equal(x.argmin().item(), 1);
  });

  test('reducing a zero-size dimension works for sum and prod but not for max', () => {
    const e = torch.zeros([0, 2]);
    assert.deepEqual(e.sum(0).toArray(), [0, 0]);
    assert.deepEqual(e.prod(0).toArray(), [1, 1]);
    assert.throws(() => e.amax(0), torch.IndexError);
  });

  test('matmul reads stride-0 batch and transposed operands', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const bT = torch.tensor([[1, 0], [1, 1]], { dtype: 'float64' }).t(); // [[1,1],[0,1]]
    const a3: View = { storage: a.storage, shape: [3, 2, 2], strides: [0, 2, 1], offset: 0 };
    const b3: View = { storage: bT.storage, shape: [3, 2, 2], strides: [0, bT.strides[0]!, bT.strides[1]!], offset: 0 };
    const out = read({ storage: cpu.matmul(a3, b3), shape: [12], strides: [1], offset: 0 });
    assert.deepEqual(out, [1, 3, 3, 7, 1, 3, 3, 7, 1, 3, 3, 7]);
  });

  test('assign reads the whole source before writing, so an in-place transpose is right', () => {
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    cpu.assign(x, x.t());
    assert.deepEqual(x.toArray(), [[1, 3], [2, 4]]);
  });

  test('gather and scatterAdd follow index values along the dimension, accumulating repeats', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    const index = torch.tensor([[2, 2], [0, 1]], { dtype: 'int64' });
    assert.deepEqual(x.gather(1, index).toArray(), [[3, 3], [4, 5]]);
    const s = torch.zeros([2, 3], { dtype: 'float64' }).scatterAdd(1, index, torch.ones([2, 2], { dtype: 'float64' }));
    assert.deepEqual(s.toArray(), [[0, 0, 2], [1, 1, 0]]);
  });

  test('integer division by zero throws instead of producing garbage', () => {
    const a = torch.tensor([3, 4], { dtype: 'int64' });
    assert.throws(() => torch.floorDivide(a, torch.tensor([1, 0], { dtype: 'int64' })), (e: unknown) => e instanceof torch.ValueError && e.message === 'floorDivide: integer division by zero');
    assert.deepEqual(torch.floorDivide(torch.tensor([-7, 7], { dtype: 'int64' }), 2).toArray(), [-4, 3]);
  });

  test('stores into integer dtypes truncate toward zero, and into bool map nonzero to 1', () => {
    const f = torch.tensor([-2.5, 2.5, 0.25], { dtype: 'float64' });
    assert.deepEqual(read({ storage: cpu.copy(f, 'int32'), shape: [3], strides: [1], offset: 0 }), [-2, 2, 0]);
    assert.deepEqual(read({ storage: cpu.copy(f, 'bool'), shape: [3], strides: [1], offset: 0 }), [1, 1, 1]);
  });
});

describe('backend registry', () => {
  test('cpu is always registered, and the default is wasm where it loads (else cpu)', () => {
    assert.ok(torch.listBackends().includes('cpu'));
    const expected = process.env['TSORCH_BACKEND'] ?? (torch.listBackends().includes('wasm') ? 'wasm' : 'cpu');
    assert.equal(torch.getBackend().name, expected);
    assert.equal(torch.zeros([1]).backend.name, expected);
    assert.equal(torch.withBackend('cpu', () => torch.zeros([1])).backend.name, 'cpu');
  });

  test('an unknown backend name is a ValueError listing the registered ones', () => {
    assert.throws(() => torch.setBackend('tpu'), (e: unknown) => e instanceof torch.ValueError && /no backend named 'tpu' \(registered: .*cpu/.test(e.message));
  });

  test('withBackend restores the previous backend even when its body throws', () => {
    const before = torch.getBackend().name;
    assert.throws(() => torch.withBackend('cpu', () => { throw new Error('boom'); }), /boom/);
    assert.equal(torch.getBackend().name, before);
    assert.equal(torch.withBackend('cpu', () => torch.ones([2]).sum().item()), 2);
  });
});
