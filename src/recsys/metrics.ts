/**
 * Recommender metrics: rating error (RMSE, MAE) and ranking quality of one user's list
 * (precision, recall, NDCG, MAP, hit rate at k; AUC), plus catalogue coverage over all lists.
 * Relevance is binary: an item is relevant or not. Each ranking metric takes the ranked list as
 * returned by `recommend` (best first) and the set of relevant items; averaging over users is the
 * caller's (see `evaluate`).
 */
import { ValueError } from '../errors.js';

function checkPair(op: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new ValueError(op, `predictions (${a.length}) and targets (${b.length}) differ in length`);
  if (a.length === 0) throw new ValueError(op, 'no values');
}

function checkK(op: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ValueError(op, `k must be an integer >= 1, got ${k}`);
}

/**
 * Root mean squared error.
 *
 * @example
 * ```ts
 * rmse([3, 4], [2, 4]); // sqrt(0.5) ≈ 0.7071
 * ```
 */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPair('rmse', predicted, actual);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (predicted[i]! - actual[i]!) ** 2;
  return Math.sqrt(s / actual.length);
}

/**
 * Mean absolute error.
 *
 * @example
 * ```ts
 * mae([3, 4], [2, 5]); // 1
 * ```
 */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPair('mae', predicted, actual);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(predicted[i]! - actual[i]!);
  return s / actual.length;
}

function hitsAt(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let h = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i]!)) h++;
  return h;
}

/**
 * Fraction of the top k that is relevant (divides by k, even when fewer than k were ranked).
 *
 * @example
 * ```ts
 * precisionAtK(['a', 'b', 'c'], new Set(['a', 'c', 'z']), 2); // 0.5
 * ```
 */
export function precisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK('precisionAtK', k);
  return hitsAt(ranked, relevant, k) / k;
}

/**
 * Fraction of the relevant items found in the top k (0 when nothing is relevant).
 *
 * @example
 * ```ts
 * recallAtK(['a', 'b', 'c'], new Set(['a', 'c', 'z']), 2); // 1/3
 * ```
 */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK('recallAtK', k);
  return relevant.size === 0 ? 0 : hitsAt(ranked, relevant, k) / relevant.size;
}

/**
 * 1 when any of the top k is relevant, else 0.
 *
 * @example
 * ```ts
 * hitRateAtK(['a', 'b'], new Set(['b']), 1); // 0
 * ```
 */
export function hitRateAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK('hitRateAtK', k);
  return hitsAt(ranked, relevant, k) > 0 ? 1 : 0;
}

/**
 * Normalised discounted cumulative gain with binary gains: DCG = Σ_{i<k, relevant} 1/log2(i+2),
 * divided by the DCG of an ideal list (min(k, |relevant|) hits on top). 0 when nothing is relevant.
 *
 * @example
 * ```ts
 * ndcgAtK(['x', 'a'], new Set(['a']), 2); // (1/log2 3) / 1 ≈ 0.6309
 * ```
 */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK('ndcgAtK', k);
  if (relevant.size === 0) return 0;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i]!)) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  const m = Math.min(k, relevant.size);
  for (let i = 0; i < m; i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/**
 * Average precision at k: Σ_{i<k, ranked[i] relevant} precision@(i+1), divided by
 * min(k, |relevant|) (the convention of ml_metrics' `apk` and most recommender papers). MAP@k is
 * its mean over users.
 *
 * @example
 * ```ts
 * averagePrecisionAtK(['a', 'x', 'b'], new Set(['a', 'b']), 3); // (1 + 2/3) / 2 ≈ 0.8333
 * ```
 */
export function averagePrecisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  checkK('averagePrecisionAtK', k);
  if (relevant.size === 0) return 0;
  let hits = 0;
  let s = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if (relevant.has(ranked[i]!)) {
      hits++;
      s += hits / (i + 1);
    }
  }
  return s / Math.min(k, relevant.size);
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count one half). Computed by ranks in O((p+n) log(p+n)). NaN when either side is empty.
 *
 * @example
 * ```ts
 * auc([0.9, 0.4], [0.5, 0.1]); // 3 of 4 pairs ordered → 0.75
 * ```
 */
export function auc(positiveScores: ArrayLike<number>, negativeScores: ArrayLike<number>): number {
  const p = positiveScores.length;
  const n = negativeScores.length;
  if (p === 0 || n === 0) return NaN;
  const all: { s: number; pos: boolean }[] = [];
  for (let i = 0; i < p; i++) all.push({ s: positiveScores[i]!, pos: true });
  for (let i = 0; i < n; i++) all.push({ s: negativeScores[i]!, pos: false });
  for (const e of all) if (Number.isNaN(e.s)) throw new ValueError('auc', 'scores contain NaN');
  all.sort((x, y) => x.s - y.s);
  // Sum of the positives' (average, 1-based) ranks, the Mann–Whitney U statistic.
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (all[t]!.pos) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (p * (p + 1)) / 2) / (p * n);
}

/**
 * Catalogue coverage: the fraction of the catalogue's `nItems` items that appear in at least one
 * recommendation list.
 *
 * @example
 * ```ts
 * catalogueCoverage([['a', 'b'], ['b', 'c']], 10); // 0.3
 * ```
 */
export function catalogueCoverage(lists: Iterable<readonly string[]>, nItems: number): number {
  if (!(nItems > 0)) throw new ValueError('catalogueCoverage', `nItems must be > 0, got ${nItems}`);
  const seen = new Set<string>();
  for (const l of lists) for (const it of l) seen.add(it);
  return seen.size / nItems;
}
