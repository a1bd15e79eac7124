/**
 * Similarities between users (or between items) over their co-rated entries, as Surprise's
 * `similarities` module computes them, plus adjusted cosine and optional shrinkage.
 *
 * Orientation: the "x" side is compared (users for user-based k-NN), the "y" side is what they
 * co-rate. Pair statistics are accumulated row by row (for each x, over the y it rated, over the
 * other x2 that rated y), so memory is O(n) plus the dense (n, n) float32 result.
 */
import { ValueError } from '../errors.js';
import type { Interactions } from './types.js';

/** Similarity measures. `adjusted_cosine` centres each rating by the mean rating of its y (the user's mean for item-item similarity). */
export type SimilarityName = 'cosine' | 'msd' | 'pearson' | 'pearson_baseline' | 'adjusted_cosine';

/** Surprise's `sim_options`, camelCased. */
export interface SimilarityOptions {
  /** Default 'msd' (Surprise's default). */
  name?: SimilarityName;
  /** Compare users (true) or items (false). Default true. */
  userBased?: boolean;
  /** Pairs with fewer common entries get similarity 0. Default 1. */
  minSupport?: number;
  /** sim ·= (n−1)/(n−1+shrinkage), n the common entries. Default 100 for pearson_baseline (as Surprise), 0 (none) otherwise. */
  shrinkage?: number;
}

/** Similarity options with defaults filled in. */
export type ResolvedSimilarityOptions = Required<SimilarityOptions>;

/**
 * Fills in Surprise's defaults.
 *
 * @example
 * ```ts
 * resolveSimilarity({ name: 'pearson_baseline' }); // { name: 'pearson_baseline', userBased: true, minSupport: 1, shrinkage: 100 }
 * ```
 */
export function resolveSimilarity(o: SimilarityOptions = {}): ResolvedSimilarityOptions {
  const name = o.name ?? 'msd';
  const names: readonly SimilarityName[] = ['cosine', 'msd', 'pearson', 'pearson_baseline', 'adjusted_cosine'];
  if (!names.includes(name)) throw new ValueError('similarity', `unknown similarity '${String(name)}' (expected one of ${names.join(', ')})`);
  const r = { name, userBased: o.userBased ?? true, minSupport: o.minSupport ?? 1, shrinkage: o.shrinkage ?? (name === 'pearson_baseline' ? 100 : 0) };
  if (!(r.shrinkage >= 0)) throw new ValueError('similarity', `shrinkage must be >= 0, got ${r.shrinkage}`);
  return r;
}

/** Interaction positions grouped by a key (start offsets and order), data order within a group. */
export interface Grouping {
  start: Int32Array;
  order: Int32Array;
}

/** Groups interaction positions by `keys` (values in 0..n-1). */
export function groupBy(keys: Int32Array, n: number): Grouping {
  const start = new Int32Array(n + 1);
  for (const k of keys) start[k + 1]!++;
  for (let j = 0; j < n; j++) start[j + 1]! += start[j]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(keys.length);
  for (let p = 0; p < keys.length; p++) order[fill[keys[p]!]!++] = p;
  return { start, order };
}

/** Everything one orientation needs: which side is x, the groupings, and the per-interaction values the measure uses. */
export interface Oriented {
  x: Int32Array;
  y: Int32Array;
  nX: number;
  nY: number;
  byX: Grouping;
  byY: Grouping;
  /** The value each interaction contributes (raw, baseline residual or centred rating). */
  values: Float64Array;
}

/**
 * Prepares one orientation for a measure. `baselines` (μ, b_u, b_i) are needed for pearson_baseline.
 */
export function orient(train: Interactions, userBased: boolean, name: SimilarityName, baselines?: { mu: number; bu: Float64Array; bi: Float64Array }): Oriented {
  const x = userBased ? train.users : train.items;
  const y = userBased ? train.items : train.users;
  const nX = userBased ? train.userIds.length : train.itemIds.length;
  const nY = userBased ? train.itemIds.length : train.userIds.length;
  const n = x.length;
  const values = Float64Array.from(train.ratings);
  if (name === 'pearson_baseline') {
    if (!baselines) throw new ValueError('similarity', 'pearson_baseline needs fitted baselines');
    const bx = userBased ? baselines.bu : baselines.bi;
    const by = userBased ? baselines.bi : baselines.bu;
    for (let k = 0; k < n; k++) values[k] = train.ratings[k]! - (baselines.mu + bx[x[k]!]! + by[y[k]!]!);
  } else if (name === 'adjusted_cosine') {
    const sum = new Float64Array(nY);
    const cnt = new Float64Array(nY);
    for (let k = 0; k < n; k++) {
      sum[y[k]!]! += train.ratings[k]!;
      cnt[y[k]!]!++;
    }
    for (let k = 0; k < n; k++) values[k] = train.ratings[k]! - sum[y[k]!]! / cnt[y[k]!]!;
  }
  return { x, y, nX, nY, byX: groupBy(x, nX), byY: groupBy(y, nY), values };
}

