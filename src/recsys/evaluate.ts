/**
 * One evaluation helper for every recommender: rating error on the test pairs (explicit data) and
 * ranking quality of each test user's top-k list, where items the user met in training are
 * excluded from the ranking (the model's `recommend` drops them) and from AUC's negatives; and
 * k-fold cross-validation on top of it.
 */
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { auc, averagePrecisionAtK, catalogueCoverage, hitRateAtK, mae, ndcgAtK, precisionAtK, recallAtK, rmse } from './metrics.js';
import { kFold } from './split.js';
import type { Interactions, Recommender } from './types.js';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** List length of the ranking metrics. Default 10. */
  k?: number;
  /**
   * A test interaction is relevant when its rating is at least this. Default: every test
   * interaction for implicit data; 3.5 for explicit data (Surprise's FAQ convention on 1–5 stars).
   */
  relevanceThreshold?: number;
  /** Compute RMSE/MAE on every test pair. Default: true for explicit data unless the model's `scoreKind` is 'relevance'. */
  ratingMetrics?: boolean;
  /** Compute ranking metrics. Default true. */
  rankingMetrics?: boolean;
  /** Negatives per user for AUC: a seeded sample of this many unseen, non-relevant items, or 'all'. 0 skips AUC. Default 100. */
  aucNegatives?: number | 'all';
  /** Seed of the AUC negative sample. Default 0. */
  seed?: number;
  /** Evaluate ranking only for these users (e.g. the cold-start ones). Default: every test user. */
  users?: Iterable<string>;
}

/** What `evaluate` measured. Ranking metrics are means over users with at least one relevant test item. */
export interface EvaluationReport {
  k: number;
  rmse?: number;
  mae?: number;
  /** Test pairs scored for RMSE/MAE. */
  ratings: number;
  precision?: number;
  recall?: number;
  ndcg?: number;
  map?: number;
  hitRate?: number;
  auc?: number;
  /** Fraction of the training catalogue that appears in some top-k list. */
  coverage?: number;
  /** Users the ranking metrics averaged over. */
  users: number;
}

/** The numeric metric fields of a report. */
export type MetricName = 'rmse' | 'mae' | 'precision' | 'recall' | 'ndcg' | 'map' | 'hitRate' | 'auc' | 'coverage';
const METRICS: readonly MetricName[] = ['rmse', 'mae', 'precision', 'recall', 'ndcg', 'map', 'hitRate', 'auc', 'coverage'];

/**
 * Evaluates a fitted model on held-out interactions (see the module comment).
 *
 * @example
 * ```ts
 * const { train, test } = randomSplit(data, { seed: 0 });
 * const report = evaluate(new SVD().fit(train), train, test, { k: 10 });
 * report.rmse; report.ndcg;
 * ```
 */
