/**
 * Neighbourhood collaborative filtering as Surprise's `KNNBasic`, `KNNWithMeans` and
 * `KNNBaseline`: user-based (neighbours are users who rated the item) or item-based (neighbours are
 * items the user rated), with the similarities of `similarity.ts`.
 *
 * For a pair (x, y) — (user, item) when user-based, (item, user) when item-based — the neighbours
 * are the x2 that rated y; the k with the largest similarity are kept, and of those only positive
 * similarities contribute (Surprise's rule). With `actualK` contributors:
 * - KNNBasic: r̂ = Σ sim·r / Σ sim; fewer than minK → the global mean (Surprise's default prediction).
 * - KNNWithMeans: r̂ = μ_x + Σ sim·(r − μ_x2) / Σ sim; fewer than minK → μ_x.
 * - KNNBaseline: r̂ = b_xy + Σ sim·(r − b_x2y) / Σ sim, b the `BaselineOnly` estimate; fewer than minK → b_xy.
 * Unknown users or items: KNNBasic and KNNWithMeans return the global mean, KNNBaseline the
 * baseline of what is known (as Surprise).
 */
import { ValueError } from '../errors.js';
import { checkSaved, topK, type ItemSimilarity } from './factors.js';
import { fitBaselines, resolveBaselineOptions, type BaselineOptions, type ResolvedBaselineOptions } from './baselines.js';
import { RatingModel, type RatingModelJSON } from './rating-model.js';
import { orient, resolveSimilarity, RowScratch, similarityMatrix, similarityRow, type Oriented, type ResolvedSimilarityOptions, type SimilarityOptions } from './similarity.js';
import type { Interactions, Scored } from './types.js';

/** Options of the k-NN models, Surprise's names camelCased. */
export interface KNNOptions {
  /** Most neighbours taken into account. Default 40. */
  k?: number;
  /** Fewest neighbours for a neighbourhood estimate. Default 1. */
  minK?: number;
  /** Similarity measure and orientation (Surprise's `sim_options`). */
  sim?: SimilarityOptions;
  /** How KNNBaseline (and pearson_baseline) fit their biases (Surprise's `bsl_options`). */
  baseline?: BaselineOptions;
}

type Variant = 'basic' | 'means' | 'baseline';

interface KNNJSON extends RatingModelJSON {
  variant: Variant;
  k: number;
  minK: number;
  sim: ResolvedSimilarityOptions;
  baseline: ResolvedBaselineOptions;
  /** The training interactions (the model re-derives similarities from them on load). */
  users: number[];
  items: number[];
  ratings: number[];
}

/** The shared machinery of the three k-NN variants. */
abstract class KNNModel extends RatingModel implements ItemSimilarity {
  readonly k: number;
  readonly minK: number;
  readonly simOptions: ResolvedSimilarityOptions;
  readonly baselineOptions: ResolvedBaselineOptions;
  protected abstract readonly variant: Variant;
  /** Dense (n, n) similarities of the compared side. */
  protected sim: Float32Array = new Float32Array(0);
  protected o: Oriented | null = null;
  protected train: Interactions | null = null;
  protected meanX = new Float64Array(0);
  protected bu: Float64Array = new Float64Array(0);
  protected bi: Float64Array = new Float64Array(0);
  // Scratch for neighbour selection.
  private nbSim = new Float64Array(0);
  private nbVal = new Float64Array(0);

  constructor(opts: KNNOptions = {}) {
    super();
    this.k = opts.k ?? 40;
    this.minK = opts.minK ?? 1;
    if (!Number.isInteger(this.k) || this.k < 1) throw new ValueError('KNN', `k must be an integer >= 1, got ${this.k}`);
    if (!Number.isInteger(this.minK) || this.minK < 0) throw new ValueError('KNN', `minK must be an integer >= 0, got ${this.minK}`);
    this.simOptions = resolveSimilarity(opts.sim);
    this.baselineOptions = resolveBaselineOptions(opts.baseline);
  }