/** Reusable accumulators for `similarityRow`. */
export class RowScratch {
  readonly freq: Float64Array;
  readonly prods: Float64Array;
  readonly sqi: Float64Array;
  readonly sqj: Float64Array;
  readonly si: Float64Array;
  readonly sj: Float64Array;
  readonly touched: Int32Array;
  nTouched = 0;
  constructor(n: number) {
    this.freq = new Float64Array(n);
    this.prods = new Float64Array(n);
    this.sqi = new Float64Array(n);
    this.sqj = new Float64Array(n);
    this.si = new Float64Array(n);
    this.sj = new Float64Array(n);
    this.touched = new Int32Array(n);
  }
}

/**
 * Similarities of x to every x2 > `from` (all x2 when from = -1) that shares an entry with it:
 * calls `emit(x2, sim)` for each such pair (x2 ≠ x). Pairs with no common entries are not emitted
 * (their similarity is 0).
 */
export function similarityRow(o: Oriented, opts: ResolvedSimilarityOptions, x: number, from: number, s: RowScratch, emit: (x2: number, sim: number) => void): void {
  const { byX, byY, values } = o;
  const xs = o.x;
  const ys = o.y;
  const name = opts.name;
  s.nTouched = 0;
  for (let p = byX.start[x]!; p < byX.start[x + 1]!; p++) {
    const kx = byX.order[p]!;
    const y = ys[kx]!;
    const ri = values[kx]!;
    for (let q = byY.start[y]!; q < byY.start[y + 1]!; q++) {
      const ky = byY.order[q]!;
      const x2 = xs[ky]!;
      if (x2 <= from || x2 === x) continue;
      const rj = values[ky]!;
      if (s.freq[x2] === 0) s.touched[s.nTouched++] = x2;
      s.freq[x2]!++;
      if (name === 'msd') {
        s.prods[x2]! += (ri - rj) * (ri - rj);
      } else {
        s.prods[x2]! += ri * rj;
        s.sqi[x2]! += ri * ri;
        s.sqj[x2]! += rj * rj;
        if (name === 'pearson') {
          s.si[x2]! += ri;
          s.sj[x2]! += rj;
        }
      }
    }
  }
  for (let t = 0; t < s.nTouched; t++) {
    const x2 = s.touched[t]!;
    const n = s.freq[x2]!;
    let sim = 0;
    if (n >= opts.minSupport) {
      if (name === 'msd') sim = 1 / (s.prods[x2]! / n + 1);
      else if (name === 'pearson') {
        const num = n * s.prods[x2]! - s.si[x2]! * s.sj[x2]!;
        const den = Math.sqrt((n * s.sqi[x2]! - s.si[x2]! ** 2) * (n * s.sqj[x2]! - s.sj[x2]! ** 2));
        sim = den > 0 ? num / den : 0;
      } else {
        const den = Math.sqrt(s.sqi[x2]! * s.sqj[x2]!);
        sim = den > 0 ? s.prods[x2]! / den : 0;
      }
      if (opts.shrinkage > 0) sim *= (n - 1) / (n - 1 + opts.shrinkage);
    }
    s.freq[x2] = 0;
    s.prods[x2] = 0;
    s.sqi[x2] = 0;
    s.sqj[x2] = 0;
    s.si[x2] = 0;
    s.sj[x2] = 0;
    emit(x2, sim);
  }
}

/** The dense (nX, nX) similarity matrix (row-major float32, 1 on the diagonal). */
export function similarityMatrix(o: Oriented, opts: ResolvedSimilarityOptions): Float32Array {
  const n = o.nX;
  if (n * n > 2 ** 31) throw new ValueError('similarity', `a dense ${n} × ${n} similarity matrix is too large; use the other orientation (userBased: ${!opts.userBased})`);
  const sim = new Float32Array(n * n);
  const scratch = new RowScratch(n);
  for (let x = 0; x < n; x++) {
    sim[x * n + x] = 1;
    similarityRow(o, opts, x, x, scratch, (x2, v) => {
      sim[x * n + x2] = v;
      sim[x2 * n + x] = v;
    });
  }
  return sim;
}
