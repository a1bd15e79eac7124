/**
 * The part every explicit-rating model (GlobalMean, BaselineOnly, k-NN, SVD, SVD++) shares: id
 * maps, which users and items are known (at least one training interaction — an id that only
 * occurs in a test split is unknown, as in Surprise), the global mean and rating scale, clipping
 * of predictions to that scale, top-k recommendation over the known catalogue with seen items
 * excluded, and the common half of save/load.
 */
import { ValueError } from '../errors.js';
import { checkTrain, decodeF32, encodeTyped, indexOf, rankScores, seenFromJSON, seenIndex, seenToJSON, type SeenIndex } from './factors.js';
import type { Interactions, RecommendOptions, Recommender, Scored } from './types.js';

/** The saved fields every rating model has. */
export interface RatingModelJSON {
  type: string;
  version: 1;
  userIds: string[];
  itemIds: string[];
  globalMean: number;
  scale: [number, number];
  seenIndptr: string;
  seenIndices: string;
  itemCounts: string;
  /** Interactions per user (base64 float32). */
  userCounts: string;
}

/** The fitted facts every rating model keeps. */
export interface RatingBase {
  userIds: readonly string[];
  itemIds: readonly string[];
  userIndex: Map<string, number>;
  itemIndex: Map<string, number>;
  globalMean: number;
  /** [min, max] of the training ratings; predictions are clipped to it when `clip` is on. */
  scale: [number, number];
  seen: SeenIndex;
  userCounts: Float32Array;
}

/**
 * Base class of the explicit-rating models. Subclasses implement `estimate(u, i)` on dense ids,
 * where -1 marks an unknown user or item and the subclass gives its documented fallback.
 *
 * @example
 * ```ts
 * class Constant extends RatingModel {
 *   readonly name = 'constant';
 *   protected fitModel(): void {}
 *   protected estimate(): number { return 3; }
 * }
 * new Constant().fit(train).recommend('u1', 5);
 * ```
 */
export abstract class RatingModel implements Recommender {
  abstract readonly name: string;
  readonly scoreKind: 'rating' | 'relevance' = 'rating';
  /** Clip predictions to the training rating range (Surprise does). Default true. */
  clip = true;
  protected base: RatingBase | null = null;

  /** Learns from `train`; the base facts are set before `fitModel` runs. */
  fit(train: Interactions): this {
    checkTrain(`${this.name}.fit`, train);
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (const r of train.ratings) {
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
      sum += r;
    }
    const userCounts = new Float32Array(train.userIds.length);
    for (const u of train.users) userCounts[u]!++;
    this.base = {
      userIds: train.userIds, itemIds: train.itemIds,
      userIndex: new Map(train.userIndex), itemIndex: new Map(train.itemIndex),
      globalMean: sum / train.ratings.length, scale: [lo, hi], seen: seenIndex(train), userCounts,
    };
    this.fitModel(train);
    return this;
  }

  protected abstract fitModel(train: Interactions): void;

  /** The unclipped estimate for dense ids (-1 = unknown). */
  protected abstract estimate(u: number, i: number): number;

  /** Dense id of a user with training data, or -1. */
  protected userOf(user: string): number {
    const b = this.fitted('predict');
    const u = b.userIndex.get(user);
    return u !== undefined && b.userCounts[u]! > 0 ? u : -1;
  }

  /** Dense id of an item with training data, or -1. */
  protected itemOf(item: string): number {
    const b = this.fitted('predict');
    const i = b.itemIndex.get(item);
    return i !== undefined && b.seen.counts[i]! > 0 ? i : -1;
  }

  /** Rating estimate for any pair; unknown users or items get the model's fallback (never throws). */
  predict(user: string, item: string): number {
    const b = this.fitted('predict');
    const r = this.estimate(this.userOf(user), this.itemOf(item));
    return this.clip ? Math.min(b.scale[1], Math.max(b.scale[0], r)) : r;
  }

  /**
   * Unclipped scores of every item for dense user `u` (-1 = unknown); NaN for items without
   * training data (never recommended). Subclasses override it with faster loops.
   */
  scoresFor(u: number): Float64Array {
    const b = this.fitted('scoresFor');
    const out = new Float64Array(b.itemIds.length);
    for (let i = 0; i < out.length; i++) out[i] = b.seen.counts[i]! > 0 ? this.estimate(u, i) : NaN;
    return out;
  }

  /**
   * The `k` best-scored known items for `user` (unclipped scores, so items estimated above the
   * scale's top stay ordered), excluding the user's training items unless `excludeSeen` is false.
   */
  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    const b = this.fitted('recommend');
    const u = this.userOf(user);
    return rankScores(this.scoresFor(u), k, b.itemIds, b.itemIndex, b.seen, u < 0 ? undefined : u, opts);
  }

  protected fitted(op: string): RatingBase {
    if (this.base === null) throw new ValueError(`${this.name}.${op}`, 'call fit first (or load a saved model with fromJSON)');
    return this.base;
  }

  /** The common saved fields. */
  protected baseJSON(): RatingModelJSON {
    const b = this.fitted('toJSON');
    return {
      type: this.name, version: 1, userIds: [...b.userIds], itemIds: [...b.itemIds], globalMean: b.globalMean,
      scale: [b.scale[0], b.scale[1]], ...seenToJSON(b.seen), userCounts: encodeTyped(b.userCounts),
    };
  }

  /** Restores the common fields (subclasses' `fromJSON` call it, then restore their own). */
  protected restoreBase(json: RatingModelJSON): void {
    const op = `${this.name}.fromJSON`;
    const seen = seenFromJSON(json, op);
    const userCounts = decodeF32(json.userCounts, op);
    if (seen.counts.length !== json.itemIds.length || userCounts.length !== json.userIds.length || seen.indptr.length !== json.userIds.length + 1) {
      throw new ValueError(op, `saved arrays do not match ${json.userIds.length} users and ${json.itemIds.length} items`);
    }
    this.base = {
      userIds: json.userIds, itemIds: json.itemIds, userIndex: indexOf(json.userIds), itemIndex: indexOf(json.itemIds),
      globalMean: json.globalMean, scale: [json.scale[0], json.scale[1]], seen, userCounts,
    };
  }
}

/** Checks that a decoded array has the expected length. */
export function checkLength(op: string, what: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new ValueError(op, `${what} has ${a.length} values, expected ${n}`);
}

/** base64 (from `encodeTyped` of a Float64Array) → Float64Array. */
export function decodeF64(s: unknown, op: string): Float64Array {
  if (typeof s !== 'string') throw new ValueError(op, `expected a base64 string, got ${typeof s}`);
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % 8 !== 0) throw new ValueError(op, `${buf.byteLength} bytes is not a multiple of 8`);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float64Array(copy.buffer);
}
