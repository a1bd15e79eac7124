/**
 * Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008, "Collaborative
 * Filtering for Implicit Feedback Datasets"), with the conjugate-gradient solver of Takács et al.
 * (2011) that the `implicit` library uses by default.
 *
 * Every (user, item) cell has a preference p = 1 if the user interacted with the item, else 0,
 * and a confidence c = 1 + α·r (r: the summed interaction weights, the "ratings" of implicit
 * data). ALS alternately solves, for each user u with the item factors Y fixed,
 *   (YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = YᵀCᵤpᵤ,
 * then the same for every item with the user factors fixed. YᵀY is computed once per half-sweep
 * (the "YᵀY trick"), so a user's system only adds its own nnz terms: O(nnz·k) per CG step, never
 * O(nItems·k²).
 */
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { FactorModel, type FactorModelJSON } from './factor-model.js';
import { checkK, checkSaved, checkTrain, rankScores, seenIndex, summedCSR, uniformMatrix, withDefaults } from './factors.js';
import type { Interactions, RecommendOptions, Scored } from './types.js';

/** Options of {@link ALS}. Defaults are the `implicit` library's (`AlternatingLeastSquares`). */
export interface ALSOptions {
  /** Latent factors. Default 100. */
  factors?: number;
  /** L2 regularisation λ. Default 0.01. */
  regularization?: number;
  /** Confidence slope α in c = 1 + α·r. Default 1. */
  alpha?: number;
  /** Full sweeps (users then items). Default 15. */
  iterations?: number;
  /** 'cg': a few warm-started conjugate-gradient steps per row (fast, implicit's default); 'cholesky': the exact solve, O(k³) per row. Default 'cg'. */
  solver?: 'cg' | 'cholesky';
  /** CG steps per row and sweep. Default 3. */
  cgSteps?: number;
  /** Seed of the initial factors (uniform in [0, 0.01), as implicit). Default 0. */
  seed?: number;
}

/** One interaction of a history given to {@link ALS.userVectorFor} / {@link ALS.recommendFor}: an item id (weight 1) or an item with its weight. */
export type HistoryItem = string | { item: string; weight?: number };

/** Options of {@link ALS.userVectorFor} and {@link ALS.recommendFor}. */
export interface FoldInOptions {
  /** Skip items the model never saw instead of throwing. Default false. */
  ignoreUnknown?: boolean;
}

/**
 * Implicit ALS. Differences from `implicit`: the confidence is the paper's 1 + α·r, where
 * `implicit` uses the stored value times α as the confidence itself (pass weights r' = (c − 1)/α
 * to reproduce one from the other); duplicate (user, item) pairs have their weights summed.
 * Weights must be positive. Cold start (never throws): see {@link FactorModel}: unknown users get
 * the most popular items, unknown items score 0.
 *
 * @example
 * ```ts
 * const data = interactionsFrom(rows, { implicit: true });
 * const als = new ALS({ factors: 32, iterations: 10, seed: 1 }).fit(data);
 * als.recommend('u1', 10);         // [{ item, score }, …] without u1's seen items
 * als.similarItems('i9', 5);       // cosine of item factors
 * als.recommendFor(['i3', 'i7'], 10); // a user who was not in the training data (fold-in)
 * const copy = ALS.fromJSON(JSON.parse(JSON.stringify(als.toJSON())));
 * ```
 */
export class ALS extends FactorModel<ALSOptions> {
  readonly name = 'als';

