/**
 * The scoring half of a dot-product factor model (score = userᵀ·item + item bias), shared by ALS
 * and BPR: prediction, top-k recommendation, cold-start fallback, item similarity, save/load.
 */
import { ValueError } from '../errors.js';
import {
  checkK, decodeF32, encodeTyped, indexOf, rankScores, rowCosine, seenFromJSON, seenToJSON, similarRows,
  type ItemSimilarity, type SeenIndex,
} from './factors.js';
import { noGrad } from '../autograd/mode.js';
import { matmul } from '../ops/index.js';
import { tensor } from '../tensor/create.js';
import type { RecommendOptions, Recommender, Scored, Interactions } from './types.js';

/** The fitted state of a factor model. */
export interface FactorState {
  userIds: readonly string[];
  itemIds: readonly string[];
  /** Latent dimension. */
  dim: number;
  /** (nUsers, dim) row-major. */
  userFactors: Float32Array;
  /** (nItems, dim) row-major. */
  itemFactors: Float32Array;
  /** Per-item bias added to every score, or null. */
  itemBias: Float32Array | null;
  seen: SeenIndex;
}

/** The saved form of a factor model (`toJSON()`), arrays as base64. */
export interface FactorModelJSON<O> {
  type: string;
  version: 1;
  options: O;
  userIds: string[];
  itemIds: string[];
  dim: number;
  userFactors: string;
  itemFactors: string;
  itemBias: string | null;
  seenIndptr: string;
  seenIndices: string;
  itemCounts: string;
}

/**
 * Base of ALS and BPR. Cold start, never throwing: a user who is unknown or has no training
 * interaction (an id kept only for a shared id space) is cold: `predict` returns the item's bias
 * (0 without biases) and `recommend` ranks by training popularity (interaction counts as scores).
 * An unknown item scores 0.
 */
export abstract class FactorModel<O extends object> implements Recommender, ItemSimilarity {
  abstract readonly name: string;
  /** Scores rank items; they are not ratings. */
  readonly scoreKind = 'relevance' as const;
  readonly options: Required<O>;
  protected state: FactorState | null = null;
  private userIdx = new Map<string, number>();
  /** Item id → dense index (set with the fitted state). */
  protected itemIdx = new Map<string, number>();

  constructor(options: Required<O>) {
    this.options = options;
  }

  abstract fit(train: Interactions): this;

  /** Dense user factors (nUsers, dim), or throws before `fit`. */
  get userFactors(): Float32Array { return this.fitted('userFactors').userFactors; }
  /** Dense item factors (nItems, dim), or throws before `fit`. */
  get itemFactors(): Float32Array { return this.fitted('itemFactors').itemFactors; }
  /** Item ids in dense-id order. */
  get itemIds(): readonly string[] { return this.fitted('itemIds').itemIds; }
  /** User ids in dense-id order. */
  get userIds(): readonly string[] { return this.fitted('userIds').userIds; }

  /** The latent vector of an item (a view), or null if unknown. */
  itemVector(item: string): Float32Array | null {
    const s = this.fitted('itemVector');
    const i = this.itemIdx.get(item);
    return i === undefined ? null : s.itemFactors.subarray(i * s.dim, (i + 1) * s.dim);
  }

  predict(user: string, item: string): number {
    const s = this.fitted('predict');
    const i = this.itemIdx.get(item);
    if (i === undefined) return 0;
    const bias = s.itemBias ? s.itemBias[i]! : 0;
    const u = this.activeUser(user);
    if (u === undefined) return bias;
    let dot = bias;
    for (let f = 0; f < s.dim; f++) dot += s.userFactors[u * s.dim + f]! * s.itemFactors[i * s.dim + f]!;
    // Rounded as `scoresFor` stores it, so predict and recommend report the same number.
    return Math.fround(dot);
  }

  /** Scores of every catalogue item for a user (popularity for an unknown user). */
  scoresFor(user: string): Float32Array {
    const s = this.fitted('scoresFor');
    const u = this.activeUser(user);
    const n = s.itemIds.length;
    if (u === undefined) return Float32Array.from(s.seen.counts);
    return this.scoresOfVector(s.userFactors.subarray(u * s.dim, (u + 1) * s.dim));
  }

