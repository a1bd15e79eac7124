/**
 * Seeded randomness. fixtures/random.json (scripts/fixtures/random.py) holds torch's numbers
 * right after torch.manual_seed(seed): rand, randint and randperm match exactly; randn matches to the last
 * bit or two, since its log/sqrt/cos/sin come from a different math library (float32: 3e-7
 * relative or 2e-7 absolute, ~2 ulps; float64: 1e-15).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { repoRoot } from '../helpers/fixtures.js';

interface Entry {
  op: 'rand' | 'randn' | 'randint' | 'randperm';
  seed: number;
  size: number;
  dtype: 'float32' | 'float64' | 'int64';
  low?: number;
  high?: number;
  values: number[];
}

const entries = (JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'random.json'), 'utf8')) as { entries: Entry[] }).entries;

function draw(e: Entry): torch.Tensor {
  torch.manualSeed(e.seed);
  if (e.op === 'randint') return torch.randint(e.low!, e.high!, [e.size]);
  if (e.op === 'randperm') return torch.randperm(e.size);
  const dtype = e.dtype === 'int64' ? 'float32' : e.dtype;
  return e.op === 'rand' ? torch.rand([e.size], { dtype }) : torch.randn([e.size], { dtype });
}

describe('random streams match torch under the same seed', () => {
  test('the fixture covers rand and randn at sizes 3, 16, 20 and 37 in float32 and float64, and randint', () => {
    for (const op of ['rand', 'randn'] as const) {
      for (const dtype of ['float32', 'float64'] as const) {
        const sizes = new Set(entries.filter((e) => e.op === op && e.dtype === dtype).map((e) => e.size));
        assert.deepEqual([...sizes].sort((a, b) => a - b), [3, 16, 20, 37], `${op} ${dtype}`);
      }
    }
    assert.ok(entries.some((e) => e.op === 'randint'));
    assert.ok(entries.some((e) => e.op === 'randperm'));
  });

  for (const e of entries) {
    const label = e.op === 'randint' ? `randint(${e.low}, ${e.high}, [${e.size}])` : e.op === 'randperm' ? `randperm(${e.size})` : `${e.op}([${e.size}], ${e.dtype})`;
    test(`${label} after manualSeed(${e.seed}) matches torch`, () => {
      const t = draw(e);
      assert.equal(t.dtype, e.dtype);
      assert.deepEqual(t.shape, [e.size]);
      const got = Array.from(t.dataSync());
      if (e.op === 'randn') {
        const tol = e.dtype === 'float32' ? { rtol: 3e-7, atol: 2e-7 } : { rtol: 1e-15, atol: 1e-15 };
        assertClose(got, e.values, tol, label);
      } else {
        assert.deepEqual(got, e.values, label);
      }
    });
  }
});

describe('seeding and generators', () => {
  test('manualSeed makes the next draws reproducible, and another seed gives other numbers', () => {
    torch.manualSeed(7);
    const a = Array.from(torch.rand([5]).dataSync());
    const b = Array.from(torch.randn([3]).dataSync());
    torch.manualSeed(7);
    assert.deepEqual(Array.from(torch.rand([5]).dataSync()), a);
    assert.deepEqual(Array.from(torch.randn([3]).dataSync()), b);
    torch.manualSeed(8);
    assert.notDeepEqual(Array.from(torch.rand([5]).dataSync()), a);
  });

  test('rand lies in [0, 1) and randint in [low, high)', () => {
    torch.manualSeed(0);
    const u = Array.from(torch.rand([200], { dtype: 'float64' }).dataSync());
    assert.ok(u.every((v) => v >= 0 && v < 1));
    const k = Array.from(torch.randint(-2, 3, [200]).dataSync());
    assert.ok(k.every((v) => Number.isInteger(v) && v >= -2 && v < 3));
    assert.deepEqual([...new Set(k)].sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
  });

  test('a private Generator gives the default stream for its seed and leaves the global one alone', () => {
    torch.manualSeed(3);
    const expected = Array.from(torch.rand([4]).dataSync());
    torch.manualSeed(3);
    const g = new torch.Generator(99);
    torch.rand([10], { generator: g });
    assert.deepEqual(Array.from(torch.rand([4]).dataSync()), expected);
    assert.deepEqual(Array.from(torch.rand([4], { generator: new torch.Generator(3) }).dataSync()), expected);
  });

  test('rand and randn refuse integer dtypes, and randint an empty range', () => {
    assert.throws(() => torch.rand([2], { dtype: 'int64' }), torch.ValueError);
    assert.throws(() => torch.randn([2], { dtype: 'int32' }), torch.ValueError);
    assert.throws(() => torch.randint(3, 3, [2]), torch.ValueError);
  });

  test('randperm is an int64 permutation of 0..n-1, reproducible under a seed', () => {
    torch.manualSeed(11);
    const p = torch.randperm(50);
    assert.equal(p.dtype, 'int64');
    const v = Array.from(p.dataSync());
    assert.deepEqual([...v].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(v, Array.from({ length: 50 }, (_, i) => i), 'a shuffled order');
    torch.manualSeed(11);
    assert.deepEqual(Array.from(torch.randperm(50).dataSync()), v);
    assert.deepEqual(torch.randperm(0).shape, [0]);
  });
});