  constructor(opts: ALSOptions = {}) {
    super(withDefaults<ALSOptions>({ factors: 100, regularization: 0.01, alpha: 1, iterations: 15, solver: 'cg', cgSteps: 3, seed: 0 }, opts));
    const o = this.options;
    if (!(Number.isInteger(o.factors) && o.factors > 0)) throw new ValueError('ALS', `factors must be a positive integer, got ${o.factors}`);
    if (!(o.regularization >= 0)) throw new ValueError('ALS', `regularization must be ≥ 0, got ${o.regularization}`);
    if (!(o.alpha >= 0)) throw new ValueError('ALS', `alpha must be ≥ 0, got ${o.alpha}`);
    if (!(Number.isInteger(o.iterations) && o.iterations >= 0)) throw new ValueError('ALS', `iterations must be a non-negative integer, got ${o.iterations}`);
    if (!(Number.isInteger(o.cgSteps) && o.cgSteps > 0)) throw new ValueError('ALS', `cgSteps must be a positive integer, got ${o.cgSteps}`);
    if (o.solver !== 'cg' && o.solver !== 'cholesky') throw new ValueError('ALS', `solver must be 'cg' or 'cholesky', got ${String(o.solver)}`);
  }

  /** Learns user and item factors from implicit interactions (weights = ratings, summed over duplicates). */
  fit(train: Interactions): this {
    checkTrain('ALS.fit', train);
    for (let k = 0; k < train.ratings.length; k++) {
      const r = train.ratings[k]!;
      if (!(r > 0)) throw new ValueError('ALS.fit', `interaction ${k} (user ${train.userIds[train.users[k]!]}, item ${train.itemIds[train.items[k]!]}) has weight ${r}; implicit ALS needs positive weights`);
    }
    const o = this.options;
    const d = o.factors;
    const byUser = summedCSR(train, 'user');
    const byItem = summedCSR(train, 'item');
    const gen = new Generator(o.seed);
    const next = (): number => gen.nextFloat32();
    const X = uniformMatrix(train.userIds.length, d, 0, 0.01, next);
    const Y = uniformMatrix(train.itemIds.length, d, 0, 0.01, next);
    for (let it = 0; it < o.iterations; it++) {
      this.sweep(byUser, X, Y);
      this.sweep(byItem, Y, X);
    }
    this.setState({ userIds: train.userIds, itemIds: train.itemIds, dim: d, userFactors: X, itemFactors: Y, itemBias: null, seen: seenIndex(train) });
    return this;
  }

  /**
   * A user's latent vector from a history alone ("fold-in", as `implicit`'s recalculate_user):
   * the exact solve of the user half-step (YᵀY + Yᵀ(Cᵤ − I)Y + λI) x = YᵀCᵤpᵤ with the learned
   * item factors Y fixed, for a user who was not in the training data, or whose history has
   * changed, without refitting. Weights are as in fit (positive, 1 when omitted, duplicates
   * summed). An item the model never saw is a ValueError, unless `ignoreUnknown`.
   *
   * @example
   * ```ts
   * const x = als.userVectorFor([{ item: 'i3', weight: 2 }, 'i7']); // Float32Array(factors)
   * ```
   */
  userVectorFor(history: Iterable<HistoryItem>, opts: FoldInOptions = {}): Float32Array {
    const { x } = this.foldIn('ALS.userVectorFor', history, opts);
    return x === null ? new Float32Array(this.fitted('ALS.userVectorFor').dim) : Float32Array.from(x);
  }

  /**
   * The top-k items for a history, through {@link userVectorFor}: every item scored against the
   * folded-in vector; the history's own items are left out unless `excludeSeen` is false. An
   * empty history (or only unknown items, with `ignoreUnknown`) gets the popularity list, as an
   * unknown user does.
   *
   * @example
   * ```ts
   * als.recommendFor(['i3', 'i7'], 5); // [{ item, score }, …]
   * ```
   */
  recommendFor(history: Iterable<HistoryItem>, k: number, opts: RecommendOptions & FoldInOptions = {}): Scored[] {
    const s = this.fitted('ALS.recommendFor');
    checkK('ALS.recommendFor', k);
    const { x, rows } = this.foldIn('ALS.recommendFor', history, opts);
    const exclude = [...(opts.excludeSeen ?? true ? Array.from(rows, (i) => s.itemIds[i]!) : []), ...(opts.exclude ?? [])];
    const scores = x === null ? Float32Array.from(s.seen.counts) : this.scoresOfVector(x);
    return rankScores(scores, k, s.itemIds, this.itemIdx, s.seen, undefined, { exclude });
  }

