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
import { checkSaved, checkTrain, seenIndex, summedCSR, uniformMatrix, withDefaults } from './factors.js';
import type { Interactions } from './types.js';

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

  /** Solves every row of X (rows of `csr`) with the other side's factors Y fixed. */
  private sweep(csr: { indptr: Int32Array; indices: Int32Array; values: Float32Array; rows: number }, X: Float32Array, Y: Float32Array): void {
    const { factors: d, regularization: reg, alpha, solver, cgSteps } = this.options;
    const nY = Y.length / d;
    // YᵀY + λI once for all rows.
    const A0 = new Float64Array(d * d);
    for (let j = 0; j < nY; j++) {
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
        A.set(A0);
        r.fill(0);
        for (let q = s; q < e; q++) {
          const c = 1 + alpha * csr.values[q]!;
          const yb = csr.indices[q]! * d;
          for (let f = 0; f < d; f++) {
            const yf = Y[yb + f]!;
            r[f]! += c * yf;
            const w = (c - 1) * yf;
            for (let g = 0; g <= f; g++) A[f * d + g]! += w * Y[yb + g]!;
          }
        }
        choleskySolve(A, r, d, x);
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
