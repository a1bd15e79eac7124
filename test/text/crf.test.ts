import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { optim, type Tensor } from '../../src/index.js';
import { CRF, crfLogPartition, crfScore, crfViterbi } from '../../src/text/index.js';
import { assertClose } from '../helpers/assert.js';
import { gradcheck } from '../helpers/gradcheck.js';

const T = 3;
const L = 4;
const lengths = [4, 2, 1];

function setup(seed: number): { crf: CRF; emissions: Tensor; tags: Tensor; mask: Tensor } {
  torch.manualSeed(seed);
  const crf = new CRF(T).double();
  // Larger than the default init so the transitions matter in the comparison.
  torch.noGrad(() => {
    crf.transitions.copy_(torch.randn([T, T], { dtype: 'float64' }));
    crf.start_transitions.copy_(torch.randn([T], { dtype: 'float64' }));
    crf.end_transitions.copy_(torch.randn([T], { dtype: 'float64' }));
  });
  const emissions = torch.randn([lengths.length, L, T], { dtype: 'float64' });
  const tags = torch.tensor([[0, 2, 1, 1], [2, 0, 1, 1], [1, 0, 0, 0]], { dtype: 'int64' });
  const mask = torch.tensor(lengths.map((n) => Array.from({ length: L }, (_, t) => t < n)));
  return { crf, emissions, tags, mask };
}

/** Every tag sequence of length n. */
function allSequences(n: number): number[][] {
  if (n === 0) return [[]];
  return allSequences(n - 1).flatMap((s) => Array.from({ length: T }, (_, t) => [...s, t]));
}

/** The CRF score of one sequence, straight from the definition. */
function bruteScore(crf: CRF, e: number[][], y: number[]): number {
  const tr = crf.transitions.toArray() as number[][];
  const st = crf.start_transitions.toArray() as number[];
  const en = crf.end_transitions.toArray() as number[];
  let s = st[y[0]!]! + en[y[y.length - 1]!]!;
  y.forEach((tag, t) => { s += e[t]![tag]!; if (t > 0) s += tr[y[t - 1]!]![tag]!; });
  return s;
}

test('CRF negative log-likelihood equals brute-force enumeration of every tag sequence, with masks', () => {
  const { crf, emissions, tags, mask } = setup(0);
  const nll = crf.forward(emissions, tags, { mask, reduction: 'none' }).toArray() as number[];
  const e = emissions.toArray() as number[][][];
  const y = tags.toArray() as number[][];
  lengths.forEach((n, b) => {
    const scores = allSequences(n).map((s) => bruteScore(crf, e[b]!, s));
    const m = Math.max(...scores);
    const logZ = m + Math.log(scores.reduce((acc, s) => acc + Math.exp(s - m), 0));
    const expected = logZ - bruteScore(crf, e[b]!, y[b]!.slice(0, n));
    assertClose([nll[b]!], [expected], { rtol: 1e-12, atol: 1e-12 }, `sequence ${b}`);
  });
});

test('Viterbi decoding returns the brute-force best sequence and its score', () => {
  for (const seed of [1, 2, 3]) {
    const { crf, emissions, mask } = setup(seed);
    const { paths, scores } = crfViterbi(emissions, mask, { start: crf.start_transitions, end: crf.end_transitions, transitions: crf.transitions });
    const e = emissions.toArray() as number[][][];
    lengths.forEach((n, b) => {
      const all = allSequences(n).map((s) => ({ s, score: bruteScore(crf, e[b]!, s) }));
      const best = all.reduce((a, c) => (c.score > a.score ? c : a));
      assert.deepEqual(paths[b], best.s, `seed ${seed}, sequence ${b}`);
      assertClose([scores[b]!], [best.score], { rtol: 1e-12, atol: 1e-12 }, `score ${seed}/${b}`);
    });
    assert.deepEqual(crf.decode(emissions, mask), paths);
  }
});

