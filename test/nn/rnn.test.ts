/**
 * RNN, LSTM, GRU and their cells against PyTorch 1.13 (fixtures/rnn.json, written by
 * scripts/fixtures/rnn.py): float64 outputs, final states and every gradient at rtol 1e-8,
 * including packed variable-length batches; state-dict keys; default init under manualSeed;
 * finite-difference gradients; inter-layer dropout; error messages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { DTypeError, noGrad, ShapeError, ValueError, type Tensor } from '../../src/index.js';
import {
  GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, type LSTMState, type RNNDType, type RNNForwardOptions,
} from '../../src/nn/layers/rnn.js';
import type { Module } from '../../src/nn/module.js';
import { assertClose, assertTensorClose, type Tolerance } from '../helpers/assert.js';
import { decode, decodeValues, repoRoot, type EncodedTensor } from '../helpers/fixtures.js';
import { gradcheck } from '../helpers/gradcheck.js';

type Kind = 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
interface Config { inputSize: number; hiddenSize: number; [option: string]: unknown }
interface InitCase { name: string; seed: number; kind: Kind; config: Config; dtype: RNNDType; keys: string[]; state: Record<string, EncodedTensor> }
interface ParityCase {
  name: string; kind: Kind; config: Config; keys: string[]; state: Record<string, EncodedTensor>;
  inputs: Record<string, EncodedTensor>; lengths: number[] | null;
  outputs: Record<string, EncodedTensor>; upstreams: Record<string, EncodedTensor>;
  inputGrads: Record<string, EncodedTensor>; paramGrads: Record<string, EncodedTensor>;
}
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'rnn.json'), 'utf8')) as { init: InitCase[]; cases: ParityCase[] };

const F64: Tolerance = { rtol: 1e-8, atol: 1e-12 };
const F32: Tolerance = { rtol: 1e-6, atol: 1e-7 };

type AnyRNN = RNN | LSTM | GRU | RNNCell | LSTMCell | GRUCell;
function build(kind: Kind, config: Config, dtype: RNNDType): AnyRNN {
  const { inputSize: i, hiddenSize: h, ...opts } = config;
  const o = { ...opts, dtype };
  switch (kind) {
    case 'RNN': return new RNN(i, h, o);
    case 'LSTM': return new LSTM(i, h, o);
    case 'GRU': return new GRU(i, h, o);
    case 'RNNCell': return new RNNCell(i, h, o);
    case 'LSTMCell': return new LSTMCell(i, h, o);
    case 'GRUCell': return new GRUCell(i, h, o);
  }
}

/** Runs any of the six layers and returns its tensors by the fixture's names (output, h, c). */
function run(m: AnyRNN, x: Tensor, h0: Tensor | null, c0: Tensor | null, opts: RNNForwardOptions = {}): Record<string, Tensor> {
  const state: LSTMState | null = h0 && c0 ? { h: h0, c: c0 } : null;
  if (m instanceof LSTM) return { ...m.forward(x, state, opts) };
  if (m instanceof RNN || m instanceof GRU) return { ...m.forward(x, h0, opts) };
  if (m instanceof LSTMCell) return { ...m.forward(x, state) };
  return { h: m.forward(x, h0) };
}

const stateOf = (s: Record<string, EncodedTensor>): Map<string, Tensor> => new Map(Object.entries(s).map(([k, v]) => [k, decode(v)]));
const leaf = (e: EncodedTensor | undefined): Tensor | null => (e ? decode(e).requiresGrad_(true) : null);

const worst = { abs: 0, rel: 0 };
function check(actual: Tensor, expected: EncodedTensor, what: string): void {
  const e = decodeValues(expected);
  const a = actual.contiguous().dataSync();
  e.forEach((v, i) => {
    const d = Math.abs(a[i]! - v);
    worst.abs = Math.max(worst.abs, d);
    if (Math.abs(v) > 1e-8) worst.rel = Math.max(worst.rel, d / Math.abs(v));
  });
  assertTensorClose(actual.contiguous(), { shape: expected.shape, data: e }, F64, what);
}

