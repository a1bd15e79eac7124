/**
 * Baselines every recommender must beat: the global mean, user and item biases fitted as in
 * Surprise's `BaselineOnly` (alternating least squares, or SGD), and popularity.
 */
import { ValueError } from '../errors.js';
import { encodeTyped, checkSaved } from './factors.js';
import { RatingModel, checkLength, decodeF64, type RatingModelJSON } from './rating-model.js';
import type { Interactions } from './types.js';

/** How to fit the biases, with Surprise's `bsl_options` defaults. */
export type BaselineOptions =
  | { method?: 'als'; nEpochs?: number; regU?: number; regI?: number }
  | { method: 'sgd'; nEpochs?: number; reg?: number; learningRate?: number };

/** Resolved baseline options (every field set). */
export type ResolvedBaselineOptions =
  | { method: 'als'; nEpochs: number; regU: number; regI: number }
  | { method: 'sgd'; nEpochs: number; reg: number; learningRate: number };

/**
 * Fills in Surprise's defaults: ALS with reg_u 15, reg_i 10, 10 epochs; SGD with reg 0.02, lr 0.005, 20 epochs.
 *
 * @example
 * ```ts
 * resolveBaselineOptions({ method: 'sgd' }); // { method: 'sgd', nEpochs: 20, reg: 0.02, learningRate: 0.005 }
 * ```
 */
export function resolveBaselineOptions(o: BaselineOptions = {}): ResolvedBaselineOptions {
  const out: ResolvedBaselineOptions = o.method === 'sgd'
    ? { method: 'sgd', nEpochs: o.nEpochs ?? 20, reg: o.reg ?? 0.02, learningRate: o.learningRate ?? 0.005 }
    : { method: 'als', nEpochs: o.nEpochs ?? 10, regU: o.regU ?? 15, regI: o.regI ?? 10 };
  if (!Number.isInteger(out.nEpochs) || out.nEpochs < 0) throw new ValueError('BaselineOnly', `nEpochs must be an integer >= 0, got ${out.nEpochs}`);
  return out;
}

/**
 * User and item biases b_u, b_i of r ≈ μ + b_u + b_i, fitted as Surprise's `baseline_als` (each
 * epoch: every b_i = Σ(r − μ − b_u)/(reg_i + |R(i)|), then every b_u = Σ(r − μ − b_i)/(reg_u + |R(u)|))
 * or `baseline_sgd` (per rating, in data order: err = r − μ − b_u − b_i; b_u += lr·(err − reg·b_u);
 * b_i += lr·(err − reg·b_i)). Duplicate (user, item) rows count as separate ratings.
 *
 * @example
 * ```ts
 * const { bu, bi } = fitBaselines(train, 3.5, { method: 'als' });
 * ```
 */
export function fitBaselines(train: Interactions, globalMean: number, opts: ResolvedBaselineOptions): { bu: Float64Array; bi: Float64Array } {
  const nU = train.userIds.length;
  const nI = train.itemIds.length;
  const bu = new Float64Array(nU);
  const bi = new Float64Array(nI);
  const { users, items, ratings } = train;
  const n = users.length;
  if (opts.method === 'als') {
    const cu = new Float64Array(nU);
    const ci = new Float64Array(nI);
    for (let k = 0; k < n; k++) {
      cu[users[k]!]!++;
      ci[items[k]!]!++;
    }
    const acc = new Float64Array(Math.max(nU, nI));
    for (let e = 0; e < opts.nEpochs; e++) {
      acc.fill(0, 0, nI);
      for (let k = 0; k < n; k++) acc[items[k]!]! += ratings[k]! - globalMean - bu[users[k]!]!;
      for (let i = 0; i < nI; i++) bi[i] = acc[i]! / (opts.regI + ci[i]!);
      acc.fill(0, 0, nU);
      for (let k = 0; k < n; k++) acc[users[k]!]! += ratings[k]! - globalMean - bi[items[k]!]!;
      for (let u = 0; u < nU; u++) bu[u] = acc[u]! / (opts.regU + cu[u]!);
    }
  } else {
    const { learningRate: lr, reg } = opts;
    for (let e = 0; e < opts.nEpochs; e++) {
      for (let k = 0; k < n; k++) {
        const u = users[k]!;
        const i = items[k]!;
        const err = ratings[k]! - (globalMean + bu[u]! + bi[i]!);
        bu[u]! += lr * (err - reg * bu[u]!);
        bi[i]! += lr * (err - reg * bi[i]!);
      }
    }
  }
  return { bu, bi };
}

