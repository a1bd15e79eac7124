import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Popularity, SVD, SVDpp, evaluate, interactionsFrom, randomSplit, syntheticRecsys } from '../../src/recsys/index.js';

const close = (a: number, b: number, what: string, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} != ${b}`);

test('SVD makes Surprise\'s SGD step (checked by hand from a constant initialisation)', () => {
  const d = interactionsFrom([{ user: 'A', item: 'x', rating: 4 }]);
  // initStd 0: every factor starts at 0.5; μ = 4, dot = 2·0.25 = 0.5, err = −0.5.
  const m = new SVD({ nFactors: 2, nEpochs: 1, initMean: 0.5, initStd: 0 }).fit(d);
  const lr = 0.005, reg = 0.02, err = -0.5;
  close(m.bu[0]!, lr * err, 'bu');
  close(m.bi[0]!, lr * err, 'bi');
  const p = 0.5 + lr * (err * 0.5 - reg * 0.5);
  // q uses the old p (0.5), so it makes the same step.
  for (let f = 0; f < 2; f++) {
    close(m.pu[f]!, p, `pu[${f}]`);
    close(m.qi[f]!, p, `qi[${f}]`);
  }
  close(m.predict('A', 'x'), Math.min(4, 4 + 2 * lr * err + 2 * p * p), 'predict (clipped to [4, 4])');
});

test('SVD++ makes Surprise\'s per-rating SGD step (checked by hand)', () => {
  const d = interactionsFrom([{ user: 'A', item: 'x', rating: 4 }]);
  const m = new SVDpp({ nFactors: 1, nEpochs: 1, initMean: 0.5, initStd: 0, yUpdate: 'per-rating' }).fit(d);
  const lr = 0.007, reg = 0.02;
  // |I_u| = 1: implicit = y = 0.5; dot = q·(p + y) = 0.5; err = 4 − 4.5.
  const err = -0.5;
  close(m.bu[0]!, lr * err, 'bu');
  close(m.pu[0]!, 0.5 + lr * (err * 0.5 - reg * 0.5), 'pu');
  close(m.qi[0]!, 0.5 + lr * (err * (0.5 + 0.5) - reg * 0.5), 'qi');
  close(m.yj[0]!, 0.5 + lr * (err * 0.5 - reg * 0.5), 'yj');
});

test('SVD cold start: unknown users and items fall back to biases, never throw', () => {
  const d = interactionsFrom([{ user: 'A', item: 'x', rating: 4 }, { user: 'B', item: 'y', rating: 2 }, { user: 'A', item: 'y', rating: 3 }]);
  const m = new SVD({ nFactors: 3, nEpochs: 5, seed: 1 }).fit(d);
  const mu = 3;
  close(m.predict('new', 'x'), mu + m.bi[0]!, 'unknown user');
  close(m.predict('A', 'new'), mu + m.bu[0]!, 'unknown item');
  close(m.predict('new', 'new'), mu, 'both unknown');
  assert.equal(m.recommend('new', 2).length, 2);
  // A has seen both items.
  assert.deepEqual(m.recommend('A', 2), []);
});

test('SVD and SVD++ recover planted factors: RMSE near the noise level, NDCG@10 above popularity', () => {
  const w = syntheticRecsys({ nUsers: 250, nItems: 120, rank: 4, noise: 0.3, interactionsPerUser: 30, scale: null, seed: 11 });
  const { train, test } = randomSplit(w.interactions, { seed: 0 });
  const pop = evaluate(new Popularity().fit(train), train, test, { relevanceThreshold: 4, aucNegatives: 0 });
  const svd = evaluate(new SVD({ nFactors: 4, nEpochs: 60, lrAll: 0.01, seed: 0 }).fit(train), train, test, { relevanceThreshold: 4, aucNegatives: 0 });
  const pp = evaluate(new SVDpp({ nFactors: 4, nEpochs: 40, lrAll: 0.01, seed: 0 }).fit(train), train, test, { relevanceThreshold: 4, aucNegatives: 0 });
  // ~1,500 test ratings with noise σ = 0.3: a perfect model scores ≈ 0.3. With ~6,000 training
  // ratings for 370 users and items of rank 4, estimation error adds ~0.3 in quadrature; seeds
  // 11–13 give 0.44–0.50, so 1.75σ bounds it without being loose.
  assert.ok(svd.rmse! < 1.75 * 0.3, `SVD RMSE ${svd.rmse}`);
  assert.ok(pp.rmse! < 1.75 * 0.3, `SVD++ RMSE ${pp.rmse}`);
  assert.ok(svd.ndcg! > pop.ndcg!, `SVD NDCG ${svd.ndcg} vs popularity ${pop.ndcg}`);
  assert.ok(pp.ndcg! > pop.ndcg!, `SVD++ NDCG ${pp.ndcg} vs popularity ${pop.ndcg}`);
});

test('SVD is deterministic for a seed, round-trips through JSON, and finds similar items by factors', () => {
  const w = syntheticRecsys({ nUsers: 60, nItems: 40, seed: 2 });
  const a = new SVD({ nFactors: 5, nEpochs: 3, seed: 4 }).fit(w.interactions);
  const b = new SVD({ nFactors: 5, nEpochs: 3, seed: 4 }).fit(w.interactions);
  assert.deepEqual(Array.from(a.qi), Array.from(b.qi));
  const c = SVD.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  assert.equal(c.predict('u1', 'i2'), a.predict('u1', 'i2'));
  assert.deepEqual(c.recommend('u1', 5), a.recommend('u1', 5));
  const sims = a.similarItems('i2', 3);
  assert.equal(sims.length, 3);
  assert.ok(!sims.some((s) => s.item === 'i2'));
  close(sims[0]!.score, a.itemSimilarity('i2', sims[0]!.item), 'similarity');
  assert.ok(sims[0]!.score >= sims[1]!.score);
  const pp = new SVDpp({ nFactors: 3, nEpochs: 2, seed: 1 }).fit(w.interactions);
  const pp2 = SVDpp.fromJSON(JSON.parse(JSON.stringify(pp.toJSON())));
  assert.equal(pp2.predict('u3', 'i5'), pp.predict('u3', 'i5'));
  assert.throws(() => new SVD({ nFactors: 0 }), /SVD: nFactors must be an integer >= 1, got 0/);
});

test('SVD.recommendMany (batched float32 matmul) gives the same lists as recommend', () => {
  const w = syntheticRecsys({ nUsers: 70, nItems: 60, seed: 8 });
  const m = new SVD({ nFactors: 12, nEpochs: 5, seed: 2 }).fit(w.interactions);
  const users = [...w.interactions.userIds.slice(0, 40), 'cold-user'];
  const many = m.recommendMany(users, 5, {}, 16);
  assert.equal(many.length, users.length);
  users.forEach((u, r) => {
    const one = m.recommend(u, 5);
    assert.deepEqual(many[r]!.map((s) => s.item), one.map((s) => s.item), `user ${u}`);
    // float32 product of 12 terms: 1e-5 absolute on scores of ~3.
    many[r]!.forEach((s, j) => close(s.score, one[j]!.score, `${u} score ${j}`, 1e-5));
  });
});