  protected fitModel(train: Interactions): void {
    const mu = this.fitted('fit').globalMean;
    const needBaselines = this.variant === 'baseline' || this.simOptions.name === 'pearson_baseline';
    if (needBaselines) ({ bu: this.bu, bi: this.bi } = fitBaselines(train, mu, this.baselineOptions));
    const o = orient(train, this.simOptions.userBased, this.simOptions.name, { mu, bu: this.bu, bi: this.bi });
    this.o = o;
    this.train = train;
    this.meanX = new Float64Array(o.nX);
    const cnt = new Float64Array(o.nX);
    for (let k = 0; k < o.x.length; k++) {
      this.meanX[o.x[k]!]! += train.ratings[k]!;
      cnt[o.x[k]!]!++;
    }
    for (let x = 0; x < o.nX; x++) this.meanX[x] = cnt[x]! > 0 ? this.meanX[x]! / cnt[x]! : mu;
    this.sim = similarityMatrix(o, this.simOptions);
    let maxDeg = 1;
    for (let y = 0; y < o.nY; y++) maxDeg = Math.max(maxDeg, o.byY.start[y + 1]! - o.byY.start[y]!);
    this.nbSim = new Float64Array(maxDeg);
    this.nbVal = new Float64Array(maxDeg);
  }

  /** The baseline estimate μ + b_u + b_i with zero bias for unknown ids. */
  private baselineOf(u: number, i: number): number {
    return this.fitted('predict').globalMean + (u >= 0 ? this.bu[u]! : 0) + (i >= 0 ? this.bi[i]! : 0);
  }

  protected estimate(u: number, i: number): number {
    const b = this.fitted('predict');
    const o = this.o!;
    if (u < 0 || i < 0) return this.variant === 'baseline' ? this.baselineOf(u, i) : b.globalMean;
    const userBased = this.simOptions.userBased;
    const x = userBased ? u : i;
    const y = userBased ? i : u;
    const n = o.nX;
    const ratings = this.train!.ratings;
    // Candidates: every x2 that rated y, with sim[x, x2] and the value to average.
    let m = 0;
    for (let q = o.byY.start[y]!; q < o.byY.start[y + 1]!; q++) {
      const kk = o.byY.order[q]!;
      const x2 = o.x[kk]!;
      this.nbSim[m] = this.sim[x * n + x2]!;
      const r = ratings[kk]!;
      this.nbVal[m] = this.variant === 'basic' ? r
        : this.variant === 'means' ? r - this.meanX[x2]!
          : r - (userBased ? this.baselineOf(x2, y) : this.baselineOf(y, x2));
      m++;
    }
    if (m > this.k) selectLargest(this.nbSim, this.nbVal, m, this.k);
    let sumSim = 0;
    let sum = 0;
    let actualK = 0;
    const count = Math.min(m, this.k);
    for (let j = 0; j < count; j++) {
      const s = this.nbSim[j]!;
      if (s > 0) {
        sumSim += s;
        sum += s * this.nbVal[j]!;
        actualK++;
      }
    }
    const enough = actualK >= this.minK && sumSim > 0;
    if (this.variant === 'basic') return enough ? sum / sumSim : b.globalMean;
    const base = this.variant === 'means' ? this.meanX[x]! : this.baselineOf(u, i);
    return enough ? base + sum / sumSim : base;
  }

  itemSimilarity(a: string, c: string): number {
    const i = this.itemOf(a);
    const j = this.itemOf(c);
    if (i < 0 || j < 0) return 0;
    if (!this.simOptions.userBased) return this.sim[i * this.o!.nX + j]!;
    return this.itemRow(i)[j]!;
  }

  /** Item-item similarities of item i (the model's measure), computed on the fly for a user-based model. */
  private itemRow(i: number): Float64Array {
    const b = this.fitted('similarItems');
    const row = new Float64Array(b.itemIds.length);
    if (!this.simOptions.userBased) {
      const n = this.o!.nX;
      for (let j = 0; j < n; j++) row[j] = this.sim[i * n + j]!;
    } else {
      const mu = b.globalMean;
      const o = orient(this.train!, false, this.simOptions.name, { mu, bu: this.bu, bi: this.bi });
      similarityRow(o, { ...this.simOptions, userBased: false }, i, -1, new RowScratch(o.nX), (j, v) => { row[j] = v; });
      row[i] = 1;
    }
    return row;
  }

  /** The k items most similar to `item` under the model's measure (itself excluded); [] for an unknown item. */
  similarItems(item: string, k: number): Scored[] {
    const b = this.fitted('similarItems');
    const i = this.itemOf(item);
    if (i < 0) return [];
    const row = this.itemRow(i);
    const skip = new Uint8Array(row.length);
    skip[i] = 1;
    for (let j = 0; j < row.length; j++) if (!(b.seen.counts[j]! > 0)) skip[j] = 1;
    return Array.from(topK(row, k, skip), (j) => ({ item: b.itemIds[j]!, score: row[j]! }));
  }