/**
 * Predicts the training mean for every pair (clipped to the rating range like every rating model).
 *
 * @example
 * ```ts
 * new GlobalMean().fit(train).predict('u1', 'i2'); // the mean training rating
 * ```
 */
export class GlobalMean extends RatingModel {
  readonly name = 'global-mean';
  protected fitModel(): void {}
  protected estimate(): number {
    return this.fitted('predict').globalMean;
  }
  toJSON(): RatingModelJSON {
    return this.baseJSON();
  }
  static fromJSON(json: RatingModelJSON): GlobalMean {
    checkSaved('GlobalMean.fromJSON', json, 'global-mean');
    const m = new GlobalMean();
    m.restoreBase(json);
    return m;
  }
}

/**
 * Surprise's `BaselineOnly`: r̂ = μ + b_u + b_i, biases from `fitBaselines`. Unknown users or
 * items contribute a zero bias (so a pair with both unknown gets μ), as in Surprise.
 *
 * @example
 * ```ts
 * const model = new BaselineOnly({ method: 'als' }).fit(train);
 * model.predict('196', '242');
 * ```
 */
export class BaselineOnly extends RatingModel {
  readonly name = 'baseline';
  readonly options: ResolvedBaselineOptions;
  bu: Float64Array = new Float64Array(0);
  bi: Float64Array = new Float64Array(0);

  constructor(opts: BaselineOptions = {}) {
    super();
    this.options = resolveBaselineOptions(opts);
  }

  protected fitModel(train: Interactions): void {
    ({ bu: this.bu, bi: this.bi } = fitBaselines(train, this.fitted('fit').globalMean, this.options));
  }

  protected estimate(u: number, i: number): number {
    return this.fitted('predict').globalMean + (u >= 0 ? this.bu[u]! : 0) + (i >= 0 ? this.bi[i]! : 0);
  }

  toJSON(): RatingModelJSON & { options: ResolvedBaselineOptions; bu: string; bi: string } {
    return { ...this.baseJSON(), options: this.options, bu: encodeTyped(this.bu), bi: encodeTyped(this.bi) };
  }

  static fromJSON(json: RatingModelJSON & { options: ResolvedBaselineOptions; bu: string; bi: string }): BaselineOnly {
    const op = 'BaselineOnly.fromJSON';
    checkSaved(op, json, 'baseline');
    const m = new BaselineOnly(json.options);
    m.restoreBase(json);
    m.bu = decodeF64(json.bu, op);
    m.bi = decodeF64(json.bi, op);
    checkLength(op, 'bu', m.bu, json.userIds.length);
    checkLength(op, 'bi', m.bi, json.itemIds.length);
    return m;
  }
}

/**
 * Popularity: every user gets the items with the most training interactions. `predict` returns a
 * relevance score, the item's interaction count divided by the largest count (0 for an unknown
 * item), not a rating — so `scoreKind` is 'relevance' and evaluation reports no RMSE for it.
 *
 * @example
 * ```ts
 * new Popularity().fit(train).recommend('u1', 10);
 * ```
 */
export class Popularity extends RatingModel {
  readonly name = 'popularity';
  override readonly scoreKind = 'relevance';
  private maxCount = 1;

  constructor() {
    super();
    this.clip = false;
  }

  protected fitModel(): void {
    let m = 1;
    for (const c of this.fitted('fit').seen.counts) m = Math.max(m, c);
    this.maxCount = m;
  }

  protected estimate(_u: number, i: number): number {
    return i >= 0 ? this.fitted('predict').seen.counts[i]! / this.maxCount : 0;
  }

  toJSON(): RatingModelJSON {
    return this.baseJSON();
  }

  static fromJSON(json: RatingModelJSON): Popularity {
    checkSaved('Popularity.fromJSON', json, 'popularity');
    const m = new Popularity();
    m.restoreBase(json);
    m.fitModel();
    return m;
  }
}