test('the CRF likelihood gradients match finite differences (emissions and all three parameter tensors)', () => {
  const { crf, emissions, tags, mask } = setup(4);
  const inputs = [emissions.requiresGrad_(), crf.start_transitions.detach().requiresGrad_(), crf.end_transitions.detach().requiresGrad_(), crf.transitions.detach().requiresGrad_()];
  const fn = ([e, start, end, transitions]: Tensor[]): Tensor => {
    const p = { start: start!, end: end!, transitions: transitions! };
    return crfLogPartition(e!, mask, p).sub(crfScore(e!, tags, mask, p));
  };
  gradcheck(fn, inputs, [torch.tensor([1, -0.5, 2], { dtype: 'float64' })], { tol: { rtol: 1e-6, atol: 1e-8 } });
});

test('reductions: mean over sequences by default, sum, and tokenMean over real tokens', () => {
  const { crf, emissions, tags, mask } = setup(5);
  const none = crf.forward(emissions, tags, { mask, reduction: 'none' }).toArray() as number[];
  const sum = none.reduce((a, b) => a + b, 0);
  assertClose([crf.forward(emissions, tags, { mask }).item()], [sum / 3], { rtol: 1e-12, atol: 0 }, 'mean');
  assertClose([crf.forward(emissions, tags, { mask, reduction: 'sum' }).item()], [sum], { rtol: 1e-12, atol: 0 }, 'sum');
  assertClose([crf.forward(emissions, tags, { mask, reduction: 'tokenMean' }).item()], [sum / 7], { rtol: 1e-12, atol: 0 }, 'tokenMean');
});

test('batchFirst false reads (L, N, T) emissions and gives the same result', () => {
  const { crf, emissions, tags, mask } = setup(6);
  const seqFirst = new CRF(T, { batchFirst: false }).double();
  seqFirst.loadStateDict(crf.stateDict());
  const a = crf.forward(emissions, tags, { mask, reduction: 'none' }).toArray() as number[];
  const b = seqFirst.forward(emissions.transpose(0, 1), tags.transpose(0, 1), { mask: mask.transpose(0, 1), reduction: 'none' }).toArray() as number[];
  assertClose(b, a, { rtol: 1e-12, atol: 0 }, 'nll');
  assert.deepEqual(seqFirst.decode(emissions.transpose(0, 1), mask.transpose(0, 1)), crf.decode(emissions, mask));
});

test('CRF parameters have pytorch-crf names and U(-0.1, 0.1) initial values', () => {
  torch.manualSeed(0);
  const crf = new CRF(4);
  assert.deepEqual([...crf.stateDict().keys()], ['start_transitions', 'end_transitions', 'transitions']);
  for (const p of crf.parameters()) for (const v of p.dataSync()) assert.ok(v >= -0.1 && v <= 0.1);
});

test('training the CRF on fixed emissions lowers the loss and decodes the taught sequences', () => {
  torch.manualSeed(7);
  const crf = new CRF(3);
  const emissions = torch.zeros([2, 3, 3]); // uninformative: everything must come from transitions
  const tags = torch.tensor([[0, 1, 2], [0, 1, 2]], { dtype: 'int64' });
  const opt = new optim.Adam(crf.parameters(), { lr: 0.1 });
  const first = crf.forward(emissions, tags).item();
  let last = first;
  for (let i = 0; i < 30; i++) {
    opt.zeroGrad();
    const loss = crf.forward(emissions, tags);
    loss.backward();
    opt.step();
    last = loss.item();
  }
  assert.ok(last < first * 0.2, `loss ${first} → ${last}`);
  assert.deepEqual(crf.decode(emissions), [[0, 1, 2], [0, 1, 2]]);
});

test('masks must start true and have no gaps; shapes and tags are checked', () => {
  const crf = new CRF(3);
  const e = torch.randn([1, 3, 3]);
  const tags = torch.tensor([[0, 1, 2]], { dtype: 'int64' });
  assert.throws(() => crf.forward(e, tags, { mask: torch.tensor([[true, false, true]]) }), /mask row 0 has a gap/);
  assert.throws(() => crf.forward(e, tags, { mask: torch.tensor([[false, false, false]]) }), /starts with false/);
  assert.throws(() => crf.forward(torch.randn([1, 3, 4]), tags), /emissions have 4 tags, the CRF has 3/);
  assert.throws(() => crf.forward(e, torch.tensor([[0, 1, 5]], { dtype: 'int64' })), /tag 5 is outside 0 … 2/);
});