  /** The folded-in vector of a history (null when it has no known item) and its dense item rows. */
  private foldIn(op: string, history: Iterable<HistoryItem>, opts: FoldInOptions): { x: Float64Array | null; rows: Int32Array } {
    const s = this.fitted(op);
    const sums = new Map<number, number>();
    for (const h of history) {
      const item = typeof h === 'string' ? h : h.item;
      const w = typeof h === 'string' ? 1 : h.weight ?? 1;
      if (!(w > 0 && Number.isFinite(w))) throw new ValueError(op, `item ${item} has weight ${w}; implicit ALS needs positive weights`);
      const i = this.itemIdx.get(item);
      if (i === undefined) {
        if (opts.ignoreUnknown) continue;
        throw new ValueError(op, `item ${item} is not in the model (pass ignoreUnknown: true to skip unknown items)`);
      }
      sums.set(i, (sums.get(i) ?? 0) + w);
    }
    const rows = Int32Array.from(sums.keys());
    if (rows.length === 0) return { x: null, rows };
    const d = s.dim;
    const x = new Float64Array(d);
    if (this.gramCache?.of !== s.itemFactors) this.gramCache = { of: s.itemFactors, A0: gramPlusRidge(s.itemFactors, d, this.options.regularization) };
    choleskyRow(this.gramCache.A0, s.itemFactors, d, this.options.alpha, rows, Float32Array.from(sums.values()), 0, rows.length, new Float64Array(d * d), new Float64Array(d), x);
    return { x, rows };
  }

  /** YᵀY + λI of the item factors fold-in solves against (computed once per fitted state). */
  private gramCache: { of: Float32Array; A0: Float64Array } | null = null;

  /** Solves every row of X (rows of `csr`) with the other side's factors Y fixed. */
  private sweep(csr: { indptr: Int32Array; indices: Int32Array; values: Float32Array; rows: number }, X: Float32Array, Y: Float32Array): void {
    const { factors: d, regularization: reg, alpha, solver, cgSteps } = this.options;
    // YᵀY + λI once for all rows.
    const A0 = gramPlusRidge(Y, d, reg);
    const x = new Float64Array(d);
    const r = new Float64Array(d);
    const p = new Float64Array(d);
    const Ap = new Float64Array(d);
    const A = solver === 'cholesky' ? new Float64Array(d * d) : null;
    for (let u = 0; u < csr.rows; u++) {
      const s = csr.indptr[u]!;
      const e = csr.indptr[u + 1]!;
      const xb = u * d;
      if (A) {
        choleskyRow(A0, Y, d, alpha, csr.indices, csr.values, s, e, A, r, x);
        for (let f = 0; f < d; f++) X[xb + f] = x[f]!;
        continue;
      }
      // CG warm-started from the current factors: r = b − A x.
      for (let f = 0; f < d; f++) x[f] = X[xb + f]!;
      symv(A0, x, d, r, -1);
      for (let q = s; q < e; q++) {
        const c = 1 + alpha * csr.values[q]!;
        const yb = csr.indices[q]! * d;
        let yx = 0;
        for (let f = 0; f < d; f++) yx += Y[yb + f]! * x[f]!;
        const w = c - (c - 1) * yx;
        for (let f = 0; f < d; f++) r[f]! += w * Y[yb + f]!;
      }
      p.set(r);
      let rs = dot(r, r, d);
      for (let step = 0; step < cgSteps && rs > 1e-20; step++) {
        symv(A0, p, d, Ap, 1);
        for (let q = s; q < e; q++) {
          const c = 1 + alpha * csr.values[q]!;
          const yb = csr.indices[q]! * d;
          let yp = 0;
          for (let f = 0; f < d; f++) yp += Y[yb + f]! * p[f]!;
          const w = (c - 1) * yp;
          for (let f = 0; f < d; f++) Ap[f]! += w * Y[yb + f]!;
        }
        const a = rs / dot(p, Ap, d);
        for (let f = 0; f < d; f++) { x[f]! += a * p[f]!; r[f]! -= a * Ap[f]!; }
        const rsNew = dot(r, r, d);
        for (let f = 0; f < d; f++) p[f] = r[f]! + (rsNew / rs) * p[f]!;
        rs = rsNew;
      }
      for (let f = 0; f < d; f++) X[xb + f] = x[f]!;
    }
  }

