/**
 * MultiheadAttention against PyTorch 1.13 (fixtures/transformer.json, written by
 * scripts/fixtures/transformer.py): float64 outputs, attention weights and every gradient at
 * rtol 1e-8; default init under manualSeed at float32 rtol 1e-6; plus finite differences,
 * padding invariance and error messages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { noGrad, ShapeError, type Tensor } from '../../src/index.js';
import type { Parameter } from '../../src/nn/parameter.js';
import { MultiheadAttention, type MultiheadAttentionOptions } from '../../src/nn/layers/attention.js';
import { assertClose, assertTensorClose, type Tolerance } from '../helpers/assert.js';
import { decode, decodeValues, repoRoot, type EncodedTensor } from '../helpers/fixtures.js';
import { gradcheck } from '../helpers/gradcheck.js';

interface InitCase { name: string; seed: number; kind: string; config: Record<string, unknown>; keys: string[]; state: Record<string, EncodedTensor> }
interface ParityCase extends InitCase {
  forward: { needWeights?: boolean; averageAttnWeights?: boolean };
  inputs: Record<string, EncodedTensor>;
  output: EncodedTensor;
  upstream: EncodedTensor;
  weights?: EncodedTensor;
  upstreamWeights?: EncodedTensor;
  inputGrads: Record<string, EncodedTensor>;
  paramGrads: Record<string, EncodedTensor>;
}
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'transformer.json'), 'utf8')) as { init: InitCase[]; cases: ParityCase[] };

const F64: Tolerance = { rtol: 1e-8, atol: 1e-12 };
const F32: Tolerance = { rtol: 1e-6, atol: 1e-7 };

/** Largest absolute and relative (where |expected| > 1e-8) errors seen, reported as a diagnostic. */
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

const mhaOf = (cfg: Record<string, unknown>): MultiheadAttention =>
  new MultiheadAttention(cfg.embedDim as number, cfg.numHeads as number, cfg as MultiheadAttentionOptions);

describe('MultiheadAttention matches PyTorch (float64, rtol 1e-8)', () => {
  for (const c of fixture.cases.filter((k) => k.kind === 'mha')) {
    test(c.name, () => {
      const mha = mhaOf(c.config).double();
      assert.deepEqual([...mha.stateDict().keys()], c.keys, 'state-dict keys');
      mha.loadStateDict(new Map(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
      mha.eval();
      const x = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, decode(v)]));
      const [q, k, v] = x.x ? [x.x, x.x, x.x] : [x.query!, x.key!, x.value!];
      const { output, weights } = mha.forward(q, k, v, { keyPaddingMask: x.keyPaddingMask, attnMask: x.attnMask, ...c.forward });
      check(output, c.output, 'output');
      let total = output.mul(decode(c.upstream)).sum();
      if (c.weights) {
        assert.ok(weights, 'weights expected');
        check(weights, c.weights, 'weights');
        total = total.add(weights.mul(decode(c.upstreamWeights!)).sum());
      } else {
        assert.equal(weights, null);
      }
      total.backward();
      for (const [name, g] of Object.entries(c.inputGrads)) check(x[name]!.grad!, g, `grad of ${name}`);
      const params = new Map(mha.namedParameters());
      assert.deepEqual([...params.keys()].sort(), Object.keys(c.paramGrads).sort());
      for (const [name, g] of Object.entries(c.paramGrads)) check(params.get(name)!.grad!, g, `grad of ${name}`);
    });
  }
  test('worst relative error over all MultiheadAttention cases', (t) => {
    t.diagnostic(`max |Δ| = ${worst.abs.toExponential(2)}, max |Δ|/|expected| = ${worst.rel.toExponential(2)}`);
    assert.ok(worst.rel < 1e-8);
  });
});

describe('MultiheadAttention default initialisation equals PyTorch under manualSeed (float32)', () => {
  for (const c of fixture.init.filter((k) => k.kind === 'mha')) {
    test(c.name, () => {
      torch.manualSeed(c.seed);
      const state = mhaOf(c.config).stateDict();
      assert.deepEqual([...state.keys()], c.keys);
      for (const [k, v] of Object.entries(c.state)) {
        assert.deepEqual(state.get(k)!.shape, v.shape, k);
        assertClose(state.get(k)!.dataSync(), decodeValues(v), F32, k);
      }
    });
  }
});