  /** Scores of every catalogue item for a user vector x (dim values): item bias + x·item factors. */
  protected scoresOfVector(x: ArrayLike<number>): Float32Array {
    const s = this.fitted('scoresFor');
    const n = s.itemIds.length;
    const out = new Float32Array(n);
    const d = s.dim;
    const V = s.itemFactors;
    for (let i = 0; i < n; i++) {
      let dot = s.itemBias ? s.itemBias[i]! : 0;
      const ib = i * d;
      for (let f = 0; f < d; f++) dot += x[f]! * V[ib + f]!;
      out[i] = dot;
    }
    return out;
  }

  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    const s = this.fitted('recommend');
    checkK(`${this.name}.recommend`, k);
    return rankScores(this.scoresFor(user), k, s.itemIds, this.itemIdx, s.seen, this.userIdx.get(user), opts);
  }

  /**
   * Top-k lists for many users at once: scores are computed for blocks of `blockSize` users as
   * one matrix product (U_block · Vᵀ on the active tsorch backend, WebAssembly SIMD by default),
   * several times faster than calling `recommend` per user. Scores may differ from `recommend`'s
   * in the last float32 bits (another summation order). Cold users get the popularity list.
   *
   * @example
   * ```ts
   * const lists = als.recommendMany(als.userIds, 10); // one list per user, in order
   * ```
   */
  recommendMany(users: readonly string[], k: number, opts: RecommendOptions & { blockSize?: number } = {}): Scored[][] {
    const s = this.fitted('recommendMany');
    checkK(`${this.name}.recommendMany`, k);
    const block = opts.blockSize ?? 256;
    if (!(Number.isInteger(block) && block > 0)) throw new ValueError(`${this.name}.recommendMany`, `blockSize must be a positive integer, got ${block}`);
    const d = s.dim;
    const n = s.itemIds.length;
    const out: Scored[][] = new Array(users.length);
    const warm: number[] = [];
    users.forEach((user, at) => {
      if (this.activeUser(user) === undefined) out[at] = this.recommend(user, k, opts);
      else warm.push(at);
    });
    const Vt = tensor(s.itemFactors, { shape: [n, d] }).t();
    for (let b0 = 0; b0 < warm.length; b0 += block) {
      const rows = warm.slice(b0, b0 + block);
      const Ub = new Float32Array(rows.length * d);
      rows.forEach((at, r) => { const u = this.userIdx.get(users[at]!)!; Ub.set(s.userFactors.subarray(u * d, (u + 1) * d), r * d); });
      const scores = noGrad(() => matmul(tensor(Ub, { shape: [rows.length, d] }), Vt)).dataSync() as Float32Array;
      rows.forEach((at, r) => {
        const row = scores.subarray(r * n, (r + 1) * n);
        if (s.itemBias) for (let i = 0; i < n; i++) row[i]! += s.itemBias[i]!;
        out[at] = rankScores(row, k, s.itemIds, this.itemIdx, s.seen, this.userIdx.get(users[at]!), opts);
      });
    }
    return out;
  }

  itemSimilarity(a: string, b: string): number {
    const s = this.fitted('itemSimilarity');
    const i = this.itemIdx.get(a);
    const j = this.itemIdx.get(b);
    return i === undefined || j === undefined ? 0 : rowCosine(s.itemFactors, s.dim, i, j);
  }

  similarItems(item: string, k: number): Scored[] {
    const s = this.fitted('similarItems');
    const i = this.itemIdx.get(item);
    return i === undefined ? [] : similarRows(s.itemFactors, s.dim, i, k, s.itemIds);
  }

  toJSON(): FactorModelJSON<Required<O>> {
    const s = this.fitted('toJSON');
    return {
      type: this.name, version: 1, options: { ...this.options },
      userIds: [...s.userIds], itemIds: [...s.itemIds], dim: s.dim,
      userFactors: encodeTyped(s.userFactors), itemFactors: encodeTyped(s.itemFactors),
      itemBias: s.itemBias ? encodeTyped(s.itemBias) : null, ...seenToJSON(s.seen),
    };
  }

  /** Dense id of a user with at least one training interaction (others are served as cold). */
  private activeUser(user: string): number | undefined {
    const u = this.userIdx.get(user);
    const seen = this.state!.seen;
    return u !== undefined && seen.indptr[u + 1]! > seen.indptr[u]! ? u : undefined;
  }

  protected setState(state: FactorState): void {
    const { userIds, itemIds, dim, userFactors, itemFactors, itemBias } = state;
    const op = `${this.name}.setState`;
    if (userFactors.length !== userIds.length * dim || itemFactors.length !== itemIds.length * dim) {
      throw new ValueError(op, `factor sizes ${userFactors.length}/${itemFactors.length} do not match ${userIds.length} users / ${itemIds.length} items × dim ${dim}`);
    }
    if (itemBias && itemBias.length !== itemIds.length) throw new ValueError(op, `item bias has ${itemBias.length} entries for ${itemIds.length} items`);
    this.state = state;
    this.userIdx = indexOf(userIds);
    this.itemIdx = indexOf(itemIds);
  }

  /** Restores the state saved by `toJSON` (called by the subclasses' `fromJSON`). */
  protected restore(json: FactorModelJSON<unknown>): this {
    const op = `${this.name}.fromJSON`;
    this.setState({
      userIds: json.userIds, itemIds: json.itemIds, dim: json.dim,
      userFactors: decodeF32(json.userFactors, op), itemFactors: decodeF32(json.itemFactors, op),
      itemBias: json.itemBias === null ? null : decodeF32(json.itemBias, op), seen: seenFromJSON(json, op),
    });
    return this;
  }

  protected fitted(op: string): FactorState {
    if (this.state === null) throw new ValueError(`${this.name}.${op}`, 'call fit first (or load a model with fromJSON)');
    return this.state;
  }
}
