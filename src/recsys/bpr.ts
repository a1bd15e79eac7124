/**
 * Bayesian personalised ranking matrix factorisation (Rendle et al. 2009) trained by SGD over
 * (user, positive item, sampled negative item) triples, with the `implicit` library's semantics
 * (`BayesianPersonalizedRanking`):
 * - an epoch draws as many triples as there are distinct (user, item) interactions; the positive
 *   pair is a uniformly drawn interaction, the negative item is the item of another uniformly drawn
 *   interaction (so negatives are sampled in proportion to popularity), redrawn-free: when
 *   `verifyNegativeSamples` is on and the user has interacted with it, the triple is skipped;
 * - the update ascends ln σ(x̂ᵤᵢ − x̂ᵤⱼ) − λ‖θ‖²/2 with x̂ᵤᵢ = uᵀvᵢ + bᵢ;
 * - factors start uniform in [−0.5, 0.5)/factors, items never seen start at zero.
 */
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { FactorModel, type FactorModelJSON } from './factor-model.js';
import { checkSaved, checkTrain, seenIndex, summedCSR, withDefaults } from './factors.js';
import type { Interactions } from './types.js';

/** Options of {@link BPR}. Defaults are the `implicit` library's. */
export interface BPROptions {
  /** Latent factors (the item bias is kept apart, as implicit's extra column). Default 100. */
  factors?: number;
  /** SGD step. Default 0.01. */
  learningRate?: number;
  /** L2 regularisation λ. Default 0.01. */
  regularization?: number;
  /** Epochs. Default 100. */
  iterations?: number;
  /** Skip sampled negatives the user has interacted with. Default true. */
  verifyNegativeSamples?: boolean;
  /** Seed of initialisation and sampling. Default 0. */
  seed?: number;
}

/**
 * BPR-MF. All interactions count as positives whatever their rating (filter low ratings out
 * before `fit` if they mean dislike); duplicates count once. Scores are uᵀv + item bias.
 * Cold start (never throws): unknown users get the most popular items, unknown items score 0,
 * `predict` for an unknown user returns the item bias.
 *
 * @example
 * ```ts
 * const bpr = new BPR({ factors: 32, iterations: 50, seed: 3 }).fit(interactionsFrom(rows, { implicit: true }));
 * bpr.recommend('u1', 10);
 * bpr.lastEpochAccuracy; // share of sampled triples already ranked right in the last epoch
 * ```
 */
export class BPR extends FactorModel<BPROptions> {
  readonly name = 'bpr';
  /** Fraction of (non-skipped) triples with x̂ᵤᵢ > x̂ᵤⱼ during the last epoch (implicit's "correct"). */
  lastEpochAccuracy = NaN;

  constructor(opts: BPROptions = {}) {
    super(withDefaults<BPROptions>({ factors: 100, learningRate: 0.01, regularization: 0.01, iterations: 100, verifyNegativeSamples: true, seed: 0 }, opts));
    const o = this.options;
    if (!(Number.isInteger(o.factors) && o.factors > 0)) throw new ValueError('BPR', `factors must be a positive integer, got ${o.factors}`);
    if (!(o.learningRate > 0)) throw new ValueError('BPR', `learningRate must be > 0, got ${o.learningRate}`);
    if (!(o.regularization >= 0)) throw new ValueError('BPR', `regularization must be ≥ 0, got ${o.regularization}`);
    if (!(Number.isInteger(o.iterations) && o.iterations >= 0)) throw new ValueError('BPR', `iterations must be a non-negative integer, got ${o.iterations}`);
  }

  /** Learns factors and item biases from interactions (every pair a positive). */
  fit(train: Interactions): this {
    checkTrain('BPR.fit', train);
    const o = this.options;
    const d = o.factors;
    const nU = train.userIds.length;
    const nI = train.itemIds.length;
    const csr = summedCSR(train, 'user');
    const nnz = csr.indices.length;
    const rowOf = new Int32Array(nnz);
    for (let u = 0; u < nU; u++) rowOf.fill(u, csr.indptr[u]!, csr.indptr[u + 1]!);
    const gen = new Generator(o.seed);
    const U = new Float32Array(nU * d);
    const V = new Float32Array(nI * d);
    const bias = new Float32Array(nI);
    for (let i = 0; i < U.length; i++) U[i] = (gen.nextFloat32() - 0.5) / d;
    const counts = new Int32Array(nI);
    for (let q = 0; q < nnz; q++) counts[csr.indices[q]!]!++;
    for (let i = 0; i < nI; i++) {
      for (let f = 0; f < d; f++) V[i * d + f] = counts[i] === 0 ? 0 : (gen.nextFloat32() - 0.5) / d;
      bias[i] = counts[i] === 0 ? 0 : (gen.nextFloat32() - 0.5) / d;
    }
    const lr = o.learningRate;
    const reg = o.regularization;
    for (let epoch = 0; epoch < o.iterations; epoch++) {
      let correct = 0;
      let skipped = 0;
      for (let s = 0; s < nnz; s++) {
        const q = gen.nextInt(0, nnz);
        const u = rowOf[q]!;
        const i = csr.indices[q]!;
        const j = csr.indices[gen.nextInt(0, nnz)]!;
        if (o.verifyNegativeSamples && hasItem(csr.indices, csr.indptr[u]!, csr.indptr[u + 1]!, j)) { skipped++; continue; }
        const ub = u * d;
        const ib = i * d;
        const jb = j * d;
        let x = bias[i]! - bias[j]!;
        for (let f = 0; f < d; f++) x += U[ub + f]! * (V[ib + f]! - V[jb + f]!);
        if (x > 0) correct++;
        const z = 1 / (1 + Math.exp(x)); // σ(−x): the gradient weight of ln σ(x)
        for (let f = 0; f < d; f++) {
          const uf = U[ub + f]!;
          const vi = V[ib + f]!;
          const vj = V[jb + f]!;
          U[ub + f] = uf + lr * (z * (vi - vj) - reg * uf);
          V[ib + f] = vi + lr * (z * uf - reg * vi);
          V[jb + f] = vj + lr * (-z * uf - reg * vj);
        }
        bias[i] = bias[i]! + lr * (z - reg * bias[i]!);
        bias[j] = bias[j]! + lr * (-z - reg * bias[j]!);
      }
      this.lastEpochAccuracy = correct / Math.max(1, nnz - skipped);
    }
    this.setState({ userIds: train.userIds, itemIds: train.itemIds, dim: d, userFactors: U, itemFactors: V, itemBias: bias, seen: seenIndex(train) });
    return this;
  }

  /** Rebuilds a fitted model from `toJSON()`'s output. */
  static fromJSON(json: FactorModelJSON<Required<BPROptions>>): BPR {
    checkSaved('BPR.fromJSON', json, 'bpr');
    return new BPR(json.options).restore(json);
  }
}

/** Binary search of `item` in the ascending slice indices[lo, hi). */
function hasItem(indices: Int32Array, lo: number, hi: number, item: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = indices[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