export function evaluate(model: Recommender, train: Interactions, test: Interactions, opts: EvaluateOptions = {}): EvaluationReport {
  const op = 'evaluate';
  const k = opts.k ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new ValueError(op, `k must be an integer >= 1, got ${k}`);
  const report: EvaluationReport = { k, ratings: 0, users: 0 };
  if (opts.ratingMetrics ?? (!test.implicit && model.scoreKind !== 'relevance')) {
    const n = test.users.length;
    if (n > 0) {
      const pred = new Float64Array(n);
      for (let j = 0; j < n; j++) pred[j] = model.predict(test.userIds[test.users[j]!]!, test.itemIds[test.items[j]!]!);
      report.rmse = rmse(pred, test.ratings);
      report.mae = mae(pred, test.ratings);
      report.ratings = n;
    }
  }
  if (!(opts.rankingMetrics ?? true)) return report;
  const threshold = opts.relevanceThreshold ?? (test.implicit ? -Infinity : 3.5);
  // Relevant test items per user (by original id).
  const relevant = new Map<string, Set<string>>();
  for (let j = 0; j < test.users.length; j++) {
    if (!(test.ratings[j]! >= threshold)) continue;
    const u = test.userIds[test.users[j]!]!;
    let s = relevant.get(u);
    if (!s) relevant.set(u, (s = new Set()));
    s.add(test.itemIds[test.items[j]!]!);
  }
  const only = opts.users ? new Set(opts.users) : null;
  // The training catalogue and each user's training items.
  const catalogue: string[] = [];
  const itemCount = new Int32Array(train.itemIds.length);
  for (const i of train.items) itemCount[i]!++;
  for (let i = 0; i < itemCount.length; i++) if (itemCount[i]! > 0) catalogue.push(train.itemIds[i]!);
  const seenBy = new Map<string, Set<string>>();
  for (let j = 0; j < train.users.length; j++) {
    const u = train.userIds[train.users[j]!]!;
    if (!relevant.has(u)) continue;
    let s = seenBy.get(u);
    if (!s) seenBy.set(u, (s = new Set()));
    s.add(train.itemIds[train.items[j]!]!);
  }
  const negatives = opts.aucNegatives ?? 100;
  const g = new Generator(opts.seed ?? 0);
  const sums = { precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0, auc: 0 };
  let aucUsers = 0;
  const lists: string[][] = [];
  for (const [u, rel] of relevant) {
    if (only && !only.has(u)) continue;
    const ranked = model.recommend(u, k).map((s) => s.item);
    lists.push(ranked);
    sums.precision += precisionAtK(ranked, rel, k);
    sums.recall += recallAtK(ranked, rel, k);
    sums.ndcg += ndcgAtK(ranked, rel, k);
    sums.map += averagePrecisionAtK(ranked, rel, k);
    sums.hitRate += hitRateAtK(ranked, rel, k);
    report.users++;
    if (negatives !== 0) {
      const seen = seenBy.get(u);
      const neg: string[] = [];
      if (negatives === 'all' || negatives >= catalogue.length) {
        for (const it of catalogue) if (!rel.has(it) && !seen?.has(it)) neg.push(it);
      } else {
        // Rejection sampling with a bounded number of tries (a heavy user may have seen most items).
        for (let tries = 0; neg.length < negatives && tries < negatives * 20; tries++) {
          const it = catalogue[g.nextInt(0, catalogue.length)]!;
          if (!rel.has(it) && !seen?.has(it)) neg.push(it);
        }
      }
      const a = auc([...rel].map((it) => model.predict(u, it)), neg.map((it) => model.predict(u, it)));
      if (!Number.isNaN(a)) {
        sums.auc += a;
        aucUsers++;
      }
    }
  }
  if (report.users > 0) {
    report.precision = sums.precision / report.users;
    report.recall = sums.recall / report.users;
    report.ndcg = sums.ndcg / report.users;
    report.map = sums.map / report.users;
    report.hitRate = sums.hitRate / report.users;
    if (catalogue.length > 0) report.coverage = catalogueCoverage(lists, catalogue.length);
  }
  if (aucUsers > 0) report.auc = sums.auc / aucUsers;
  return report;
}

/** Per-fold reports and their mean and standard deviation. */
export interface CrossValidationReport {
  folds: EvaluationReport[];
  mean: Partial<Record<MetricName, number>>;
  std: Partial<Record<MetricName, number>>;
  /** Seconds spent in `fit`, per fold. */
  fitSeconds: number[];
}

/**
 * K-fold cross-validation (`kFold`'s folds) with a fresh model per fold from `make`.
 *
 * @example
 * ```ts
 * const cv = crossValidate(() => new SVD({ seed: 0 }), data, { folds: 5, rankingMetrics: false });
 * cv.mean.rmse;
 * ```
 */
export function crossValidate(make: () => Recommender, data: Interactions, opts: EvaluateOptions & { folds?: number; foldSeed?: number } = {}): CrossValidationReport {
  const splits = kFold(data, { folds: opts.folds ?? 5, seed: opts.foldSeed ?? 0 });
  const folds: EvaluationReport[] = [];
  const fitSeconds: number[] = [];
  for (const { train, test } of splits) {
    const t0 = performance.now();
    const model = make().fit(train);
    fitSeconds.push((performance.now() - t0) / 1000);
    folds.push(evaluate(model, train, test, opts));
  }
  const mean: Partial<Record<MetricName, number>> = {};
  const std: Partial<Record<MetricName, number>> = {};
  for (const m of METRICS) {
    const vals = folds.map((f) => f[m]).filter((v): v is number => v !== undefined);
    if (vals.length === 0) continue;
    const mu = vals.reduce((a, b) => a + b, 0) / vals.length;
    mean[m] = mu;
    std[m] = Math.sqrt(vals.reduce((a, b) => a + (b - mu) ** 2, 0) / vals.length);
  }
  return { folds, mean, std, fitSeconds };
}
