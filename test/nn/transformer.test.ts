/**
 * TransformerEncoderLayer and TransformerEncoder against PyTorch 1.13 (fixtures/transformer.json,
 * written by scripts/fixtures/transformer.py): float64 outputs and every gradient at rtol 1e-8,
 * state-dict keys, default init under manualSeed (float32, rtol 1e-6), deep copies, padding.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { noGrad, ShapeError, type Tensor } from '../../src/index.js';
import { LayerNorm } from '../../src/nn/layers/norm.js';
import {
  cloneModule, TransformerEncoder, TransformerEncoderLayer, type TransformerEncoderLayerOptions,
} from '../../src/nn/layers/transformer.js';
import type { Module } from '../../src/nn/module.js';
import { assertClose, assertTensorClose, type Tolerance } from '../helpers/assert.js';
import { decode, decodeValues, repoRoot, type EncodedTensor } from '../helpers/fixtures.js';

interface InitCase { name: string; seed: number; kind: string; config: Record<string, unknown>; keys: string[]; state: Record<string, EncodedTensor> }
interface ParityCase extends InitCase {
  inputs: Record<string, EncodedTensor>;
  output: EncodedTensor;
  upstream: EncodedTensor;
  inputGrads: Record<string, EncodedTensor>;
  paramGrads: Record<string, EncodedTensor>;
}
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'transformer.json'), 'utf8')) as { init: InitCase[]; cases: ParityCase[] };

const F64: Tolerance = { rtol: 1e-8, atol: 1e-12 };
const F32: Tolerance = { rtol: 1e-6, atol: 1e-7 };

interface EncoderConfig { layer: TransformerEncoderLayerOptions; numLayers: number; norm: boolean }
const encoderOf = (c: EncoderConfig): TransformerEncoder => new TransformerEncoder(new TransformerEncoderLayer(c.layer), c.numLayers, {
  norm: c.norm ? new LayerNorm(c.layer.dModel, { eps: c.layer.layerNormEps ?? 1e-5 }) : null,
});
const build = (c: InitCase): TransformerEncoderLayer | TransformerEncoder =>
  (c.kind === 'layer' ? new TransformerEncoderLayer(c.config as unknown as TransformerEncoderLayerOptions) : encoderOf(c.config as unknown as EncoderConfig));

const worst = { abs: 0, rel: 0 };
function check(actual: Tensor, expected: EncodedTensor, what: string): void {
  const e = decodeValues(expected);
  const a = actual.dataSync();
  e.forEach((v, i) => {
    const d = Math.abs(a[i]! - v);
    worst.abs = Math.max(worst.abs, d);
    if (Math.abs(v) > 1e-8) worst.rel = Math.max(worst.rel, d / Math.abs(v));
  });
  assertTensorClose(actual, { shape: expected.shape, data: e }, F64, what);
}

describe('TransformerEncoderLayer and TransformerEncoder match PyTorch (float64, rtol 1e-8)', () => {
  for (const c of fixture.cases.filter((k) => k.kind === 'layer' || k.kind === 'encoder')) {
    test(c.name, () => {
      const m = build(c).double();
      assert.deepEqual([...m.stateDict().keys()], c.keys, 'state-dict keys');
      m.loadStateDict(new Map(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
      m.eval();
      const x = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, decode(v)]));
      const out = m instanceof TransformerEncoderLayer
        ? m.forward(x.src!, { srcMask: x.srcMask, srcKeyPaddingMask: x.srcKeyPaddingMask })
        : m.forward(x.src!, { mask: x.mask, srcKeyPaddingMask: x.srcKeyPaddingMask });
      check(out, c.output, 'output');
      out.mul(decode(c.upstream)).sum().backward();
      for (const [name, g] of Object.entries(c.inputGrads)) check(x[name]!.grad!, g, `grad of ${name}`);
      const params = new Map(m.namedParameters());
      assert.deepEqual([...params.keys()].sort(), Object.keys(c.paramGrads).sort());
      for (const [name, g] of Object.entries(c.paramGrads)) check(params.get(name)!.grad!, g, `grad of ${name}`);
    });
  }
  test('worst error over all layer and encoder cases', (t) => {
    t.diagnostic(`max |Δ| = ${worst.abs.toExponential(2)}, max |Δ|/|expected| = ${worst.rel.toExponential(2)}`);
    assert.ok(worst.rel < 1e-8);
  });
});

describe('default initialisation equals PyTorch under manualSeed (float32)', () => {
  for (const c of fixture.init.filter((k) => k.kind === 'layer' || k.kind === 'encoder')) {
    test(c.name, () => {
      torch.manualSeed(c.seed);
      const state = build(c).stateDict();
      assert.deepEqual([...state.keys()], c.keys);
      for (const [k, v] of Object.entries(c.state)) {
        assert.deepEqual(state.get(k)!.shape, v.shape, k);
        assertClose(state.get(k)!.dataSync(), decodeValues(v), F32, k);
      }
    });
  }

  test('the encoder\'s layers are identical copies of the prototype, and cloning draws no random numbers', () => {
    const cfg = { dModel: 8, nhead: 2, dimFeedforward: 16 };
    torch.manualSeed(11);
    const proto = new TransformerEncoderLayer(cfg);
    const afterLayer = torch.rand([3]).dataSync();
    torch.manualSeed(11);
    const proto2 = new TransformerEncoderLayer(cfg);
    const enc = new TransformerEncoder(proto2, 3);
    assert.deepEqual(torch.rand([3]).dataSync(), afterLayer, 'the generator is where the layer alone left it');
    const protoState = proto.stateDict();
    for (let i = 0; i < 3; i++) {
      for (const [k, v] of protoState) assert.deepEqual(enc.stateDict().get(`layers.${i}.${k}`)!.dataSync(), v.dataSync(), `layers.${i}.${k}`);
    }
  });
});

describe('cloneModule', () => {
  test('copies are independent and keep dtype, requiresGrad and training mode', () => {
    const layer = new TransformerEncoderLayer({ dModel: 4, nhead: 2, dimFeedforward: 8 }).double();
    layer.norm1.weight!.requiresGrad = false;
    layer.eval();
    const copy = cloneModule(layer, () => new TransformerEncoderLayer(layer.options));
    assert.equal(copy.linear1.weight.dtype, 'float64');
    assert.equal(copy.norm1.weight!.requiresGrad, false);
    assert.equal(copy.linear1.weight.requiresGrad, true);
    assert.equal(copy.training, false);
    assert.equal(copy.dropout1.training, false);
    assert.notEqual(copy.linear1.weight.storage, layer.linear1.weight.storage);
    const before = Array.from(layer.linear1.weight.dataSync());
    noGrad(() => copy.linear1.weight.fill_(3));
    assert.deepEqual(Array.from(layer.linear1.weight.dataSync()), before, 'prototype untouched');
  });
});

describe('TransformerEncoder behaviour', () => {
  test('outputs at non-padded positions do not change when padded positions change', () => {
    torch.manualSeed(12);
    const enc = new TransformerEncoder(new TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, batchFirst: true }), 2).double().eval();
    const src = torch.randn([2, 5, 8], { dtype: 'float64' });
    const pad = torch.tensor([[false, false, false, true, true], [false, false, false, false, false]]);
    const base = enc.forward(src, { srcKeyPaddingMask: pad });
    const noisy = torch.where(pad.unsqueeze(-1), torch.randn([2, 5, 8], { dtype: 'float64' }).mul(50), src);
    const changed = enc.forward(noisy, { srcKeyPaddingMask: pad });
    const keep = (t: Tensor): number[] => [...Array.from(t.select(0, 0).narrow(0, 0, 3).dataSync()), ...Array.from(t.select(0, 1).dataSync())];
    assertClose(keep(changed), keep(base), { rtol: 1e-12, atol: 1e-12 }, 'non-padded outputs');
  });

  test('dropout is active in training mode only', () => {
    torch.manualSeed(13);
    const layer = new TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0.5 });
    const x = torch.randn([4, 2, 8]);
    const a = layer.forward(x).dataSync();
    const b = layer.forward(x).dataSync();
    assert.notDeepEqual(a, b, 'two training passes draw different masks');
    layer.eval();
    assert.deepEqual(layer.forward(x).dataSync(), layer.forward(x).dataSync());
  });

  test('activation may be a function; isCausal equals an explicit causal mask', () => {
    torch.manualSeed(14);
    const cfg = { dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0 };
    const named = new TransformerEncoderLayer({ ...cfg, activation: 'gelu' });
    const fn = new TransformerEncoderLayer({ ...cfg, activation: (t) => torch.gelu(t) });
    fn.loadStateDict(named.stateDict());
    const x = torch.randn([5, 2, 8]);
    assert.deepEqual(fn.forward(x).dataSync(), named.forward(x).dataSync());
    const mask = torch.tensor(Array.from({ length: 25 }, (_, i) => (i % 5 > Math.floor(i / 5) ? 1 : 0)), { dtype: 'bool', shape: [5, 5] });
    assert.deepEqual(named.forward(x, { isCausal: true }).dataSync(), named.forward(x, { srcMask: mask }).dataSync());
  });

  test('errors: heads not dividing dModel, unknown activation, wrong mask shape, bad numLayers', () => {
    assert.throws(() => new TransformerEncoderLayer({ dModel: 10, nhead: 4 }), (e: unknown) => e instanceof ShapeError && /embedDim \(10\).*numHeads \(4\)/.test(e.message));
    assert.throws(() => new TransformerEncoderLayer({ dModel: 8, nhead: 2, activation: 'tanh' as 'relu' }), /activation should be relu\/gelu, not tanh/);
    const layer = new TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16 });
    assert.throws(() => layer.forward(torch.randn([5, 2, 8]), { srcMask: torch.zeros([4, 4]) }), /\[4,4\] vs \[5,5\]/);
    assert.throws(() => new TransformerEncoder(layer, 0), /numLayers must be a positive integer/);
  });

  test('stateDict keys of a stack without final norm', () => {
    const enc = new TransformerEncoder(new TransformerEncoderLayer({ dModel: 4, nhead: 1, dimFeedforward: 4 }), 2);
    const keys = [...enc.stateDict().keys()];
    assert.equal(keys.length, 24);
    assert.equal(keys[0], 'layers.0.self_attn.in_proj_weight');
    assert.equal(keys[23], 'layers.1.norm2.bias');
    const mods: Module[] = [...enc.layers];
    assert.equal(mods.length, 2);
  });
});
