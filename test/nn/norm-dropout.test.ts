/**
 * LayerNorm and Dropout modules. LayerNorm is checked against PyTorch 1.13
 * (fixtures/transformer.json: float64 output and gradients at rtol 1e-8, default state);
 * Dropout's mask is not torch's stream, so it is checked by its properties.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { ValueError, type Tensor } from '../../src/index.js';
import { Dropout } from '../../src/nn/layers/dropout.js';
import { LayerNorm, type LayerNormOptions } from '../../src/nn/layers/norm.js';
import { assertClose, assertTensorClose, type Tolerance } from '../helpers/assert.js';
import { decode, decodeValues, repoRoot, type EncodedTensor } from '../helpers/fixtures.js';

interface Case {
  name: string; kind: string; seed?: number; config: { normalizedShape: number[] } & LayerNormOptions; keys: string[];
  state: Record<string, EncodedTensor>; inputs?: Record<string, EncodedTensor>; output?: EncodedTensor; upstream?: EncodedTensor;
  inputGrads?: Record<string, EncodedTensor>; paramGrads?: Record<string, EncodedTensor>;
}
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'transformer.json'), 'utf8')) as { init: Case[]; cases: Case[] };
const F64: Tolerance = { rtol: 1e-8, atol: 1e-12 };
const same = (t: Tensor, e: EncodedTensor, what: string): void => assertTensorClose(t, { shape: e.shape, data: decodeValues(e) }, F64, what);

describe('LayerNorm module matches PyTorch', () => {
  for (const c of fixture.cases.filter((k) => k.kind === 'layernorm')) {
    test(c.name, () => {
      const ln = new LayerNorm(c.config.normalizedShape, c.config).double();
      assert.deepEqual([...ln.stateDict().keys()], c.keys);
      ln.loadStateDict(new Map(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
      const x = decode(c.inputs!.x!);
      const y = ln.forward(x);
      same(y, c.output!, 'output');
      y.mul(decode(c.upstream!)).sum().backward();
      same(x.grad!, c.inputGrads!.x!, 'grad of x');
      const params = new Map(ln.namedParameters());
      assert.deepEqual([...params.keys()], Object.keys(c.paramGrads!));
      for (const [k, g] of Object.entries(c.paramGrads!)) same(params.get(k)!.grad!, g, `grad of ${k}`);
    });
  }

  test('default state equals torch.nn.LayerNorm([3, 4]) (weight ones, bias zeros)', () => {
    const c = fixture.init.find((k) => k.name === 'layernorm_3_4')!;
    const state = new LayerNorm([3, 4]).stateDict();
    assert.deepEqual([...state.keys()], c.keys);
    for (const [k, v] of Object.entries(c.state)) assertClose(state.get(k)!.dataSync(), decodeValues(v), { rtol: 0, atol: 0 }, k);
  });

  test('without elementwiseAffine there are no parameters; each row is normalised', () => {
    const ln = new LayerNorm(6, { elementwiseAffine: false });
    assert.equal(ln.stateDict().size, 0);
    assert.equal(ln.weight, null);
    const y = ln.forward(torch.randn([4, 6]).mul(5).add(3));
    assertClose(Array.from(y.mean(-1).dataSync()), [0, 0, 0, 0], { rtol: 0, atol: 1e-6 }, 'row means');
  });

  test('shape errors name both shapes; invalid normalizedShape is rejected', () => {
    assert.throws(() => new LayerNorm([4]).forward(torch.randn([2, 5])), /\[2,5\] vs \[4\]/);
    assert.throws(() => new LayerNorm([]), ValueError);
    assert.throws(() => new LayerNorm(0), /positive integers/);
  });
});

describe('Dropout module', () => {
  test('eval mode and p = 0 return the input itself', () => {
    const x = torch.randn([3, 4]);
    const d = new Dropout(0.3);
    d.eval();
    assert.equal(d.forward(x), x);
    assert.equal(new Dropout(0).forward(x), x);
  });

  test('training zeroes about p of the elements and scales the rest by 1 / (1 - p); gradient is the mask', () => {
    torch.manualSeed(0);
    const p = 0.25;
    const d = new Dropout(p);
    assert.equal(d.training, true);
    const x = torch.ones([100, 100], { requiresGrad: true });
    const y = d.forward(x);
    const v = Array.from(y.dataSync());
    const zeros = v.filter((e) => e === 0).length;
    assert.ok(Math.abs(zeros / v.length - p) < 0.02, `dropped fraction ${zeros / v.length}`);
    assert.ok(v.every((e) => e === 0 || Math.abs(e - 1 / (1 - p)) < 1e-6));
    y.sum().backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), v);
  });

  test('default p is 0.5; p outside [0, 1] is rejected at construction', () => {
    assert.equal(new Dropout().p, 0.5);
    assert.throws(() => new Dropout(1.5), /between 0 and 1, but got 1.5/);
    assert.throws(() => new Dropout(-0.1), ValueError);
  });
});
