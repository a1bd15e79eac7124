import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALS } from '../../src/recsys/als.js';
import { BPR } from '../../src/recsys/bpr.js';
import { interactionsFrom } from '../../src/recsys/interactions.js';
import { hitRate, plantedBlocks, popularityHitRate } from './planted-blocks.js';

test('ALS recovers planted blocks: hit rate@5 of held-out items beats popularity by a wide margin', () => {
  const w = plantedBlocks({ seed: 1 });
  const als = new ALS({ factors: 3, iterations: 10, regularization: 0.1, seed: 0 }).fit(w.train);
  const model = hitRate(als, w.heldOut, 5);
  const pop = popularityHitRate(w.train, w.heldOut, 5);
  // Rank 3 = the number of blocks, so the factors must encode the blocks. A perfect block model hits ~5/6 (5 slots for 6 unseen own-block items); popularity only serves block 0 (half the users).
  assert.ok(model >= 0.7, `ALS hit rate ${model}`);
  assert.ok(model > pop + 0.2, `ALS ${model} vs popularity ${pop}`);
  // Every top-5 item of every user is from the user's own block.
  for (const [user, g] of w.userBlock) {
    for (const s of als.recommend(user, 5)) assert.equal(w.itemBlock.get(s.item), g, `${user} got ${s.item}`);
  }
});

test('ALS with the Cholesky solver matches the CG solver ranking on planted blocks', () => {
  const w = plantedBlocks({ seed: 2 });
  const chol = new ALS({ factors: 3, iterations: 8, regularization: 0.1, solver: 'cholesky' }).fit(w.train);
  assert.ok(hitRate(chol, w.heldOut, 5) >= 0.7);
});

test('ALS excludes seen items, honours exclude, and falls back to popularity for unknown users', () => {
  const w = plantedBlocks({ seed: 3 });
  const als = new ALS({ factors: 6, iterations: 5 }).fit(w.train);
  const seen = new Set<string>();
  for (let q = 0; q < w.train.users.length; q++) if (w.train.users[q] === 0) seen.add(w.train.itemIds[w.train.items[q]!]!);
  const recs = als.recommend('u0', 10);
  assert.equal(recs.length, 10);
  for (const r of recs) assert.ok(!seen.has(r.item));
  for (let k = 1; k < recs.length; k++) assert.ok(recs[k - 1]!.score >= recs[k]!.score);
  const withSeen = als.recommend('u0', 40, { excludeSeen: false, exclude: [recs[0]!.item] });
  assert.equal(withSeen.length, 35);
  assert.ok(!withSeen.some((r) => r.item === recs[0]!.item));
  const cold = als.recommend('nobody', 3);
  assert.equal(cold.length, 3);
  assert.equal(cold[0]!.score, Math.max(...cold.map((c) => c.score)));
  assert.equal(als.predict('nobody', 'i0_0'), 0);
  assert.equal(als.predict('u0', 'no-such-item'), 0);
  assert.deepEqual(als.similarItems('no-such-item', 3), []);
});

test('ALS similar items are from the same block and toJSON/fromJSON round-trips exactly', () => {
  const w = plantedBlocks({ seed: 4 });
  const als = new ALS({ factors: 3, iterations: 10, regularization: 0.1 }).fit(w.train);
  for (const s of als.similarItems('i1_0', 4)) assert.equal(w.itemBlock.get(s.item), 1);
  const copy = ALS.fromJSON(JSON.parse(JSON.stringify(als.toJSON())));
  assert.deepEqual(copy.recommend('u3', 5), als.recommend('u3', 5));
  assert.equal(copy.predict('u3', 'i0_1'), als.predict('u3', 'i0_1'));
  assert.deepEqual(copy.options, als.options);
});

test('ALS is deterministic under a seed and rejects bad options and non-positive weights with clear errors', () => {
  const w = plantedBlocks({ seed: 5 });
  const a = new ALS({ factors: 4, iterations: 3, seed: 9 }).fit(w.train);
  const b = new ALS({ factors: 4, iterations: 3, seed: 9 }).fit(w.train);
  assert.deepEqual(a.userFactors, b.userFactors);
  assert.throws(() => new ALS({ factors: 0 }), /ALS: factors must be a positive integer, got 0/);
  // An option given as undefined (an absent CLI flag) keeps its default.
  assert.equal(new ALS({ factors: undefined, alpha: 2 }).options.factors, 100);
  assert.throws(() => new ALS().fit(interactionsFrom([{ user: 'a', item: 'x', rating: -1 }])), /ALS\.fit: interaction 0 \(user a, item x\) has weight -1/);
  assert.throws(() => new ALS().recommend('a', 1), /ALS\.recommend|als\.recommend: call fit first/);
  assert.throws(() => ALS.fromJSON(JSON.parse('{"type":"bpr","version":1}')), /not a saved 'als' model/);
});

