/**
 * A seeded synthetic recommender world with known ground truth, so tests and demos can check that
 * an algorithm recovers what was planted.
 *
 * The model: each item belongs to one of `nCategories` clusters and each user to one of
 * `nSegments`; their rank-`rank` latent factors are the cluster's centre plus individual noise.
 * The noiseless rating is `globalMean + userBias + itemBias + p_u · q_i`; an observed explicit
 * rating adds Gaussian noise of standard deviation `noise` (then optionally rounds and clips to
 * `scale`). Which pairs are observed follows exposure: a Zipf-like popularity per item times a
 * preference term `exp(affinity · z)` (z the standardised `p_u · q_i`), so popular items and liked
 * items are seen more often, as in real logs. Implicit data keeps the observed pairs with weight 1.
 *
 * Item text is drawn from word lists of the item's category (plus a second category and filler
 * words), and categories list the primary cluster (and sometimes the second), so content carries
 * real signal about the factors. Users carry a feature `segment:S` (their cluster). Cold-start
 * users keep only `coldUserHistory` interactions in `interactions`, the rest go to `coldTest`;
 * cold-start items keep `coldItemHistory`.
 */
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { interactionsFrom, type InteractionRow } from './interactions.js';
import type { Interactions, ItemContent } from './types.js';

/** Options of `syntheticRecsys`; every field has a default. */
export interface SyntheticOptions {
  /** Users, including cold ones. Default 200. */
  nUsers?: number;
  /** Items, including cold ones. Default 300. */
  nItems?: number;
  /** Rank of the planted factors. Default 8. */
  rank?: number;
  /** Item categories (clusters). Default 10. */
  nCategories?: number;
  /** User segments (clusters). Default 6. */
  nSegments?: number;
  /** Mean number of interactions of a warm user (log-normal spread, at least 3). Default 30. */
  interactionsPerUser?: number;
  /** Std of the noise added to explicit ratings (the RMSE floor of a perfect model). Default 0.3. */
  noise?: number;
  /** Std of the noiseless interaction term p·q. Default 0.8. */
  signal?: number;
  /** Mean rating. Default 3 (the middle of 1–5, so that few ratings are clipped). */
  globalMean?: number;
  /** Std of user and item biases. Default 0.3 each. */
  userBiasStd?: number;
  itemBiasStd?: number;
  /** Zipf exponent of item exposure (0 = uniform). Default 0.5. */
  popularityExponent?: number;
  /** How strongly preference drives exposure. Default 1. */
  affinity?: number;
  /** Rating scale to clip explicit ratings to, or null for no clipping. Default [1, 5]. */
  scale?: readonly [number, number] | null;
  /** Round explicit ratings to multiples of this (e.g. 1 or 0.5), or 0 for none. Default 0. */
  roundTo?: number;
  /** Implicit feedback: observed pairs with rating 1. Default false. */
  implicit?: boolean;
  /** Cold-start users (the last ones). Default 0. */
  coldUsers?: number;
  /** Interactions a cold user keeps in `interactions`. Default 0. */
  coldUserHistory?: number;
  /** Cold-start items (the last ones). Default 0. */
  coldItems?: number;
  /** Interactions a cold item keeps in `interactions`. Default 0. */
  coldItemHistory?: number;
  /** Words in an item's text. Default 12. */
  wordsPerItem?: number;
  /** Seed. Default 0. */
  seed?: number;
}

/** The planted parameters. Factors are row-major: user u's factors are `userFactors[u*rank .. u*rank+rank)`. */
export interface SyntheticTruth {
  rank: number;
  globalMean: number;
  noise: number;
  userFactors: Float64Array;
  itemFactors: Float64Array;
  userBias: Float64Array;
  itemBias: Float64Array;
  /** Cluster of each item / user (index by dense position in `users`/`items` below). */
  itemCategory: Int32Array;
  userSegment: Int32Array;
  /** All user / item ids, in generation order (`u0`…, `i0`…). */
  users: readonly string[];
  items: readonly string[];
}

