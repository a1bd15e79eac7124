import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaselineOnly, KNNBaseline, KNNBasic, KNNWithMeans, Popularity, evaluate, interactionsFrom, randomSplit, syntheticRecsys } from '../../src/recsys/index.js';

const close = (a: number, b: number, what: string, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} != ${b}`);
// A: x5 y3 z4; B: x4 y2; C: x1 y5 z2. Global mean 26/8.
const data = () => interactionsFrom([
  { user: 'A', item: 'x', rating: 5 }, { user: 'A', item: 'y', rating: 3 }, { user: 'A', item: 'z', rating: 4 },
  { user: 'B', item: 'x', rating: 4 }, { user: 'B', item: 'y', rating: 2 },
  { user: 'C', item: 'x', rating: 1 }, { user: 'C', item: 'y', rating: 5 }, { user: 'C', item: 'z', rating: 2 },
]);

test('KNNBasic user-based matches hand-computed estimates for msd, cosine and pearson', () => {
  const d = data();
  // msd: sim(B,A) = 1/((1+1)/2 + 1) = 1/2; sim(B,C) = 1/((9+9)/2 + 1) = 1/10 → (0.5·4 + 0.1·2)/0.6.
  close(new KNNBasic().fit(d).predict('B', 'z'), 2.2 / 0.6, 'msd');
  const sA = 26 / Math.sqrt(20 * 34);
  const sC = 14 / Math.sqrt(20 * 26);
  close(new KNNBasic({ sim: { name: 'cosine' } }).fit(d).predict('B', 'z'), (sA * 4 + sC * 2) / (sA + sC), 'cosine');
  // pearson: B~A = 1, B~C = −1 (not counted) → 4.
  close(new KNNBasic({ sim: { name: 'pearson' } }).fit(d).predict('B', 'z'), 4, 'pearson');
  // k = 1 keeps only the most similar (A) under msd.
  close(new KNNBasic({ k: 1 }).fit(d).predict('B', 'z'), 4, 'k=1');
  // minK = 2 with one positive neighbour → the global mean.
  close(new KNNBasic({ minK: 2, sim: { name: 'pearson' } }).fit(d).predict('B', 'z'), 26 / 8, 'minK');
});

test('KNNWithMeans and item-based KNNBasic match hand-computed estimates', () => {
  const d = data();
  // mean_B = 3, neighbour A (pearson 1) with mean 4 rated z 4 → 3 + (4 − 4) = 3.
  close(new KNNWithMeans({ sim: { name: 'pearson' } }).fit(d).predict('B', 'z'), 3, 'with means');
  // Item-based msd for (B, z): sim(z,x) = 1/((1+1)/2+1) = 1/2, sim(z,y) = 1/((1+9)/2+1) = 1/6 → (2 + 2/6)/(2/3) = 3.5.
  close(new KNNBasic({ sim: { name: 'msd', userBased: false } }).fit(d).predict('B', 'z'), 3.5, 'item-based msd');
});

test('KNNBaseline corrects the BaselineOnly estimate by neighbours\' residuals', () => {
  const d = data();
  const base = new BaselineOnly().fit(d);
  base.clip = false;
  const m = new KNNBaseline({ sim: { name: 'pearson' } }).fit(d);
  // B's only positive neighbour for z is A (sim 1): b(B,z) + (4 − b(A,z)).
  close(m.predict('B', 'z'), base.predict('B', 'z') + (4 - base.predict('A', 'z')), 'KNNBaseline');
  // Unknown user: the baseline of the known item.
  close(m.predict('new', 'z'), base.predict('new', 'z'), 'cold user');
  close(new KNNBasic().fit(d).predict('new', 'z'), 26 / 8, 'KNNBasic cold user → global mean');
});

test('shrinkage scales similarities by (n−1)/(n−1+shrinkage); similar-items queries use them', () => {
  const d = data();
  // Item-based pearson over users {A, C}: z (4,2) vs x (5,1) → 1; vs y (3,5) → −1. n = 2, shrinkage 1 → ×1/2.
  const m = new KNNBasic({ sim: { name: 'pearson', userBased: false, shrinkage: 1 } }).fit(d);
  const sims = m.similarItems('z', 2);
  assert.deepEqual(sims.map((s) => s.item), ['x', 'y']);
  close(sims[0]!.score, 0.5, 'sim(z,x)');
  close(sims[1]!.score, -0.5, 'sim(z,y)');
  // A user-based model answers the same query by computing item similarities on the fly.
  const u = new KNNBasic({ sim: { name: 'pearson', shrinkage: 1 } }).fit(d);
  close(u.itemSimilarity('z', 'x'), 0.5, 'user-based model, item similarity');
  assert.deepEqual(u.similarItems('unknown', 3), []);
});

test('k-NN variants beat popularity on NDCG@10 on planted data and round-trip through JSON', () => {
  const w = syntheticRecsys({ nUsers: 120, nItems: 80, noise: 0.3, interactionsPerUser: 25, seed: 5 });
  const { train, test } = randomSplit(w.interactions, { seed: 1 });
  const opts = { relevanceThreshold: 4, aucNegatives: 0 } as const;
  const pop = evaluate(new Popularity().fit(train), train, test, opts).ndcg!;
  const models = [
    new KNNBaseline({ sim: { name: 'pearson_baseline' } }),
    new KNNWithMeans({ sim: { name: 'adjusted_cosine', userBased: false } }),
    new KNNBasic({ sim: { name: 'msd' } }),
  ];
  for (const m of models) {
    const r = evaluate(m.fit(train), train, test, opts);
    assert.ok(r.ndcg! > pop, `${m.name} ${JSON.stringify(m.simOptions)}: NDCG ${r.ndcg} vs popularity ${pop}`);
  }
  const m = models[0] as KNNBaseline;
  const back = KNNBaseline.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.equal(back.predict('u3', 'i7'), m.predict('u3', 'i7'));
  assert.throws(() => new KNNBasic({ sim: { name: 'jaccard' as 'msd' } }), /similarity: unknown similarity 'jaccard'/);
});

test('KNNBasic with k = 7 equals a brute-force Pearson k-NN on every unseen pair', () => {
  const w = syntheticRecsys({ nUsers: 40, nItems: 25, interactionsPerUser: 12, seed: 3 });
  const d = w.interactions;
  const k = 7;
  const m = new KNNBasic({ k, sim: { name: 'pearson' } }).fit(d);
  const lo = Math.min(...d.ratings);
  const hi = Math.max(...d.ratings);
  const R = new Map<number, Map<number, number>>();
  for (let j = 0; j < d.users.length; j++) {
    if (!R.has(d.users[j]!)) R.set(d.users[j]!, new Map());
    R.get(d.users[j]!)!.set(d.items[j]!, d.ratings[j]!);
  }
  const pearson = (a: number, b: number): number => {
    let n = 0, p = 0, sa = 0, sb = 0, qa = 0, qb = 0;
    for (const [i, r] of R.get(a)!) {
      const s = R.get(b)!.get(i);
      if (s === undefined) continue;
      n++; p += r * s; sa += r; sb += s; qa += r * r; qb += s * s;
    }
    const den = Math.sqrt((n * qa - sa * sa) * (n * qb - sb * sb));
    return n > 0 && den > 0 ? (n * p - sa * sb) / den : 0;
  };
  let compared = 0;
  for (const [u, Ru] of R) {
    for (let i = 0; i < d.itemIds.length; i++) {
      if (Ru.has(i)) continue;
      const nb: [number, number][] = [];
      for (const [v, Rv] of R) if (v !== u && Rv.has(i)) nb.push([pearson(u, v), Rv.get(i)!]);
      nb.sort((a, b) => b[0] - a[0]);
      // Skip pairs whose k-th and (k+1)-th similarities tie (either neighbour is a valid choice).
      if (nb.length > k && Math.abs(nb[k - 1]![0] - nb[k]![0]) < 1e-6) continue;
      let ss = 0, sr = 0;
      for (const [s, r] of nb.slice(0, k)) if (s > 0) { ss += s; sr += s * r; }
      if (ss === 0) continue;
      // Predictions are clipped to the training range; similarities are stored as float32 (1e-5 absolute on ratings).
      const expected = Math.min(hi, Math.max(lo, sr / ss));
      close(m.predict(d.userIds[u]!, d.itemIds[i]!), expected, `(${u}, ${i})`, 1e-5);
      compared++;
    }
  }
  assert.ok(compared > 200, `compared ${compared} pairs`);
});