test('ALS and BPR treat a user known only from a shared id space (no training interaction) as cold: popularity', () => {
  const rows = [
    { user: 'a', item: 'x' }, { user: 'b', item: 'x' }, { user: 'c', item: 'x' }, { user: 'a', item: 'y' }, { user: 'b', item: 'y' }, { user: 'c', item: 'z' },
  ];
  const data = interactionsFrom(rows, { implicit: true, userIds: ['idle'] });
  for (const model of [new ALS({ factors: 2, iterations: 3 }).fit(data), new BPR({ factors: 2, iterations: 3 }).fit(data)]) {
    assert.deepEqual(model.recommend('idle', 3), [{ item: 'x', score: 3 }, { item: 'y', score: 2 }, { item: 'z', score: 1 }], model.name);
  }
});

// The normal equations of implicit ALS for item i with the user factors X fixed (Hu et al. eq. 4):
// (XᵀX + Xᵀ(Cᵢ − I)X + λI) yᵢ = XᵀCᵢpᵢ with c = 1 + α·r. Returns the largest |residual|.
function itemResidual(X: Float32Array, Y: Float32Array, d: number, rows: Array<{ u: number; i: number; r: number }>, nI: number, lambda: number, alpha: number): number {
  const nU = X.length / d;
  let worst = 0;
  for (let i = 0; i < nI; i++) {
    const A = Array.from({ length: d }, (_, f) => Array.from({ length: d }, (_, g) => (f === g ? lambda : 0)));
    const b = new Array<number>(d).fill(0);
    for (let u = 0; u < nU; u++) for (let f = 0; f < d; f++) for (let g = 0; g < d; g++) A[f]![g]! += X[u * d + f]! * X[u * d + g]!;
    for (const { u, i: j, r } of rows) {
      if (j !== i) continue;
      const c = 1 + alpha * r;
      for (let f = 0; f < d; f++) {
        b[f]! += c * X[u * d + f]!;
        for (let g = 0; g < d; g++) A[f]![g]! += (c - 1) * X[u * d + f]! * X[u * d + g]!;
      }
    }
    for (let f = 0; f < d; f++) {
      let s = -b[f]!;
      for (let g = 0; g < d; g++) s += A[f]![g]! * Y[i * d + g]!;
      worst = Math.max(worst, Math.abs(s) / Math.max(1, Math.abs(b[f]!)));
    }
  }
  return worst;
}

test('ALS solves the implicit normal equations: exactly with Cholesky, and CG with d steps reaches the same factors', () => {
  const rows: Array<{ u: number; i: number; r: number }> = [];
  for (let u = 0; u < 12; u++) for (let i = 0; i < 9; i++) if ((u * 7 + i * 3) % 4 === 0) rows.push({ u, i, r: 1 + ((u + i) % 3) });
  const data = interactionsFrom(rows.map(({ u, i, r }) => ({ user: `u${u}`, item: `i${i}`, rating: r })), { implicit: true });
  // Dense ids follow first appearance, which here is the (u, i) order of `rows`.
  const dense = rows.map(({ u, i, r }) => ({ u: data.userIndex.get(`u${u}`)!, i: data.itemIndex.get(`i${i}`)!, r }));
  const opts = { factors: 4, iterations: 3, regularization: 0.5, alpha: 2, seed: 3 };
  const chol = new ALS({ ...opts, solver: 'cholesky' }).fit(data);
  // The item half-sweep runs last, so the final item factors solve their equations for the final user factors.
  // Tolerance 1e-4 relative: factors are stored as float32.
  assert.ok(itemResidual(chol.userFactors, chol.itemFactors, 4, dense, data.itemIds.length, 0.5, 2) < 1e-4);
  assert.ok(itemResidual(chol.userFactors, chol.itemFactors, 4, dense, data.itemIds.length, 0.5, 2.5) > 1e-2); // the check can fail
  const cg = new ALS({ ...opts, solver: 'cg', cgSteps: 4 }).fit(data);
  for (let k = 0; k < cg.itemFactors.length; k++) assert.ok(Math.abs(cg.itemFactors[k]! - chol.itemFactors[k]!) < 1e-3, `factor ${k}: ${cg.itemFactors[k]} vs ${chol.itemFactors[k]}`);
});