/** A synthetic world: interactions to learn from, content, and the truth. */
export interface SyntheticData {
  /** Observed interactions (warm users and items in full, cold ones with their short history), time-ordered per user. */
  interactions: Interactions;
  /** Interactions of cold users and on cold items held out of `interactions` (same id spaces, unknown ids appended). */
  coldTest: Interactions;
  /** Text and categories of every item, by item id. */
  content: Map<string, ItemContent>;
  /** Features of every user (`segment:S`), by user id. */
  userFeatures: Map<string, string[]>;
  coldUserIds: string[];
  coldItemIds: string[];
  truth: SyntheticTruth;
  /** The noiseless rating of any pair (before noise, rounding and clipping). */
  expected(user: string, item: string): number;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'da', 'pe', 'zo', 'ba', 'gu', 'fi', 'ho', 'je'];

/** A pronounceable pseudo-word for index n (distinct n give distinct words). */
function wordOf(n: number, prefixLen: number): string {
  let s = '';
  let x = n;
  for (let k = 0; k < prefixLen; k++) {
    s += SYLLABLES[x % SYLLABLES.length]!;
    x = Math.floor(x / SYLLABLES.length);
  }
  return s + 'n';
}

function positiveInt(op: string, name: string, v: number, min = 0): number {
  if (!Number.isInteger(v) || v < min) throw new ValueError(op, `${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * Generates a seeded synthetic recommender dataset with planted factors (see the module comment).
 *
 * @example
 * ```ts
 * const world = syntheticRecsys({ nUsers: 100, nItems: 80, noise: 0.25, seed: 1 });
 * world.interactions.users.length;        // about 100 × 30 interactions
 * world.content.get('i3')?.categories;    // e.g. ['cat4']
 * world.expected('u0', 'i3');             // the noiseless rating
 * ```
 */
export function syntheticRecsys(opts: SyntheticOptions = {}): SyntheticData {
  const op = 'syntheticRecsys';
  const nUsers = positiveInt(op, 'nUsers', opts.nUsers ?? 200, 1);
  const nItems = positiveInt(op, 'nItems', opts.nItems ?? 300, 1);
  const rank = positiveInt(op, 'rank', opts.rank ?? 8, 1);
  const nCat = positiveInt(op, 'nCategories', opts.nCategories ?? 10, 1);
  const nSeg = positiveInt(op, 'nSegments', opts.nSegments ?? 6, 1);
  const perUser = opts.interactionsPerUser ?? 30;
  const noise = opts.noise ?? 0.3;
  const signal = opts.signal ?? 0.8;
  const mu = opts.globalMean ?? 3;
  const coldU = positiveInt(op, 'coldUsers', opts.coldUsers ?? 0);
  const coldI = positiveInt(op, 'coldItems', opts.coldItems ?? 0);
  const coldUH = positiveInt(op, 'coldUserHistory', opts.coldUserHistory ?? 0);
  const coldIH = positiveInt(op, 'coldItemHistory', opts.coldItemHistory ?? 0);
  const scale = opts.scale === undefined ? ([1, 5] as const) : opts.scale;
  const roundTo = opts.roundTo ?? 0;
  const implicit = opts.implicit ?? false;
  const zipf = opts.popularityExponent ?? 0.5;
  const affinity = opts.affinity ?? 1;
  const wordsPerItem = positiveInt(op, 'wordsPerItem', opts.wordsPerItem ?? 12);
  if (!(perUser >= 1 && perUser <= nItems)) throw new ValueError(op, `interactionsPerUser must be in [1, nItems=${nItems}], got ${perUser}`);
  if (!(noise >= 0) || !(signal >= 0)) throw new ValueError(op, `noise and signal must be >= 0, got ${noise}, ${signal}`);
  if (coldU > nUsers || coldI > nItems) throw new ValueError(op, `coldUsers (${coldU}) / coldItems (${coldI}) exceed nUsers (${nUsers}) / nItems (${nItems})`);
  if (scale !== null && !(scale[0] < scale[1])) throw new ValueError(op, `scale must be [low, high] with low < high, got [${scale.join(', ')}]`);
  const g = new Generator(opts.seed ?? 0);

  // Factor entries ~ N(0, a²) split between the cluster centre and the individual, so that
  // std(p·q) = sqrt(rank)·a² = signal.
  const a = Math.sqrt(signal / Math.sqrt(rank));
  const centreShare = 0.7;
  const cStd = a * Math.sqrt(centreShare);
  const iStd = a * Math.sqrt(1 - centreShare);
  const catCentre = Float64Array.from({ length: nCat * rank }, () => g.nextNormal() * cStd);
  const segCentre = Float64Array.from({ length: nSeg * rank }, () => g.nextNormal() * cStd);
  const itemCategory = Int32Array.from({ length: nItems }, () => g.nextInt(0, nCat));
  const itemSecond = Int32Array.from({ length: nItems }, () => g.nextInt(0, nCat));
  const userSegment = Int32Array.from({ length: nUsers }, () => g.nextInt(0, nSeg));
  const itemFactors = new Float64Array(nItems * rank);
  const userFactors = new Float64Array(nUsers * rank);
  for (let i = 0; i < nItems; i++) for (let d = 0; d < rank; d++) itemFactors[i * rank + d] = catCentre[itemCategory[i]! * rank + d]! + g.nextNormal() * iStd;
  for (let u = 0; u < nUsers; u++) for (let d = 0; d < rank; d++) userFactors[u * rank + d] = segCentre[userSegment[u]! * rank + d]! + g.nextNormal() * iStd;
  const userBias = Float64Array.from({ length: nUsers }, () => g.nextNormal() * (opts.userBiasStd ?? 0.3));
  const itemBias = Float64Array.from({ length: nItems }, () => g.nextNormal() * (opts.itemBiasStd ?? 0.3));
  // Zipf popularity over a random ranking of items; popular items also get a small bias boost.
  const popRank = g.permutation(nItems);
  const logPop = Float64Array.from({ length: nItems }, (_, i) => -zipf * Math.log(popRank[i]! + 1));

  const users = Array.from({ length: nUsers }, (_, u) => `u${u}`);
  const items = Array.from({ length: nItems }, (_, i) => `i${i}`);
  const dot = (u: number, i: number): number => {
    let s = 0;
    for (let d = 0; d < rank; d++) s += userFactors[u * rank + d]! * itemFactors[i * rank + d]!;
    return s;
  };
  const expectedDense = (u: number, i: number): number => mu + userBias[u]! + itemBias[i]! + dot(u, i);
  const observe = (u: number, i: number): number => {
    if (implicit) return 1;
    let r = expectedDense(u, i) + g.nextNormal() * noise;
    if (roundTo > 0) r = Math.round(r / roundTo) * roundTo;
    if (scale !== null) r = Math.min(scale[1], Math.max(scale[0], r));
    return r;
  };

  const firstColdUser = nUsers - coldU;
  const firstColdItem = nItems - coldI;
  const train: InteractionRow[] = [];
  const held: InteractionRow[] = [];
  const coldItemCount = new Int32Array(nItems);
  const logSigma = 0.5;
  const keys = new Float64Array(nItems);
  const t0 = 1_600_000_000;
  for (let u = 0; u < nUsers; u++) {
    // Log-normal count with the requested mean, at least 3.
    const n = Math.min(nItems, Math.max(3, Math.round(perUser * Math.exp(logSigma * g.nextNormal() - logSigma * logSigma / 2))));
    // Weighted sampling without replacement by Gumbel top-n: key = log w + Gumbel.
    for (let i = 0; i < nItems; i++) keys[i] = logPop[i]! + affinity * dot(u, i) / Math.max(signal, 1e-12) - Math.log(-Math.log(g.nextFloat64() || 1e-300));
    const chosen = topIndices(keys, n);
    // Random time order of the user's interactions (not the order of preference).
    for (let k = chosen.length - 1; k > 0; k--) {
      const j = g.nextInt(0, k + 1);
      const tmp = chosen[k]!;
      chosen[k] = chosen[j]!;
      chosen[j] = tmp;
    }
    let t = t0 + g.nextInt(0, 86_400 * 365);
    const coldUser = u >= firstColdUser;
    for (let k = 0; k < chosen.length; k++) {
      const i = chosen[k]!;
      t += 1 + g.nextInt(0, 86_400);
      const row: InteractionRow = { user: users[u]!, item: items[i]!, rating: observe(u, i), timestamp: t };
      const coldItem = i >= firstColdItem;
      const keepForItem = !coldItem || coldItemCount[i]! < coldIH;
      if ((!coldUser || k < coldUH) && keepForItem) {
        train.push(row);
        if (coldItem) coldItemCount[i]!++;
      } else held.push(row);
    }
  }
  const interactions = interactionsFrom(train, { implicit });
  const coldTest = interactionsFrom(held, { implicit, userIds: interactions.userIds, itemIds: interactions.itemIds });

  const content = new Map<string, ItemContent>();
  const filler = Array.from({ length: 40 }, (_, k) => wordOf(k + 7919, 2));
  const catWords = (c: number): string[] => Array.from({ length: 15 }, (_, k) => wordOf(1000 + c * 37 + k * 5003, 3));
  const vocab = Array.from({ length: nCat }, (_, c) => catWords(c));
  for (let i = 0; i < nItems; i++) {
    const words: string[] = [];
    for (let w = 0; w < wordsPerItem; w++) {
      const r = g.nextFloat64();
      const list = r < 0.55 ? vocab[itemCategory[i]!]! : r < 0.75 ? vocab[itemSecond[i]!]! : filler;
      words.push(list[g.nextInt(0, list.length)]!);
    }
    const cats = [`cat${itemCategory[i]!}`];
    if (itemSecond[i] !== itemCategory[i] && g.nextFloat64() < 0.4) cats.push(`cat${itemSecond[i]!}`);
    content.set(items[i]!, { text: words.join(' '), categories: cats });
  }
  const userFeatures = new Map(users.map((u, k) => [u, [`segment:${userSegment[k]!}`]]));
  const userPos = new Map(users.map((u, k) => [u, k]));
  const itemPos = new Map(items.map((it, k) => [it, k]));
  return {
    interactions, coldTest, content, userFeatures,
    coldUserIds: users.slice(firstColdUser), coldItemIds: items.slice(firstColdItem),
    truth: { rank, globalMean: mu, noise, userFactors, itemFactors, userBias, itemBias, itemCategory, userSegment, users, items },
    expected(user: string, item: string): number {
      const u = userPos.get(user);
      const i = itemPos.get(item);
      if (u === undefined || i === undefined) throw new ValueError('SyntheticData.expected', `unknown ${u === undefined ? `user '${user}'` : `item '${item}'`}`);
      return expectedDense(u, i);
    },
  };
}

/** Indices of the n largest keys, largest first (a size-n min-heap: O(len · log n)). */
function topIndices(keys: Float64Array, n: number): Int32Array {
  const heap = new Int32Array(n);
  let size = 0;
  const less = (x: number, y: number): boolean => keys[heap[x]!]! < keys[heap[y]!]!;
  const swap = (x: number, y: number): void => {
    const t = heap[x]!;
    heap[x] = heap[y]!;
    heap[y] = t;
  };
  const down = (start: number): void => {
    let p = start;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < size && less(l, m)) m = l;
      if (r < size && less(r, m)) m = r;
      if (m === p) return;
      swap(p, m);
      p = m;
    }
  };
  for (let i = 0; i < keys.length; i++) {
    if (size < n) {
      heap[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!less(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (n > 0 && keys[i]! > keys[heap[0]!]!) {
      heap[0] = i;
      down(0);
    }
  }
  return Int32Array.from(heap.subarray(0, size)).sort((x, y) => keys[y]! - keys[x]!);
}
