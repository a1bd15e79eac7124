/**
 * The fused recurrent sequence ops (ops/rnn-seq.ts; wasm kernels lstmSeq/lstmSeqBackward in
 * kernels/lstm.ts, rnnSeq/rnnSeqBackward in kernels/rnn.ts) against the per-step composite they
 * replace: nn.LSTM, nn.GRU and nn.RNN with the fused path switched off on the same backend,
 * and on the reference backend (which has no fused kernels). Outputs, final states and the
 * gradients of the input, the initial states and every parameter, over 1 and 2 layers,
 * bidirectional, batchFirst both ways, given initial states, no bias, variable lengths and an
 * unbatched input; plus a float64 finite-difference check of the op itself and double backward.
 *
 * Tolerances: the forward runs the same matmul and cell arithmetic as the composite, and the
 * backward the same cell rule; only the order of sums differs (dW_hh and db_hh are one product
 * and one sum over all steps instead of per-step terms added up by autograd). float64 agrees
 * within 1e-12 relative; float32 within rtol 1e-5 / atol 1e-6 (a few ulps of gradients that sum
 * L·N = 15 terms).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, type Tensor } from '../../src/index.js';
import { GRU, LSTM, RNN, type RNNForwardOptions } from '../../src/nn/layers/rnn.js';
import { setFusedPath } from '../../src/ops/fused-switch.js';
import { cellStep } from '../../src/nn/layers/rnn-cells.js';
import { lstmSequenceFused, rnnSequenceFused } from '../../src/ops/rnn-seq.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { gradcheck } from '../helpers/gradcheck.js';

type DType = 'float32' | 'float64';
const TOL: Record<DType, Tolerance> = { float64: { rtol: 1e-12, atol: 1e-14 }, float32: { rtol: 1e-5, atol: 1e-6 } };

interface Case {
  name: string;
  numLayers?: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  bias?: boolean;
  /** Pass random initial states (else zeros). */
  states?: boolean;
  lengths?: number[];
  unbatched?: boolean;
  /** Hidden size; default 6. */
  hidden?: number;
  /** Batch size; default 3. */
  batch?: number;
}

// Hidden size 6 runs both the 4-wide SIMD loop and the scalar tail of the float32 kernels, and
// the general matmul for the recurrent product; 16 runs W_hh packed once per sequence (rgemm.ts,
// float32 with G·H and H multiples of 8) in forward and backward; its batch of 5 rows runs both
// the 4-row tiles and the single-row tail of that product.
const [INPUT, L] = [5, 5];
const CASES: Case[] = [
  { name: '1 layer' },
  { name: '2 layers, bidirectional, batchFirst, given h0 and c0', numLayers: 2, bidirectional: true, batchFirst: true, states: true },
  { name: 'bidirectional without bias, given h0 and c0', bidirectional: true, bias: false, states: true },
  { name: '2 layers, variable lengths', numLayers: 2, lengths: [5, 2, 4] },
  { name: '2 layers, bidirectional, batchFirst, variable lengths, given h0 and c0', numLayers: 2, bidirectional: true, batchFirst: true, lengths: [3, 5, 1], states: true },
  { name: 'unbatched, bidirectional', bidirectional: true, unbatched: true, states: true },
  { name: 'hidden size 16, batch 5, bidirectional, variable lengths, given h0 and c0', hidden: 16, batch: 5, bidirectional: true, lengths: [2, 5, 4, 1, 5], states: true },
  { name: 'hidden size 16, batch 5, 2 layers', hidden: 16, batch: 5, numLayers: 2 },
];

/** Outputs and gradients of one run, by name. */
type Result = Map<string, number[]>;

type Kind = 'LSTM' | 'GRU' | 'RNN tanh' | 'RNN relu';
const KINDS: Kind[] = ['LSTM', 'GRU', 'RNN tanh', 'RNN relu'];