describe('MultiheadAttention gradients by finite differences (float64)', () => {
  /**
   * Gradcheck over query, key, value and every parameter. gradcheck probes an input by passing
   * a fresh tensor in its place; for parameter slots the probe's values are copied into the
   * module for that forward and restored afterwards (the analytic pass uses the parameters).
   */
  function checkModule(mha: MultiheadAttention, q: Tensor, k: Tensor, v: Tensor, fwd: Parameters<MultiheadAttention['forward']>[3]): void {
    const params = [...mha.parameters()];
    const run = (ins: Tensor[]): Tensor[] => {
      const saved: [Parameter, Tensor][] = [];
      params.forEach((p, j) => {
        const t = ins[3 + j]!;
        if (t.storage !== p.storage) {
          saved.push([p, p.detach().clone()]);
          noGrad(() => p.copy_(t));
        }
      });
      const { output, weights } = mha.forward(ins[0]!, ins[1]!, ins[2]!, fwd);
      noGrad(() => saved.forEach(([p, old]) => p.copy_(old)));
      return weights ? [output, weights] : [output];
    };
    const outs = run([q, k, v, ...params]);
    const ws = outs.map((o) => torch.randn([...o.shape], { dtype: 'float64' }));
    gradcheck(run, [q, k, v, ...params], ws, { maxElements: 24 });
  }

  test('packed projections with float attnMask and bool keyPaddingMask, per-head weights', () => {
    torch.manualSeed(3);
    const mha = new MultiheadAttention(4, 2).double();
    const q = torch.randn([3, 2, 4], { dtype: 'float64', requiresGrad: true });
    const k = torch.randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const v = torch.randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const attnMask = torch.randn([3, 2], { dtype: 'float64' });
    const keyPaddingMask = torch.tensor([[false, false], [false, true]]);
    checkModule(mha, q, k, v, { attnMask, keyPaddingMask, averageAttnWeights: false });
  });

  test('separate kdim/vdim projections with bias_k/bias_v and a zero attention slot', () => {
    torch.manualSeed(4);
    const mha = new MultiheadAttention(4, 2, { kdim: 3, vdim: 5, addBiasKV: true, addZeroAttn: true, batchFirst: true }).double();
    const q = torch.randn([2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const k = torch.randn([2, 2, 3], { dtype: 'float64', requiresGrad: true });
    const v = torch.randn([2, 2, 5], { dtype: 'float64', requiresGrad: true });
    checkModule(mha, q, k, v, { keyPaddingMask: torch.tensor([[false, true], [false, false]]) });
  });
});

describe('MultiheadAttention behaviour', () => {
  test('padded keys do not influence any output: changing their key and value changes nothing', () => {
    torch.manualSeed(5);
    const mha = new MultiheadAttention(8, 2).double();
    const q = torch.randn([5, 2, 8], { dtype: 'float64' });
    const k = torch.randn([6, 2, 8], { dtype: 'float64' });
    const v = torch.randn([6, 2, 8], { dtype: 'float64' });
    const pad = torch.tensor([[false, false, false, false, true, true], [false, false, true, true, true, true]]);
    const base = mha.forward(q, k, v, { keyPaddingMask: pad });
    // Overwrite the padded positions (sequence index s of batch n) with large noise.
    const noise = torch.randn([6, 2, 8], { dtype: 'float64' }).mul(100);
    const at = pad.transpose(0, 1).unsqueeze(-1);
    const changed = mha.forward(q, torch.where(at, noise, k), torch.where(at, noise.mul(-1), v), { keyPaddingMask: pad });
    assertClose(changed.output.dataSync(), base.output.dataSync(), { rtol: 1e-12, atol: 1e-12 }, 'output');
    const w = base.weights!; // (N, L, S): zero weight on padded keys
    assertClose(w.select(0, 1).narrow(1, 2, 4).dataSync(), new Array<number>(20).fill(0), { rtol: 0, atol: 0 }, 'weights on padding');
  });

  test('isCausal builds the causal mask; unbatched equals a batch of one; batchFirst equals transposing', () => {
    torch.manualSeed(6);
    const mha = new MultiheadAttention(8, 4).double();
    const x = torch.randn([5, 1, 8], { dtype: 'float64' });
    const mask = torch.tensor(Array.from({ length: 25 }, (_, i) => (i % 5 > Math.floor(i / 5) ? 1 : 0)), { dtype: 'bool', shape: [5, 5] });
    const a = mha.forward(x, x, x, { isCausal: true });
    const b = mha.forward(x, x, x, { attnMask: mask });
    assertClose(a.output.dataSync(), b.output.dataSync(), { rtol: 0, atol: 0 }, 'isCausal vs explicit mask');
    const u = mha.forward(x.squeeze(1), x.squeeze(1), x.squeeze(1), { attnMask: mask });
    assert.deepEqual(u.output.shape, [5, 8]);
    assert.deepEqual(u.weights!.shape, [5, 5]);
    assertClose(u.output.dataSync(), b.output.dataSync(), { rtol: 1e-14, atol: 1e-14 }, 'unbatched');
    const bf = new MultiheadAttention(8, 4, { batchFirst: true }).double();
    bf.loadStateDict(mha.stateDict());
    const xb = x.transpose(0, 1);
    const r = bf.forward(xb, xb, xb, { attnMask: mask });
    assert.deepEqual(r.output.shape, [1, 5, 8]);
    assertClose(r.output.dataSync(), b.output.dataSync(), { rtol: 1e-14, atol: 1e-14 }, 'batchFirst');
  });

  test('attention dropout is active in training only', () => {
    torch.manualSeed(7);
    const mha = new MultiheadAttention(8, 2, { dropout: 0.5 });
    const x = torch.randn([6, 3, 8]);
    const train = mha.forward(x, x, x, { averageAttnWeights: false }).weights!;
    const w = Array.from(train.dataSync());
    assert.ok(w.some((e) => e === 0), 'some weights dropped');
    const rowSums = Array.from(train.sum(-1).dataSync());
    assert.ok(rowSums.some((s) => Math.abs(s - 1) > 1e-3), 'rows no longer sum to 1 after dropout');
    mha.eval();
    const evalSums = Array.from(mha.forward(x, x, x, { averageAttnWeights: false }).weights!.sum(-1).dataSync());
    assertClose(evalSums, new Array<number>(evalSums.length).fill(1), { rtol: 1e-6, atol: 1e-6 }, 'eval rows');
  });

  test('needWeights: false returns null weights', () => {
    const mha = new MultiheadAttention(4, 1);
    const x = torch.randn([2, 3, 4]);
    assert.equal(mha.forward(x, x, x, { needWeights: false }).weights, null);
  });
});

describe('MultiheadAttention errors name the shapes involved', () => {
  test('embedDim not divisible by numHeads', () => {
    assert.throws(() => new MultiheadAttention(10, 3), (e: unknown) => e instanceof ShapeError && /embedDim \(10\) must be divisible by numHeads \(3\)/.test(e.message));
  });
  const mha = new MultiheadAttention(8, 2);
  const q = torch.randn([5, 2, 8]);
  const kv = torch.randn([6, 2, 8]);
  test('a wrong 2-D attnMask shape names the given and the expected shape', () => {
    assert.throws(() => mha.forward(q, kv, kv, { attnMask: torch.zeros([5, 5]) }), (e: unknown) => e instanceof ShapeError && /\(L, S\).*\[5,5\] vs \[5,6\]/.test(e.message));
  });
  test('a wrong 3-D attnMask shape', () => {
    assert.throws(() => mha.forward(q, kv, kv, { attnMask: torch.zeros([2, 5, 6]) }), /\[2,5,6\] vs \[4,5,6\]/);
  });
  test('a wrong keyPaddingMask shape', () => {
    assert.throws(() => mha.forward(q, kv, kv, { keyPaddingMask: torch.zeros([2, 5], { dtype: 'bool' }) }), /keyPaddingMask must have shape \(N, S\).*\[2,5\] vs \[2,6\]/);
  });
  test('a query whose feature size is not embedDim', () => {
    assert.throws(() => mha.forward(torch.randn([5, 2, 7]), kv, kv), (e: unknown) => e instanceof ShapeError && /embedDim = 8.*\[5,2,7\] vs \[6,2,8\] vs \[6,2,8\]/.test(e.message));
  });
  test('an integer mask is rejected', () => {
    assert.throws(() => mha.forward(q, kv, kv, { attnMask: torch.zeros([5, 6], { dtype: 'int64' }) }), /only bool and floating attnMask/);
  });
});