test('ALS fold-in: a new user\'s history gives a vector that solves the user half-step, and recommendations from its own block', () => {
  const w = plantedBlocks({ seed: 6 });
  const als = new ALS({ factors: 3, iterations: 10, regularization: 0.1, alpha: 2, seed: 0 }).fit(w.train);
  // A user the model never saw, with three block-2 items (one twice: weights are summed).
  const history = ['i2_0', { item: 'i2_1', weight: 2 }, 'i2_2', { item: 'i2_0' }];
  const x = als.userVectorFor(history);
  assert.equal(x.length, 3);
  // x solves (YᵀY + Σ (c − 1) y yᵀ + λI) x = Σ c·y with c = 1 + α·r, r the summed weights (i2_0: 2, i2_1: 2, i2_2: 1).
  const Y = als.itemFactors;
  const ids = als.itemIds;
  const d = 3;
  const weights = new Map([['i2_0', 2], ['i2_1', 2], ['i2_2', 1]]);
  const A = Array.from({ length: d }, (_, f) => Array.from({ length: d }, (_, g): number => (f === g ? 0.1 : 0)));
  const b = new Array<number>(d).fill(0);
  ids.forEach((id, i) => {
    const c = 1 + 2 * (weights.get(id) ?? 0);
    for (let f = 0; f < d; f++) {
      if (weights.has(id)) b[f]! += c * Y[i * d + f]!;
      for (let g = 0; g < d; g++) A[f]![g]! += c * Y[i * d + f]! * Y[i * d + g]!;
    }
  });
  for (let f = 0; f < d; f++) {
    const ax = A[f]!.reduce((s, a, g) => s + a * x[g]!, 0);
    assert.ok(Math.abs(ax - b[f]!) <= 1e-4 * Math.max(1, Math.abs(b[f]!)), `row ${f}: Ax ${ax} vs b ${b[f]}`);
  }
  const recs = als.recommendFor(history, 5);
  assert.equal(recs.length, 5);
  for (const r of recs) {
    assert.equal(w.itemBlock.get(r.item), 2, `got ${r.item}`);
    assert.ok(!weights.has(r.item), 'the history is left out');
    const i = ids.indexOf(r.item);
    assert.ok(Math.abs(r.score - (x[0]! * Y[i * d]! + x[1]! * Y[i * d + 1]! + x[2]! * Y[i * d + 2]!)) < 1e-5);
  }
  for (let k = 1; k < recs.length; k++) assert.ok(recs[k - 1]!.score >= recs[k]!.score);
  assert.ok(als.recommendFor(history, 40, { excludeSeen: false }).some((r) => r.item === 'i2_0'));
});

test('ALS fold-in of a training user\'s history ranks like the fitted user (exact solver)', () => {
  const w = plantedBlocks({ seed: 7 });
  const als = new ALS({ factors: 3, iterations: 12, regularization: 0.1, solver: 'cholesky', seed: 0 }).fit(w.train);
  const history: string[] = [];
  for (let q = 0; q < w.train.users.length; q++) if (w.train.users[q] === 5) history.push(w.train.itemIds[w.train.items[q]!]!);
  const fitted = als.recommend(w.train.userIds[5]!, 5).map((r) => r.item);
  const folded = als.recommendFor(history, 5).map((r) => r.item);
  assert.deepEqual(new Set(folded), new Set(fitted));
});

test('ALS fold-in: unknown items and bad weights are clear errors; ignoreUnknown skips them; an empty history gets the popularity list', () => {
  const w = plantedBlocks({ seed: 8 });
  const als = new ALS({ factors: 3, iterations: 3 }).fit(w.train);
  assert.throws(() => als.recommendFor(['i0_0', 'brand-new'], 3), /ALS\.recommendFor: item brand-new is not in the model \(pass ignoreUnknown: true/);
  assert.throws(() => als.userVectorFor([{ item: 'i0_0', weight: 0 }]), /ALS\.userVectorFor: item i0_0 has weight 0; implicit ALS needs positive weights/);
  assert.throws(() => als.recommendFor(['i0_0'], -1), /k must be a non-negative integer/);
  assert.deepEqual(als.recommendFor(['i0_0', 'brand-new'], 4, { ignoreUnknown: true }), als.recommendFor(['i0_0'], 4));
  assert.deepEqual(als.recommendFor([], 3), als.recommend('nobody', 3));
  assert.deepEqual(Array.from(als.userVectorFor(['brand-new'], { ignoreUnknown: true })), [0, 0, 0]);
  assert.throws(() => new ALS().recommendFor(['x'], 1), /call fit first/);
});