describe('RNN, LSTM, GRU and cells match PyTorch (float64, rtol 1e-8)', () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const m = build(c.kind, c.config, 'float64');
      assert.deepEqual([...m.stateDict().keys()], c.keys, 'state-dict keys');
      m.loadStateDict(stateOf(c.state));
      const [x, h0, c0] = [leaf(c.inputs.input)!, leaf(c.inputs.h0), leaf(c.inputs.c0)];
      const outs = run(m, x, h0, c0, c.lengths ? { lengths: c.lengths } : {});
      assert.deepEqual(Object.keys(outs).sort(), Object.keys(c.outputs).sort());
      let loss: Tensor | null = null;
      for (const [k, e] of Object.entries(c.outputs)) {
        check(outs[k]!, e, k);
        const term = outs[k]!.mul(decode(c.upstreams[k]!)).sum();
        loss = loss ? loss.add(term) : term;
      }
      loss!.backward();
      const given: Record<string, Tensor | null> = { input: x, h0, c0 };
      for (const [k, g] of Object.entries(c.inputGrads)) check(given[k]!.grad!, g, `grad of ${k}`);
      const params = new Map(m.namedParameters());
      assert.deepEqual([...params.keys()], Object.keys(c.paramGrads));
      for (const [k, g] of Object.entries(c.paramGrads)) check(params.get(k)!.grad!, g, `grad of ${k}`);
    });
  }

  test('variable lengths: an int64 lengths tensor and the equivalent paddingMask give the same numbers', () => {
    for (const c of fixture.cases.filter((k) => k.lengths)) {
      const lengths = c.lengths!;
      const L = c.inputs.input!.shape[c.config.batchFirst ? 1 : 0]!;
      const mask = torch.tensor(lengths.map((n) => Array.from({ length: L }, (_, t) => t >= n)));
      for (const opts of [{ lengths: torch.tensor(lengths, { dtype: 'int64' }) }, { paddingMask: mask }]) {
        const m = build(c.kind, c.config, 'float64');
        m.loadStateDict(stateOf(c.state));
        const outs = run(m, decode(c.inputs.input!), c.inputs.h0 ? decode(c.inputs.h0) : null, c.inputs.c0 ? decode(c.inputs.c0) : null, opts);
        for (const [k, e] of Object.entries(c.outputs)) check(outs[k]!, e, `${c.name} ${Object.keys(opts)[0]}: ${k}`);
      }
    }
  });

  test('worst error over all cases', (t) => {
    t.diagnostic(`max |Δ| = ${worst.abs.toExponential(2)}, max |Δ|/|expected| = ${worst.rel.toExponential(2)}`);
    assert.ok(worst.rel < 1e-8);
  });
});

describe('default initialisation equals PyTorch under manualSeed', () => {
  for (const c of fixture.init) {
    test(`${c.name} (${c.dtype})`, () => {
      torch.manualSeed(c.seed);
      const state = build(c.kind, c.config, c.dtype).stateDict();
      assert.deepEqual([...state.keys()], c.keys);
      for (const [k, v] of Object.entries(c.state)) {
        assert.equal(state.get(k)!.dtype, c.dtype, k);
        assertTensorClose(state.get(k)!, { shape: v.shape, data: decodeValues(v) }, c.dtype === 'float64' ? { rtol: 1e-15, atol: 0 } : F32, k);
      }
    });
  }
});

/** Central differences of `loss` w.r.t. a few elements of every parameter, against autograd. */
function checkParamGrads(m: Module, loss: () => Tensor, eps = 1e-6): void {
  m.zeroGrad();
  loss().backward();
  for (const [name, p] of m.namedParameters()) {
    const analytic = Array.from(p.grad!.dataSync());
    const values = Array.from(p.dataSync());
    const numeric: number[] = [];
    const picked: number[] = [];
    for (let i = 0; i < values.length; i += Math.max(1, Math.floor(values.length / 8))) {
      const at = (delta: number): number => noGrad(() => {
        p.copy_(torch.tensor(values.map((v, j) => (j === i ? v + delta : v)), { dtype: 'float64', shape: p.shape }));
        return loss().item();
      });
      numeric.push((at(eps) - at(-eps)) / (2 * eps));
      picked.push(analytic[i]!);
      noGrad(() => p.copy_(torch.tensor(values, { dtype: 'float64', shape: p.shape })));
    }
    assertClose(picked, numeric, { rtol: 1e-4, atol: 1e-7 }, `d loss / d ${name}`);
  }
}

