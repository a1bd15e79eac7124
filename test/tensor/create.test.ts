/**
 * Creating tensors: from data (nested arrays, booleans, typed arrays), constants, ranges and
 * identity matrices. Expected range values were printed by PyTorch 1.13 (torch.arange,
 * torch.linspace) and are written out here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

describe('tensor() from data', () => {
  test('nested number arrays give a float32 tensor of the nested shape', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.equal(x.dtype, 'float32');
    assert.deepEqual(x.shape, [2, 3]);
    assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
  });

  test('a bare number gives a 0-d tensor whose item is the number', () => {
    const x = torch.tensor(2.5);
    assert.deepEqual(x.shape, []);
    assert.equal(x.ndim, 0);
    assert.equal(x.item(), 2.5);
  });

  test('an explicit dtype converts the values (floats truncate toward zero for int64)', () => {
    const x = torch.tensor([1.9, -1.9, 3], { dtype: 'int64' });
    assert.equal(x.dtype, 'int64');
    assert.deepEqual(x.toArray(), [1, -1, 3]);
    assert.equal(torch.tensor([0.1], { dtype: 'float64' }).item(), 0.1);
    assert.equal(torch.tensor([0.1]).item(), Math.fround(0.1));
  });

  test('booleans give a bool tensor read back as 0/1', () => {
    const x = torch.tensor([[true, false], [false, true]]);
    assert.equal(x.dtype, 'bool');
    assert.deepEqual(x.toArray(), [[1, 0], [0, 1]]);
    assert.equal(torch.tensor(true).item(), 1);
  });

  test('typed arrays keep their own dtype and take a shape', () => {
    assert.equal(torch.tensor(new Float32Array([1, 2])).dtype, 'float32');
    assert.equal(torch.tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.equal(torch.tensor(new Uint8Array([1, 0])).dtype, 'bool');
    const d = torch.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    assert.equal(d.dtype, 'float64');
    assert.deepEqual(d.toArray(), [[1, 2, 3], [4, 5, 6]]);
  });

  test('a BigInt64Array gives int64 values, exact up to 2^53', () => {
    const big = 2 ** 53 - 1;
    const x = torch.tensor(new BigInt64Array([-3n, 0n, BigInt(big)]));
    assert.equal(x.dtype, 'int64');
    assert.deepEqual(x.toArray(), [-3, 0, big]);
  });

  test('a BigInt64Array value beyond 2^53 is refused rather than rounded', () => {
    assert.throws(() => torch.tensor(new BigInt64Array([2n ** 60n])), (e: unknown) => e instanceof torch.ValueError && /exceeds 2\^53/.test(e.message));
  });

  test('a ragged nested array throws a ValueError that says where', () => {
    assert.throws(
      () => torch.tensor([[1, 2, 3], [4, 5]]),
      (e: unknown) => e instanceof torch.ValueError && e.message === 'tensor: ragged nested array: expected length 3 at depth 1, got 2',
    );
    assert.throws(() => torch.tensor([[1, 2], 3]), torch.ValueError);
  });

  test('requiresGrad makes a float leaf that requires grad', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    assert.equal(x.requiresGrad, true);
    assert.equal(x.isLeaf, true);
    assert.equal(x.grad, null);
  });
});

describe('constant tensors', () => {
  test('zeros, ones and full fill every element, float32 by default', () => {
    assert.deepEqual(torch.zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
    assert.deepEqual(torch.ones([3]).toArray(), [1, 1, 1]);
    const f = torch.full([2, 1], 7.5);
    assert.equal(f.dtype, 'float32');
    assert.deepEqual(f.toArray(), [[7.5], [7.5]]);
  });

  test('full with an integer dtype truncates the value, as torch.full', () => {
    const f = torch.full([2], 2.7, { dtype: 'int64' });
    assert.equal(f.dtype, 'int64');
    assert.deepEqual(f.toArray(), [2, 2]);
  });

  test('zerosLike and onesLike copy the shape and dtype', () => {
    const like = torch.tensor([[1, 2, 3]], { dtype: 'float64' });
    const z = torch.zerosLike(like);
    const o = torch.onesLike(like);
    assert.deepEqual([z.dtype, o.dtype], ['float64', 'float64']);
    assert.deepEqual(z.toArray(), [[0, 0, 0]]);
    assert.deepEqual(o.toArray(), [[1, 1, 1]]);
  });

  test('a negative size is a ShapeError', () => {
    assert.throws(() => torch.zeros([2, -1]), torch.ShapeError);
  });

  test('eye gives the identity, square or rectangular', () => {
    assert.deepEqual(torch.eye(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    assert.deepEqual(torch.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.equal(torch.eye(2, 2, { dtype: 'float64' }).dtype, 'float64');
  });
});

describe('ranges', () => {
  test('arange with integer arguments gives int64, as torch.arange', () => {
    const a = torch.arange(5);
    assert.equal(a.dtype, 'int64');
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
    const b = torch.arange(10, 0, -3);
    assert.equal(b.dtype, 'int64');
    assert.deepEqual(b.toArray(), [10, 7, 4, 1]);
  });

  test('arange with a fractional argument gives float32 with torch\'s values and length', () => {
    const a = torch.arange(-1, 1, 0.3);
    assert.equal(a.dtype, 'float32');
    // torch.arange(-1, 1, 0.3).tolist()
    assert.deepEqual(Array.from(a.dataSync()), [-1.0, -0.699999988079071, -0.4000000059604645, -0.10000000149011612, 0.20000000298023224, 0.5, 0.800000011920929]);
    // Lengths follow ceil((end - start) / step) in double, as torch: 15 and 3 elements.
    assert.equal(torch.arange(1, 2.5, 0.1).numel(), 15);
    assert.deepEqual(Array.from(torch.arange(0, 0.3, 0.1).dataSync()), [0.0, 0.10000000149011612, 0.20000000298023224]);
  });

  test('arange with step 0 is a ValueError', () => {
    assert.throws(() => torch.arange(0, 1, 0), torch.ValueError);
  });

  test('linspace in float32 matches torch.linspace to one float32 rounding of the range', () => {
    // torch computes in float32 with fused multiply-adds; tsorch in double rounded once, so
    // elements may differ by an ulp of the endpoints (2^-23 · max|endpoint|), never more.
    const cases: [number, number, number, number[]][] = [
      [-1, 1, 7, [-1.0, -0.6666666269302368, -0.3333333134651184, -2.9802322387695312e-08, 0.3333333134651184, 0.6666666269302368, 1.0]],
      [-3.3, 7.1, 11, [-3.299999952316284, -2.259999990463257, -1.2200000286102295, -0.18000006675720215, 0.8599998950958252, 1.9000000953674316,
        2.940000057220459, 3.9800000190734863, 5.019999980926514, 6.059999942779541, 7.099999904632568]],
      [0.1, 0.9, 9, [0.10000000149011612, 0.19999998807907104, 0.29999998211860657, 0.3999999761581421, 0.5, 0.6000000238418579, 0.699999988079071,
        0.7999999523162842, 0.8999999761581421]],
      [2, -2, 5, [2, 1, 0, -1, -2]],
    ];
    for (const [start, end, steps, expected] of cases) {
      const x = torch.linspace(start, end, steps);
      assert.equal(x.dtype, 'float32');
      const ulp = 2 ** -23 * Math.max(Math.abs(start), Math.abs(end));
      assertClose(Array.from(x.dataSync()), expected, { rtol: 0, atol: ulp }, `linspace(${start}, ${end}, ${steps})`);
      // The endpoints are exact.
      assert.equal(x.dataSync()[0], Math.fround(start));
      assert.equal(x.dataSync()[steps - 1], Math.fround(end));
    }
  });

  test('linspace in float64 and int64 matches torch.linspace', () => {
    const f = torch.linspace(0, 1, 10, { dtype: 'float64' });
    assertClose(Array.from(f.dataSync()), [0.0, 0.1111111111111111, 0.2222222222222222, 0.3333333333333333, 0.4444444444444444,
      0.5555555555555556, 0.6666666666666666, 0.7777777777777777, 0.8888888888888888, 1.0], { rtol: 2e-16, atol: 0 }, 'linspace float64');
    // Integer linspace truncates start + i·step computed in double: [0, 2.5, 5, 7.5, 10] → [0, 2, 5, 7, 10].
    assert.deepEqual(torch.linspace(0, 10, 5, { dtype: 'int64' }).toArray(), [0, 2, 5, 7, 10]);
  });

  test('linspace with zero steps is empty and with a fractional step count throws', () => {
    assert.deepEqual(torch.linspace(0, 1, 0).shape, [0]);
    assert.throws(() => torch.linspace(0, 1, 2.5), torch.ValueError);
  });
});