/** Builds the case's layer from a fixed seed, runs forward and backward of Σ w·(output, h[, c]). */
function runCase(kind: Kind, c: Case, dtype: DType, fused: boolean): Result {
  const prev = setFusedPath('recurrence', fused);
  try {
    torch.manualSeed(7);
    const hidden = c.hidden ?? 6;
    const N = c.batch ?? 3;
    const o = { numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias, dtype };
    const layer = kind === 'LSTM' ? new LSTM(INPUT, hidden, o) : kind === 'GRU' ? new GRU(INPUT, hidden, o)
      : new RNN(INPUT, hidden, { ...o, nonlinearity: kind === 'RNN tanh' ? 'tanh' : 'relu' });
    const rows = (c.numLayers ?? 1) * (c.bidirectional ? 2 : 1);
    const batch = c.unbatched ? [] : [N];
    const xShape = c.unbatched ? [L, INPUT] : c.batchFirst ? [N, L, INPUT] : [L, N, INPUT];
    const x = torch.randn(xShape, { dtype, requiresGrad: true });
    const h0 = c.states ? torch.randn([rows, ...batch, hidden], { dtype, requiresGrad: true }) : null;
    const c0 = c.states ? torch.randn([rows, ...batch, hidden], { dtype, requiresGrad: true }) : null;
    const opts: RNNForwardOptions = c.lengths ? { lengths: c.lengths } : {};
    const outs: Record<string, Tensor> = layer instanceof LSTM
      ? { ...layer.forward(x, h0 && c0 ? { h: h0, c: c0 } : null, opts) }
      : { ...layer.forward(x, h0, opts) };
    let loss = torch.zeros([], { dtype });
    for (const o of Object.values(outs)) loss = loss.add(o.mul(torch.randn(o.shape, { dtype })).sum());
    loss.backward();
    const res: Result = new Map();
    for (const [k, o] of Object.entries(outs)) res.set(k, Array.from(o.contiguous().dataSync()));
    for (const [k, t] of [['grad input', x], ['grad h0', h0], ['grad c0', kind === 'LSTM' ? c0 : null]] as const) if (t) res.set(k, Array.from(t.grad!.dataSync()));
    for (const [k, p] of layer.namedParameters()) res.set(`grad ${k}`, Array.from(p.grad!.dataSync()));
    return res;
  } finally {
    setFusedPath('recurrence', prev);
  }
}

function assertSame(actual: Result, expected: Result, tol: Tolerance, what: string): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], `${what}: the same outputs and gradients`);
  for (const [k, v] of expected) assertClose(actual.get(k)!, v, tol, `${what}: ${k}`);
}

/** Autograd nodes reachable from t (the fused path records one per layer direction, the composite ~10 per step). */
function graphSize(t: Tensor): number {
  const seen = new Set<Tensor>();
  const stack = [t];
  while (stack.length > 0) {
    const u = stack.pop()!;
    if (seen.has(u) || !u.gradFn) continue;
    seen.add(u);
    for (const i of u.gradFn.inputs) if (i) stack.push(i);
  }
  return seen.size;
}