  /** Rebuilds a fitted model from `toJSON()`'s output. */
  static fromJSON(json: FactorModelJSON<Required<ALSOptions>>): ALS {
    checkSaved('ALS.fromJSON', json, 'als');
    return new ALS(json.options).restore(json);
  }
}

/** YᵀY + λI (d×d, both triangles) of the row-major factors Y. */
function gramPlusRidge(Y: Float32Array, d: number, reg: number): Float64Array {
  const A0 = new Float64Array(d * d);
  for (let j = 0; j < Y.length / d; j++) {
    const b = j * d;
    for (let f = 0; f < d; f++) {
      const yf = Y[b + f]!;
      if (yf === 0) continue;
      for (let g = f; g < d; g++) A0[f * d + g]! += yf * Y[b + g]!;
    }
  }
  for (let f = 0; f < d; f++) {
    for (let g = 0; g < f; g++) A0[f * d + g] = A0[g * d + f]!;
    A0[f * d + f]! += reg;
  }
  return A0;
}

/**
 * The exact solve of one row: (A0 + Σ (c − 1)·y yᵀ) x = Σ c·y over the row's entries [s, e) of
 * `indices` (rows of Y) and `values` (weights r, c = 1 + α·r). A (d×d) and b (d) are scratch.
 */
function choleskyRow(A0: Float64Array, Y: Float32Array, d: number, alpha: number, indices: ArrayLike<number>, values: ArrayLike<number>,
  s: number, e: number, A: Float64Array, b: Float64Array, x: Float64Array): void {
  A.set(A0);
  b.fill(0);
  for (let q = s; q < e; q++) {
    const c = 1 + alpha * values[q]!;
    const yb = indices[q]! * d;
    for (let f = 0; f < d; f++) {
      const yf = Y[yb + f]!;
      b[f]! += c * yf;
      const w = (c - 1) * yf;
      for (let g = 0; g <= f; g++) A[f * d + g]! += w * Y[yb + g]!;
    }
  }
  choleskySolve(A, b, d, x);
}

function dot(a: Float64Array, b: Float64Array, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) s += a[f]! * b[f]!;
  return s;
}

/** out = sign · A v (A symmetric d×d). */
function symv(A: Float64Array, v: Float64Array, d: number, out: Float64Array, sign: number): void {
  for (let f = 0; f < d; f++) {
    let s = 0;
    const row = f * d;
    for (let g = 0; g < d; g++) s += A[row + g]! * v[g]!;
    out[f] = sign * s;
  }
}

/** Solves A x = b for symmetric positive-definite A, reading only its lower triangle (overwritten by L). */
function choleskySolve(A: Float64Array, b: Float64Array, d: number, x: Float64Array): void {
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j]!;
    for (let k = 0; k < j; k++) s -= A[j * d + k]! * A[j * d + k]!;
    const l = Math.sqrt(Math.max(s, 1e-12));
    A[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j]!;
      for (let k = 0; k < j; k++) t -= A[i * d + k]! * A[j * d + k]!;
      A[i * d + j] = t / l;
    }
  }
  for (let i = 0; i < d; i++) {
    let t = b[i]!;
    for (let k = 0; k < i; k++) t -= A[i * d + k]! * x[k]!;
    x[i] = t / A[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let t = x[i]!;
    for (let k = i + 1; k < d; k++) t -= A[k * d + i]! * x[k]!;
    x[i] = t / A[i * d + i]!;
  }
}
