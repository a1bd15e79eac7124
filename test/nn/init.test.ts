import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { repoRoot } from '../helpers/fixtures.js';

interface InitCase { name: string; seed: number; state: Record<string, { shape: number[]; data: number[] }> }
interface BilinearForward { state: Record<string, number[]>; x1: number[]; x2: number[]; y: number[] }
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'nn_init.json'), 'utf8')) as { cases: InitCase[]; forwards: { bilinear: BilinearForward } };
const cases = fixture.cases;

const builders: Record<string, () => nn.Module> = {
  linear_5_20: () => new nn.Linear(5, 20),
  linear_64_3_nobias: () => new nn.Linear(64, 3, { bias: false }),
  embedding_6_4_pad1: () => new nn.Embedding(6, 4, { paddingIdx: 1 }),
  embedding_40_8: () => new nn.Embedding(40, 8),
  sequential_mlp: () => new nn.Sequential(new nn.Linear(3, 16), new nn.ReLU(), new nn.Linear(16, 2)),
  conv2d_3_8_k3: () => new nn.Conv2d(3, 8, 3),
  conv1d_4_6_k5_g2: () => new nn.Conv1d(4, 6, 5, { groups: 2 }),
  bilinear_3_4_5: () => new nn.Bilinear(3, 4, 5),
};

describe('default initialisation reproduces PyTorch under the same seed', () => {
  for (const c of cases) {
    test(`${c.name}: every state-dict entry equals torch's (float32, rtol 1e-6)`, () => {
      const build = builders[c.name];
      assert.ok(build, `no builder for ${c.name}`);
      torch.manualSeed(c.seed);
      const state = build().stateDict();
      assert.deepEqual([...state.keys()], Object.keys(c.state));
      for (const [k, v] of Object.entries(c.state)) {
        assert.deepEqual(state.get(k)!.shape, v.shape, k);
        assertClose(state.get(k)!.dataSync(), v.data, { rtol: 1e-6, atol: 1e-7 }, k);
      }
    });
  }
});

describe('init functions', () => {
  test('xavierUniform_ stays within its bound and kaimingNormal_ has the expected spread', () => {
    const w = torch.zeros([200, 300]);
    nn.init.xavierUniform_(w);
    const bound = Math.sqrt(6 / 500);
    assert.ok(w.abs().max().item() <= bound);
    nn.init.kaimingNormal_(w, { nonlinearity: 'relu' });
    const std = w.std().item();
    const expected = Math.SQRT2 / Math.sqrt(300);
    assert.ok(Math.abs(std - expected) / expected < 0.02, `std ${std} vs ${expected}`);
  });

  test('calculateGain matches PyTorch values', () => {
    assert.equal(nn.init.calculateGain('tanh'), 5 / 3);
    assert.equal(nn.init.calculateGain('relu'), Math.SQRT2);
    assert.ok(Math.abs(nn.init.calculateGain('leaky_relu', 0.2) - Math.sqrt(2 / 1.04)) < 1e-15);
  });

  test('fan computation rejects 1-D tensors with the shape in the message', () => {
    assert.throws(() => nn.init.xavierUniform_(torch.zeros([5])), /fewer than 2 dimensions: \[5\]/);
  });
});

test('Bilinear computes x1ᵀ A x2 + b as torch.nn.Bilinear (float64, rtol 1e-12)', () => {
  const f = fixture.forwards.bilinear;
  const bil = new nn.Bilinear(3, 4, 2).double();
  bil.loadStateDict({
    weight: torch.tensor(f.state.weight!, { dtype: 'float64', shape: [2, 3, 4] }),
    bias: torch.tensor(f.state.bias!, { dtype: 'float64', shape: [2] }),
  });
  const y = bil.forward(torch.tensor(f.x1, { dtype: 'float64', shape: [6, 3] }), torch.tensor(f.x2, { dtype: 'float64', shape: [6, 4] }));
  assert.deepEqual(y.shape, [6, 2]);
  assertClose(y.dataSync(), f.y, { rtol: 1e-12, atol: 1e-14 }, 'bilinear output');
});