  /**
   * Saves the options and the training interactions; `fromJSON` refits (the dense similarity
   * matrix is usually larger than the data it is computed from, and the fit is deterministic).
   */
  toJSON(): KNNJSON {
    const t = this.train;
    if (!t) throw new ValueError(`${this.name}.toJSON`, 'call fit first');
    return {
      ...this.baseJSON(), variant: this.variant, k: this.k, minK: this.minK, sim: this.simOptions, baseline: this.baselineOptions,
      users: Array.from(t.users), items: Array.from(t.items), ratings: Array.from(t.ratings),
    };
  }
}

/**
 * Moves the k largest of sims[0..m) (with their paired vals) to the front, in no particular order
 * (Hoare quickselect, O(m) on average, no allocation).
 */
function selectLargest(sims: Float64Array, vals: Float64Array, m: number, k: number): void {
  let lo = 0;
  let hi = m - 1;
  const swap = (a: number, b: number): void => {
    const s = sims[a]!; sims[a] = sims[b]!; sims[b] = s;
    const v = vals[a]!; vals[a] = vals[b]!; vals[b] = v;
  };
  while (lo < hi) {
    const pivot = sims[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (sims[i]! > pivot) i++;
      while (sims[j]! < pivot) j--;
      if (i <= j) {
        swap(i, j);
        i++;
        j--;
      }
    }
    // Now [lo..j] >= pivot >= [i..hi]; recurse into the side holding position k-1.
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}

/** Rebuilds training interactions from a saved k-NN model. */
function trainFromJSON(json: KNNJSON): Interactions {
  const op = 'KNN.fromJSON';
  if (json.users.length !== json.items.length || json.users.length !== json.ratings.length) throw new ValueError(op, 'saved users, items and ratings differ in length');
  return {
    userIds: json.userIds, itemIds: json.itemIds,
    userIndex: new Map(json.userIds.map((u, k) => [u, k])), itemIndex: new Map(json.itemIds.map((u, k) => [u, k])),
    users: Int32Array.from(json.users), items: Int32Array.from(json.items), ratings: Float32Array.from(json.ratings),
    timestamps: new Float64Array(json.users.length).fill(NaN), implicit: false,
  };
}

/**
 * Surprise's `KNNBasic` (see the module comment).
 *
 * @example
 * ```ts
 * const knn = new KNNBasic({ k: 20, sim: { name: 'cosine', userBased: false } }).fit(train);
 * knn.predict('196', '242');
 * ```
 */
export class KNNBasic extends KNNModel {
  readonly name = 'knn-basic';
  protected readonly variant = 'basic';
  static fromJSON(json: KNNJSON): KNNBasic {
    checkSaved('KNNBasic.fromJSON', json, 'knn-basic');
    return new KNNBasic({ k: json.k, minK: json.minK, sim: json.sim, baseline: json.baseline }).fit(trainFromJSON(json));
  }
}

/**
 * Surprise's `KNNWithMeans` (see the module comment).
 *
 * @example
 * ```ts
 * const knn = new KNNWithMeans({ sim: { name: 'pearson' } }).fit(train);
 * knn.recommend('196', 10);
 * ```
 */
export class KNNWithMeans extends KNNModel {
  readonly name = 'knn-means';
  protected readonly variant = 'means';
  static fromJSON(json: KNNJSON): KNNWithMeans {
    checkSaved('KNNWithMeans.fromJSON', json, 'knn-means');
    return new KNNWithMeans({ k: json.k, minK: json.minK, sim: json.sim, baseline: json.baseline }).fit(trainFromJSON(json));
  }
}

/**
 * Surprise's `KNNBaseline` (see the module comment). Surprise recommends `pearson_baseline`
 * similarity with it; its default remains msd.
 *
 * @example
 * ```ts
 * const knn = new KNNBaseline({ sim: { name: 'pearson_baseline', userBased: false } }).fit(train);
 * knn.similarItems('242', 5);
 * ```
 */
export class KNNBaseline extends KNNModel {
  readonly name = 'knn-baseline';
  protected readonly variant = 'baseline';
  static fromJSON(json: KNNJSON): KNNBaseline {
    checkSaved('KNNBaseline.fromJSON', json, 'knn-baseline');
    return new KNNBaseline({ k: json.k, minK: json.minK, sim: json.sim, baseline: json.baseline }).fit(trainFromJSON(json));
  }
}

export type { KNNJSON };
