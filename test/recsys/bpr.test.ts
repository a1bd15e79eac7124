import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BPR } from '../../src/recsys/bpr.js';
import { hitRate, plantedBlocks, popularityHitRate } from './planted-blocks.js';

test('BPR recovers planted blocks: hit rate@5 beats popularity and top items come from the user\'s block', () => {
  const w = plantedBlocks({ seed: 1 });
  const bpr = new BPR({ factors: 8, iterations: 150, learningRate: 0.05, seed: 0 }).fit(w.train);
  const model = hitRate(bpr, w.heldOut, 5);
  const pop = popularityHitRate(w.train, w.heldOut, 5);
  assert.ok(model >= 0.7, `BPR hit rate ${model}`);
  assert.ok(model > pop + 0.2, `BPR ${model} vs popularity ${pop}`);
  let pure = 0;
  let total = 0;
  for (const [user, g] of w.userBlock) for (const s of bpr.recommend(user, 5)) { total++; if (w.itemBlock.get(s.item) === g) pure++; }
  assert.ok(pure / total >= 0.95, `block purity ${pure / total}`);
  assert.ok(bpr.lastEpochAccuracy > 0.9, `last epoch ranked ${bpr.lastEpochAccuracy} of triples right`);
});

test('BPR similar items share a block; save/load round-trips; cold start never throws', () => {
  const w = plantedBlocks({ seed: 2 });
  const bpr = new BPR({ factors: 8, iterations: 100, learningRate: 0.05 }).fit(w.train);
  const same = bpr.similarItems('i2_3', 4).filter((s) => w.itemBlock.get(s.item) === 2).length;
  assert.ok(same >= 3, `${same} of 4 similar items share the block`);
  const copy = BPR.fromJSON(JSON.parse(JSON.stringify(bpr.toJSON())));
  assert.deepEqual(copy.recommend('u20', 5), bpr.recommend('u20', 5));
  assert.equal(copy.predict('u20', 'i1_1'), bpr.predict('u20', 'i1_1'));
  // Unknown user: item bias; unknown item: 0; recommend by popularity.
  assert.equal(bpr.predict('stranger', 'no-item'), 0);
  assert.ok(Number.isFinite(bpr.predict('stranger', 'i0_0')));
  assert.equal(bpr.recommend('stranger', 4).length, 4);
});

test('BPR is seeded and validates options', () => {
  const w = plantedBlocks({ seed: 3 });
  const a = new BPR({ factors: 4, iterations: 5, seed: 7 }).fit(w.train);
  const b = new BPR({ factors: 4, iterations: 5, seed: 7 }).fit(w.train);
  assert.deepEqual(a.itemFactors, b.itemFactors);
  assert.throws(() => new BPR({ learningRate: 0 }), /BPR: learningRate must be > 0, got 0/);
  assert.throws(() => BPR.fromJSON({ ...a.toJSON(), type: 'als' }), /BPR\.fromJSON: not a saved 'bpr' model/);
});

test('recommendMany (block matrix product) gives the same lists as recommend, cold users included', () => {
  const w = plantedBlocks({ seed: 4 });
  const bpr = new BPR({ factors: 8, iterations: 20, seed: 1 }).fit(w.train);
  const users = [...w.userBlock.keys(), 'stranger'];
  const many = bpr.recommendMany(users, 5, { blockSize: 7 });
  assert.equal(many.length, users.length);
  users.forEach((u, at) => {
    const one = bpr.recommend(u, 5);
    assert.deepEqual(many[at]!.map((s) => s.item), one.map((s) => s.item), u);
    // Another summation order: scores agree to float32 rounding (|score| < 10 here).
    many[at]!.forEach((s, r) => assert.ok(Math.abs(s.score - one[r]!.score) < 1e-5));
  });
});
