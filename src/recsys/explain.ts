/**
 * Explanations ("because you liked X") and similar-items queries, for any model that can compare
 * two items: the factor models (ALS, BPR, NCF, LightFM: cosine of item vectors), the content model
 * (cosine of TF-IDF profiles), or any item-factor matrix through {@link factorSimilarity}.
 */
import { ValueError } from '../errors.js';
import { checkK, indexOf, rowCosine, similarRows, type ItemSimilarity } from './factors.js';
import type { Interactions, Recommender, Scored } from './types.js';

/** One reason: a history item and how alike it is to the explained item. */
export interface Reason {
  item: string;
  /** Similarity to the explained item (cosine, in [-1, 1]). */
  similarity: number;
  /** The user's rating (or weight) of the history item. */
  rating: number;
}

/** An explained recommendation. */
export interface Explanation {
  item: string;
  score: number;
  /** Most similar liked items first; empty when nothing in the history is similar. */
  because: Reason[];
  /** A sentence for people: `Because you liked "A" and "B"`, or a fallback when there is no reason. */
  text: string;
}

/** Options of {@link explain}. */
export interface ExplainOptions {
  /** Reasons per item. Default 3. */
  reasons?: number;
  /** How many of the user's top-rated history items are considered. Default 20. */
  historySize?: number;
  /** Only history items rated at least this count as "liked". Default: all (implicit) / the user's mean (explicit). */
  minRating?: number;
  /** Display names for the text (e.g. titles); default the item ids. */
  titles?: ReadonlyMap<string, string>;
  /** Reasons need a similarity above this. Default 0. */
  minSimilarity?: number;
}

/**
 * Explains why `item` suits `user`: the user's top-rated training items (ties: most recent
 * first) ranked by their similarity to `item` under `model`.
 *
 * @example
 * ```ts
 * const als = new ALS().fit(train);
 * explain(als, train, 'u1', als.recommend('u1', 1)[0]!.item).text; // 'Because you liked "i7" and "i3"'
 * ```
 */
export function explain(
  model: ItemSimilarity, train: Interactions, user: string, item: string, opts: ExplainOptions & { history?: LikedItem[] } = {}, score = NaN,
): Explanation {
  const nReasons = opts.reasons ?? 3;
  const historySize = opts.historySize ?? 20;
  checkK('explain', nReasons);
  checkK('explain', historySize);
  const hist = (opts.history ?? liked(train, user, opts.minRating)).slice(0, historySize);
  const because = hist
    .map((h) => ({ item: h.item, rating: h.rating, similarity: h.item === item ? -Infinity : model.itemSimilarity(item, h.item) }))
    .filter((r) => r.similarity > (opts.minSimilarity ?? 0))
    .sort((a, b) => b.similarity - a.similarity || b.rating - a.rating)
    .slice(0, nReasons);
  const name = (id: string): string => `"${opts.titles?.get(id) ?? id}"`;
  const names = because.map((r) => name(r.item));
  const text = names.length === 0
    ? (hist.length === 0 ? 'Popular with other users' : 'Recommended for you')
    : `Because you liked ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`}`;
  return { item, score, because, text };
}

/**
 * The top-k recommendations of `model` for `user`, each explained by `similarity` (by default the
 * model itself when it can compare items).
 *
 * @example
 * ```ts
 * for (const e of explainRecommendations(als, train, 'u1', 5)) console.log(e.item, e.text);
 * ```
 */
export function explainRecommendations(
  model: Recommender, train: Interactions, user: string, k: number, opts: ExplainOptions & { similarity?: ItemSimilarity } = {},
): Explanation[] {
  const sim = opts.similarity ?? (isItemSimilarity(model) ? model : null);
  if (sim === null) throw new ValueError('explainRecommendations', `model '${model.name}' cannot compare items; pass opts.similarity (e.g. a ContentBased model or factorSimilarity(...))`);
  const history = liked(train, user, opts.minRating); // one scan of the interactions for all k items
  return model.recommend(user, k).map((s) => explain(sim, train, user, s.item, { ...opts, history }, s.score));
}

/**
 * Items most similar to `item` under any item-similarity model; an unknown item gives an empty
 * list rather than an error (cold start).
 *
 * @example
 * ```ts
 * similarItems(content, 'i42', 10); // [{ item, score: cosine }, …]
 * ```
 */
export function similarItems(model: ItemSimilarity, item: string, k: number): Scored[] {
  checkK('similarItems', k);
  return model.similarItems(item, k);
}

/**
 * Item similarity from any item-factor matrix (row-major (nItems, dim)), e.g. an SVD's item
 * factors: cosine of rows.
 *
 * @example
 * ```ts
 * const sim = factorSimilarity(svd.itemIds, svd.itemFactors, svd.factors);
 * explain(sim, train, 'u1', 'i9');
 * ```
 */
export function factorSimilarity(itemIds: readonly string[], factors: Float32Array | Float64Array, dim: number): ItemSimilarity {
  if (!(Number.isInteger(dim) && dim > 0) || factors.length !== itemIds.length * dim) {
    throw new ValueError('factorSimilarity', `${factors.length} factor values do not make ${itemIds.length} items × dim ${dim}`);
  }
  const m = factors instanceof Float32Array ? factors : Float32Array.from(factors);
  const idx = indexOf(itemIds);
  return {
    itemSimilarity: (a, b) => {
      const i = idx.get(a);
      const j = idx.get(b);
      return i === undefined || j === undefined ? 0 : rowCosine(m, dim, i, j);
    },
    similarItems: (item, k) => {
      const i = idx.get(item);
      return i === undefined ? [] : similarRows(m, dim, i, k, itemIds);
    },
  };
}

/** True when the value has `itemSimilarity` and `similarItems` methods. */
export function isItemSimilarity(x: unknown): x is ItemSimilarity {
  const o = x as Partial<ItemSimilarity> | null;
  return typeof o === 'object' && o !== null && typeof o.itemSimilarity === 'function' && typeof o.similarItems === 'function';
}

/** A liked history item (`time`: −Infinity when unknown). */
export interface LikedItem { item: string; rating: number; time: number }

/** The user's liked training items, best rated first (ties: most recent first, then first seen). */
function liked(train: Interactions, user: string, minRating: number | undefined): LikedItem[] {
  const u = train.userIndex.get(user);
  if (u === undefined) return [];
  const best = new Map<string, LikedItem>();
  let sum = 0;
  let n = 0;
  for (let q = 0; q < train.users.length; q++) {
    if (train.users[q] !== u) continue;
    const item = train.itemIds[train.items[q]!]!;
    const rating = train.ratings[q]!;
    const time = Number.isNaN(train.timestamps[q]!) ? -Infinity : train.timestamps[q]!;
    sum += rating;
    n++;
    const prev = best.get(item);
    if (!prev || rating > prev.rating || (rating === prev.rating && time > prev.time)) best.set(item, { item, rating, time });
  }
  const threshold = minRating ?? (train.implicit ? -Infinity : sum / n);
  return [...best.values()].filter((h) => h.rating >= threshold).sort((a, b) => b.rating - a.rating || b.time - a.time);
}