describe('fused recurrent sequence ops', () => {
  test('the wasm backend has the sequence kernels; LSTM, GRU and RNN record one node per layer direction with them, and give the same numbers under noGrad', () => {
    const f = torch.getBackend('wasm').fused;
    assert.ok(f?.lstmSeq && f.lstmSeqBackward && f.rnnSeq && f.rnnSeqBackward);
    torch.withBackend('wasm', () => {
      for (const layer of [new LSTM(4, 8), new GRU(4, 8), new RNN(4, 8)]) {
        const x = torch.randn([40, 2, 4]);
        const fusedNodes = graphSize(layer.forward(x).output);
        const prev = setFusedPath('recurrence', false);
        const stepNodes = graphSize(layer.forward(x).output);
        setFusedPath('recurrence', prev);
        assert.ok(fusedNodes < 12, `${layer.mode} fused graph: ${fusedNodes} nodes`);
        assert.ok(stepNodes > 40 * 3, `${layer.mode} per-step graph: ${stepNodes} nodes`);
        const graded = layer.forward(x, null, { lengths: [40, 17] }).output.dataSync();
        const inference = torch.noGrad(() => layer.forward(x, null, { lengths: [40, 17] }).output.dataSync());
        assert.deepEqual(inference, graded, `${layer.mode}: noGrad output`);
      }
    });
  });

  for (const kind of KINDS) {
    for (const c of CASES) {
      test(`${kind}, ${c.name}: fused on wasm equals the per-step composite on wasm (float32, float64) and on the reference backend (float64)`, () => {
        torch.withBackend('wasm', () => {
          for (const dtype of ['float32', 'float64'] as const) {
            assertSame(runCase(kind, c, dtype, true), runCase(kind, c, dtype, false), TOL[dtype], `wasm ${dtype}`);
          }
        });
        const fused = torch.withBackend('wasm', () => runCase(kind, c, 'float64', true));
        const reference = torch.withBackend('cpu', () => runCase(kind, c, 'float64', true));
        assertSame(fused, reference, TOL.float64, 'wasm fused vs cpu composite');
      });
    }
  }

  test('float64 finite differences through the op: gi, h0, c0, W_hh and b_hh, forward and reverse, with lengths', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(11);
      const [l, n, h] = [4, 3, 5];
      const mk = (shape: number[]): Tensor => torch.randn(shape, { dtype: 'float64', requiresGrad: true }).mul(0.5).detach().requiresGrad_(true);
      const inputs = [mk([l, n, 4 * h]), mk([n, h]), mk([n, h]), mk([4 * h, h]), mk([4 * h])];
      const composite = (): Tensor => { throw new Error('the composite is only for createGraph'); };
      for (const reverse of [false, true]) {
        for (const lengths of [null, [4, 1, 3]]) {
          const fn = ([gi, h0, c0, whh, bhh]: Tensor[]): Tensor[] => {
            const r = lstmSequenceFused(gi!, h0!, c0!, whh!, bhh!, lengths, reverse, composite);
            assert.ok(r, 'the fused kernel ran');
            return [r.out, r.h, r.c];
          };
          const ws = fn(inputs).map((o) => torch.randn(o.shape, { dtype: 'float64' }));
          gradcheck(fn, inputs, ws, { tol: { rtol: 1e-6, atol: 1e-9 } });
        }
      }
    });
  });

  test('float64 finite differences through the GRU and RNN op: gi, h0, W_hh and b_hh, forward and reverse, with lengths', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(14);
      const [l, n, h] = [4, 3, 5];
      const composite = (): Tensor => { throw new Error('the composite is only for createGraph'); };
      for (const mode of ['GRU', 'RNN_TANH', 'RNN_RELU'] as const) {
        const g = mode === 'GRU' ? 3 : 1;
        const mk = (shape: number[]): Tensor => torch.randn(shape, { dtype: 'float64' }).mul(0.5).requiresGrad_(true);
        const inputs = [mk([l, n, g * h]), mk([n, h]), mk([g * h, h]), mk([g * h])];
        for (const [reverse, lengths] of [[false, null], [true, [4, 1, 3]]] as const) {
          const fn = ([gi, h0, whh, bhh]: Tensor[]): Tensor[] => {
            const r = rnnSequenceFused(mode, gi!, h0!, whh!, bhh!, lengths, reverse, composite);
            assert.ok(r, 'the fused kernel ran');
            return [r.out, r.h];
          };
          const ws = fn(inputs).map((o) => torch.randn(o.shape, { dtype: 'float64' }));
          gradcheck(fn, inputs, ws, { tol: { rtol: 1e-6, atol: 1e-9 } });
        }
      }
    });
  });

  test('the op without a fused kernel for its inputs returns null, and its composite gives the same numbers as cellStep', () => {
    const out = torch.withBackend('cpu', () => {
      const z = torch.zeros([2, 1, 4]);
      return lstmSequenceFused(z, torch.zeros([1, 1]), torch.zeros([1, 1]), torch.zeros([4, 1]), null, null, false, () => z);
    });
    assert.equal(out, null);
    // cellStep is what the composite runs per step; one step of the op must match it.
    torch.withBackend('wasm', () => {
      torch.manualSeed(12);
      const [gi, h0, c0, whh, bhh] = [[1, 2, 8], [2, 2], [2, 2], [8, 2], [8]].map((s) => torch.randn(s, { dtype: 'float64' })) as [Tensor, Tensor, Tensor, Tensor, Tensor];
      const r = lstmSequenceFused(gi, h0, c0, whh, bhh, null, false, () => gi)!;
      const s = cellStep('LSTM', gi.select(0, 0), h0, c0, whh, bhh, null);
      assertClose(r.h.dataSync(), s.h.dataSync(), TOL.float64, 'h');
      assertClose(r.c.dataSync(), s.c!.dataSync(), TOL.float64, 'c');
    });
  });

  test('double backward (createGraph) through the fused path equals the per-step path (LSTM, GRU)', () => {
    torch.withBackend('wasm', () => {
      const second = (kind: 'LSTM' | 'GRU', fused: boolean): number[] => {
        const prev = setFusedPath('recurrence', fused);
        try {
          torch.manualSeed(13);
          const layer = kind === 'LSTM' ? new LSTM(3, 4, { bidirectional: true, dtype: 'float64' }) : new GRU(3, 4, { bidirectional: true, dtype: 'float64' });
          const x = torch.randn([4, 2, 3], { dtype: 'float64', requiresGrad: true });
          const r = layer.forward(x, null, { lengths: [4, 2] });
          const loss = r.output.pow(2).sum().add(r.h.sum());
          const [dx] = grad([loss], [x], { createGraph: true });
          const [w] = layer.allWeights[0]!;
          const [dw] = grad([dx!.pow(2).sum()], [w!]);
          return [...Array.from(dx!.dataSync()), ...Array.from(dw!.dataSync())];
        } finally {
          setFusedPath('recurrence', prev);
        }
      };
      for (const kind of ['LSTM', 'GRU'] as const) assertClose(second(kind, true), second(kind, false), TOL.float64, `${kind}: d/dW_ih of |dL/dx|²`);
    });
  });
});
