import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  auc, averagePrecisionAtK, catalogueCoverage, evaluate, hitRateAtK, interactionsFrom, mae, ndcgAtK, precisionAtK, recallAtK, rmse,
  type Recommender, type Scored,
} from '../../src/recsys/index.js';

const close = (a: number | undefined, b: number, what: string, tol = 1e-12): void => {
  assert.ok(a !== undefined && Math.abs(a - b) <= tol, `${what}: ${a} != ${b}`);
};

test('rmse and mae match hand-computed values', () => {
  // errors 1, -2, 0, 1: squares 1+4+0+1 = 6 → sqrt(6/4); abs 1+2+0+1 = 4 → 1.
  close(rmse([4, 1, 3, 5], [3, 3, 3, 4]), Math.sqrt(1.5), 'rmse');
  close(mae([4, 1, 3, 5], [3, 3, 3, 4]), 1, 'mae');
  assert.throws(() => rmse([1], [1, 2]), /rmse: predictions \(1\) and targets \(2\) differ in length/);
  assert.throws(() => mae([], []), /mae: no values/);
});

test('precision, recall, hit rate at k match hand-computed values', () => {
  const ranked = ['a', 'b', 'c', 'd', 'e'];
  const rel = new Set(['b', 'e', 'z']);
  close(precisionAtK(ranked, rel, 3), 1 / 3, 'P@3');
  close(precisionAtK(ranked, rel, 5), 2 / 5, 'P@5');
  close(recallAtK(ranked, rel, 3), 1 / 3, 'R@3');
  close(recallAtK(ranked, rel, 5), 2 / 3, 'R@5');
  assert.equal(hitRateAtK(ranked, rel, 1), 0);
  assert.equal(hitRateAtK(ranked, rel, 2), 1);
  // A short list still divides by k.
  close(precisionAtK(['b'], rel, 4), 1 / 4, 'P@4 short list');
  assert.throws(() => precisionAtK(ranked, rel, 0), /precisionAtK: k must be an integer >= 1, got 0/);
});

test('NDCG at k matches the hand-computed value with binary gains', () => {
  // hits at ranks 2 and 5 (0-based 1, 4): DCG = 1/log2(3) + 1/log2(6); ideal (3 relevant, k=5) = 1 + 1/log2(3) + 1/2.
  const ranked = ['a', 'b', 'c', 'd', 'e'];
  const rel = new Set(['b', 'e', 'z']);
  close(ndcgAtK(ranked, rel, 5), (1 / Math.log2(3) + 1 / Math.log2(6)) / (1 + 1 / Math.log2(3) + 0.5), 'NDCG@5');
  close(ndcgAtK(['b', 'e', 'z'], rel, 3), 1, 'perfect list');
  assert.equal(ndcgAtK(ranked, new Set(), 5), 0);
});

test('average precision at k matches the hand-computed value', () => {
  // hits at positions 2 and 5: (1/2 + 2/5) / min(5, 3) = 0.3
  close(averagePrecisionAtK(['a', 'b', 'c', 'd', 'e'], new Set(['b', 'e', 'z']), 5), 0.3, 'AP@5');
  close(averagePrecisionAtK(['b', 'x'], new Set(['b']), 2), 1, 'AP first hit');
});

test('auc counts ordered pairs, ties as one half', () => {
  close(auc([0.9, 0.4], [0.5, 0.1]), 0.75, 'auc');
  close(auc([1, 1], [1]), 0.5, 'all tied');
  close(auc([3], [1, 2]), 1, 'perfect');
  assert.ok(Number.isNaN(auc([], [1])));
});

test('catalogue coverage counts distinct recommended items', () => {
  close(catalogueCoverage([['a', 'b'], ['b', 'c'], []], 10), 0.3, 'coverage');
  assert.throws(() => catalogueCoverage([], 0), /catalogueCoverage: nItems must be > 0/);
});

/** A fixed-score model: scores from a table, recommending unseen items by score. */
class TableModel implements Recommender {
  readonly name = 'table';
  constructor(private readonly scores: Record<string, Record<string, number>>, private readonly seen: Record<string, string[]>) {}
  fit(): this { return this; }
  predict(u: string, i: string): number { return this.scores[u]?.[i] ?? 0; }
  recommend(u: string, k: number): Scored[] {
    const s = this.scores[u] ?? {};
    return Object.entries(s).filter(([i]) => !(this.seen[u] ?? []).includes(i)).sort((a, b) => b[1] - a[1]).slice(0, k).map(([item, score]) => ({ item, score }));
  }
}

test('evaluate averages rating and ranking metrics over test users, excluding train items', () => {
  const train = interactionsFrom([
    { user: 'A', item: 'x', rating: 5 }, { user: 'B', item: 'y', rating: 4 }, { user: 'A', item: 'y', rating: 2 }, { user: 'B', item: 'z', rating: 1 }, { user: 'B', item: 'w', rating: 1 },
  ]);
  const test = interactionsFrom([
    { user: 'A', item: 'z', rating: 4 }, { user: 'A', item: 'w', rating: 2 }, { user: 'B', item: 'x', rating: 5 },
  ], { userIds: train.userIds, itemIds: train.itemIds });
  const model = new TableModel(
    { A: { x: 9, y: 9, z: 3, w: 4 }, B: { x: 1, y: 9, z: 9, w: 9 } },
    { A: ['x', 'y'], B: ['y', 'z', 'w'] },
  );
  const r = evaluate(model, train, test, { k: 1, aucNegatives: 'all' });
  // Ratings: A,z 3 vs 4; A,w 4 vs 2; B,x 1 vs 5 → errors -1, 2, -4.
  close(r.rmse, Math.sqrt(21 / 3), 'rmse');
  close(r.mae, 7 / 3, 'mae');
  // Relevant (≥ 3.5): A {z}, B {x}. A's top-1 unseen is w (miss), B's is x (hit).
  assert.equal(r.users, 2);
  close(r.precision, 0.5, 'precision');
  close(r.recall, 0.5, 'recall');
  close(r.hitRate, 0.5, 'hit rate');
  close(r.ndcg, 0.5, 'ndcg');
  // AUC: A's negatives = catalogue − seen − relevant = {w}: z (3) < w (4) → 0; B has no negatives → not counted.
  close(r.auc, 0, 'auc');
  // Coverage: {w, x} of 4 training items.
  close(r.coverage, 0.5, 'coverage');
});