describe('finite-difference gradients (float64)', () => {
  const lengths = [3, 1];
  test('LSTM, 2 layers, bidirectional, projection, variable lengths: input, h0, c0 and parameters', () => {
    torch.manualSeed(50);
    const lstm = new LSTM(2, 3, { numLayers: 2, bidirectional: true, projSize: 2, dtype: 'float64' });
    const opts = { lengths };
    const [x, h0, c0] = [[3, 2, 2], [4, 2, 2], [4, 2, 3]].map((s) => torch.randn(s, { dtype: 'float64', requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const fn = ([a, b, c]: Tensor[]): Tensor[] => { const r = lstm.forward(a!, { h: b!, c: c! }, opts); return [r.output, r.h, r.c]; };
    const ws = fn([x, h0, c0]).map((o) => torch.randn(o.shape, { dtype: 'float64' }));
    gradcheck(fn, [x, h0, c0], ws);
    checkParamGrads(lstm, () => fn([x, h0, c0]).reduce((acc: Tensor, o, i) => acc.add(o.mul(ws[i]!).sum()), torch.zeros([], { dtype: 'float64' })));
  });

  test('GRU, batchFirst, bidirectional, variable lengths: input, h0 and parameters', () => {
    torch.manualSeed(51);
    const gru = new GRU(2, 3, { batchFirst: true, bidirectional: true, dtype: 'float64' });
    const x = torch.randn([2, 3, 2], { dtype: 'float64', requiresGrad: true });
    const h0 = torch.randn([2, 2, 3], { dtype: 'float64', requiresGrad: true });
    const fn = ([a, b]: Tensor[]): Tensor[] => { const r = gru.forward(a!, b!, { lengths }); return [r.output, r.h]; };
    const ws = fn([x, h0]).map((o) => torch.randn(o.shape, { dtype: 'float64' }));
    gradcheck(fn, [x, h0], ws);
    checkParamGrads(gru, () => fn([x, h0]).reduce((acc: Tensor, o, i) => acc.add(o.mul(ws[i]!).sum()), torch.zeros([], { dtype: 'float64' })));
  });

  test('cells: LSTMCell and GRUCell inputs and states', () => {
    torch.manualSeed(52);
    const lc = new LSTMCell(2, 3, { dtype: 'float64' });
    const gc = new GRUCell(2, 3, { dtype: 'float64' });
    const [x, h, c] = [[2, 2], [2, 3], [2, 3]].map((s) => torch.randn(s, { dtype: 'float64', requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const w = [torch.randn([2, 3], { dtype: 'float64' }), torch.randn([2, 3], { dtype: 'float64' })];
    gradcheck(([a, b, d]) => { const r = lc.forward(a!, { h: b!, c: d! }); return [r.h, r.c]; }, [x, h, c], w);
    gradcheck(([a, b]) => gc.forward(a!, b!), [x, h], [w[0]!]);
  });
});

describe('behaviour', () => {
  const seq = (dtype: RNNDType = 'float32'): Tensor => torch.randn([5, 2, 3], { dtype });

  test('inter-layer dropout: only in training mode, and never after the last layer', () => {
    torch.manualSeed(60);
    const drop = new LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const plain = new LSTM(3, 4, { numLayers: 2 });
    plain.loadStateDict(drop.stateDict());
    const x = seq();
    const ref = plain.forward(x).output.dataSync();
    assert.deepEqual(drop.eval().forward(x).output.dataSync(), ref, 'eval: no dropout');
    drop.train();
    torch.manualSeed(1);
    const a = drop.forward(x).output.dataSync();
    torch.manualSeed(1);
    assert.deepEqual(drop.forward(x).output.dataSync(), a, 'the mask comes from the seeded generator');
    assert.notDeepEqual(a, ref, 'training: dropout between layers changes the output');

    const single = new GRU(3, 4, { dropout: 0.5 });
    assert.deepEqual(single.forward(x).output.dataSync(), single.eval().forward(x).output.dataSync(), 'one layer: nothing to drop');

    // With p = 1 the second layer reads zeros: it equals a 1-layer RNN fed zeros, and its own
    // output is not dropped (it is non-zero thanks to the biases).
    const full = new RNN(3, 4, { numLayers: 2, dropout: 1 });
    const top = new RNN(4, 4);
    top.loadStateDict(new Map([...full.stateDict()].filter(([k]) => k.endsWith('_l1')).map(([k, v]) => [k.replace('_l1', '_l0'), v])));
    const r = full.forward(x);
    const expected = top.forward(torch.zeros([5, 2, 4]));
    assertClose(r.output.dataSync(), expected.output.dataSync(), { rtol: 0, atol: 0 }, 'top layer on zeros');
    assert.ok(Array.from(r.output.dataSync()).every((v) => v !== 0));
  });

  test('a sequence can be continued from the returned state; batchFirst and unbatched agree with the default layout', () => {
    torch.manualSeed(61);
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: false, dtype: 'float64' });
    const x = seq('float64');
    const whole = lstm.forward(x);
    const first = lstm.forward(x.narrow(0, 0, 2));
    const rest = lstm.forward(x.narrow(0, 2, 3), first);
    assertClose(rest.output.dataSync(), whole.output.narrow(0, 2, 3).contiguous().dataSync(), { rtol: 1e-14, atol: 1e-15 }, 'continued output');
    assertClose(rest.c.dataSync(), whole.c.dataSync(), { rtol: 1e-14, atol: 1e-15 }, 'continued c');
    const bf = new LSTM(3, 4, { numLayers: 2, batchFirst: true, dtype: 'float64' });
    bf.loadStateDict(lstm.stateDict());
    assertClose(bf.forward(x.transpose(0, 1)).output.transpose(0, 1).contiguous().dataSync(), whole.output.dataSync(), { rtol: 0, atol: 0 }, 'batchFirst');
    const one = lstm.forward(x.select(1, 1));
    assert.deepEqual(one.h.shape, [2, 4]);
    assertClose(one.output.dataSync(), whole.output.select(1, 1).contiguous().dataSync(), { rtol: 1e-14, atol: 1e-15 }, 'unbatched');
  });

  test('double() after construction converts the parameters the forward uses', () => {
    torch.manualSeed(62);
    const gru = new GRU(3, 4, { numLayers: 2 }).double();
    assert.equal(gru.allWeights.length, 2);
    assert.ok(gru.allWeights.flat().every((p) => p.dtype === 'float64'));
    assert.equal(gru.forward(seq('float64')).output.dtype, 'float64');
  });

  test('padded steps are ignored whatever they hold', () => {
    torch.manualSeed(63);
    const rnn = new RNN(3, 4, { bidirectional: true, dtype: 'float64' });
    const x = seq('float64');
    const noisy = torch.cat([x.narrow(0, 0, 2), torch.randn([3, 2, 3], { dtype: 'float64' }).mul(100)], 0);
    const a = rnn.forward(x, null, { lengths: [2, 2] });
    const b = rnn.forward(noisy, null, { lengths: [2, 2] });
    assert.deepEqual(a.output.dataSync(), b.output.dataSync());
    assert.deepEqual(a.h.dataSync(), b.h.dataSync());
    assert.deepEqual(Array.from(a.output.narrow(0, 2, 3).contiguous().dataSync()), new Array<number>(3 * 2 * 8).fill(0));
  });
});

describe('errors name the layer and the shapes', () => {
  const x = torch.randn([5, 2, 3]);
  test('input rank and feature size, state shapes, dtype', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    assert.throws(() => lstm.forward(torch.randn([1, 5, 2, 3])), (e: unknown) => e instanceof ShapeError && /^LSTM: expected input of rank 3 \(L, N, inputSize\) or rank 2 .*got rank 4: \[1,5,2,3\]$/.test(e.message));
    assert.throws(() => new GRU(3, 4).forward(torch.randn([5, 2, 7])), (e: unknown) => e instanceof ShapeError && /^GRU: input's last dimension must equal inputSize = 3: \[5,2,7\]$/.test(e.message));
    assert.throws(() => lstm.forward(x, { h: torch.zeros([2, 3, 4]), c: torch.zeros([2, 2, 4]) }), /LSTM: expected h0 of shape \[2,2,4\] .* for input \[5,2,3\]: \[2,3,4\]/);
    assert.throws(() => lstm.forward(x, { h: torch.zeros([2, 2, 4]), c: torch.zeros([2, 2, 5]) }), /LSTM: expected c0 of shape \[2,2,4\].*: \[2,2,5\]/);
    assert.throws(() => new RNN(3, 4).forward(torch.randn([5, 3]), torch.zeros([1, 1, 4])), /RNN: expected h0 of shape \[1,4\] .* for input \[5,3\]: \[1,1,4\]/);
    assert.throws(() => new LSTM(3, 4, { projSize: 2 }).forward(x, { h: torch.zeros([1, 2, 4]), c: torch.zeros([1, 2, 4]) }), /expected h0 of shape \[1,2,2\] \(numLayers·numDirections, N, projSize\)/);
    assert.throws(() => lstm.forward(torch.randn([5, 2, 3], { dtype: 'float64' })), (e: unknown) => e instanceof DTypeError && /LSTM: input must have the layer's dtype float32, got float64/.test(e.message));
    assert.throws(() => lstm.forward(torch.zeros([0, 2, 3])), /LSTM: expected a sequence length of at least 1: \[0,2,3\]/);
  });

  test('lengths and paddingMask', () => {
    const gru = new GRU(3, 4);
    assert.throws(() => gru.forward(x, null, { lengths: [5, 0] }), /GRU: lengths\[1\] = 0 is out of range: every length must be an integer in 1 … 5/);
    assert.throws(() => gru.forward(x, null, { lengths: [6, 1] }), /lengths\[0\] = 6 is out of range/);
    assert.throws(() => gru.forward(x, null, { lengths: [2.5, 1] }), /lengths\[0\] = 2.5/);
    assert.throws(() => gru.forward(x, null, { lengths: [5, 4, 3] }), /GRU: expected 2 lengths \(one per sequence\) for input \[5,2,3\], got 3/);
    assert.throws(() => gru.forward(x, null, { lengths: torch.tensor([5, 4]) }), /lengths must be a 1-D int32 or int64 tensor, got float32: \[2\]/);
    const mask = torch.tensor([[false, true, false, true, true], [false, false, false, false, false]]);
    assert.throws(() => gru.forward(x, null, { paddingMask: mask }), /GRU: paddingMask row 0 has a valid step 2 after padding/);
    assert.throws(() => gru.forward(x, null, { paddingMask: torch.ones([2, 5], { dtype: 'bool' }) }), /row 0 is all padding/);
    assert.throws(() => gru.forward(x, null, { paddingMask: torch.zeros([5, 2], { dtype: 'bool' }) }), /paddingMask must be a bool tensor of shape \[2,5\] \(N, L\), got bool: \[5,2\]/);
    assert.throws(() => gru.forward(x, null, { lengths: [1, 1], paddingMask: mask }), (e: unknown) => e instanceof ValueError && /either lengths or paddingMask/.test(e.message));
  });

  test('constructor options and cells', () => {
    assert.throws(() => new LSTM(3, 4, { projSize: 4 }), /LSTM: projSize \(4\) has to be smaller than hiddenSize \(4\)/);
    assert.throws(() => new GRU(3, 4, { dropout: 1.5 }), /GRU: dropout should be a number in \[0, 1\]/);
    assert.throws(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' }), /RNN: unknown nonlinearity 'sigmoid'/);
    assert.throws(() => new RNN(3, 0), /RNN: hiddenSize must be a positive integer, got 0/);
    assert.throws(() => new LSTM(3, 4, { numLayers: 1.5 }), /numLayers must be a positive integer/);
    const cell = new LSTMCell(3, 4);
    assert.throws(() => cell.forward(torch.randn([2, 5])), /LSTMCell: input's last dimension must equal inputSize = 3: \[2,5\]/);
    assert.throws(() => cell.forward(torch.randn([2, 3]), { h: torch.zeros([2, 4]), c: torch.zeros([4]) }), /LSTMCell: expected hidden state of shape \[2,4\] for input \[2,3\]: \[4\]/);
    assert.throws(() => new GRUCell(3, 4).forward(torch.randn([1, 2, 3])), /GRUCell: expected input of shape \(N, inputSize\) or \(inputSize\), got rank 3/);
  });
});
