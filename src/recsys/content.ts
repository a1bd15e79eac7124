/**
 * Content-based recommendation: items are TF-IDF vectors of their text and categories; a user is
 * the weighted sum of the vectors of the items in their history; items are ranked by cosine
 * similarity to the user. Items need no interactions, so new items are recommended from day one.
 */
import { ValueError } from '../errors.js';
import { cosineSimilarity, defaultTokenize, TfidfVectorizer, type SparseRow, type TfidfOptions } from '../text/tfidf.js';
import {
  checkK, checkSaved, checkTrain, decodeF32, decodeI32, encodeTyped, indexOf, rankScores, seenFromJSON, seenIndex,
  seenToJSON, topK, withDefaults, type ItemSimilarity, type SeenIndex,
} from './factors.js';
import { toCSR } from './interactions.js';
import type { Interactions, ItemContent, RecommendOptions, Recommender, Scored } from './types.js';

/** Options of {@link ContentBased}. */
export interface ContentOptions {
  /** Weight of the category block relative to the text block (each L2-normalised first). Default 1. */
  categoryWeight?: number;
  /** Options of the text TF-IDF. Default `{ sublinearTf: true }`. */
  tfidf?: Omit<TfidfOptions, 'tokenizer'>;
  /** Explicit data: weight history items by rating − user mean (so disliked items push away). Default true. */
  meanCentre?: boolean;
}

/** What `toJSON` writes. */
export interface ContentJSON {
  type: 'content';
  version: 1;
  options: Required<ContentOptions>;
  implicit: boolean;
  userIds: string[];
  itemIds: string[];
  globalMean: number;
  userMeans: string;
  /** Item and user profiles as CSR: indptr/indices (int32) and values (float32), base64. */
  items: [string, string, string];
  users: [string, string, string];
  seenIndptr: string;
  seenIndices: string;
  itemCounts: string;
  seenRatings: string;
}

/**
 * Content-based recommender over item text and categories (`ItemContent`).
 *
 * - Item profile: [TF-IDF(text) ; categoryWeight · TF-IDF(categories)], L2-normalised. The catalogue
 *   is every training item plus every item with content, so cold-start items are ranked too.
 * - User profile: Σ wᵤᵢ · profileᵢ over the user's history, with wᵤᵢ = rating − user mean
 *   (explicit, `meanCentre`), falling back to the raw rating when every centred weight is zero
 *   (one rating, or all equal); implicit data uses the weights as they are.
 * - `recommend`: cosine(user profile, item profile). A user without training history (unknown,
 *   or known only from a shared id space) gets the most popular training items, never an error.
 * - `predict`: implicit → the cosine score; explicit → a rating: user mean + similarity-weighted
 *   average of the user's centred ratings over the history items with positive content
 *   similarity (the user mean when none is similar; the global mean for an unknown user).
 *
 * @example
 * ```ts
 * const content = new Map([['i1', { text: 'space opera', categories: ['sci-fi'] }], ['i2', { text: 'love story', categories: ['romance'] }]]);
 * const cb = new ContentBased(content).fit(train);
 * cb.recommend('u1', 10);
 * cb.similarItems('i1', 5); // by content alone, also for items nobody has rated yet
 * ```
 */
export class ContentBased implements Recommender, ItemSimilarity {
  readonly name = 'content';

  /** 'rating' after fitting explicit data (predict estimates ratings), else 'relevance' (cosine scores). */
  get scoreKind(): 'rating' | 'relevance' {
    return this.s !== null && !this.s.implicit ? 'rating' : 'relevance';
  }
  readonly options: Required<ContentOptions>;
  private readonly content: ReadonlyMap<string, ItemContent>;
  private s: {
    implicit: boolean; userIds: readonly string[]; itemIds: readonly string[]; globalMean: number; userMeans: Float32Array;
    items: SparseRow[]; users: SparseRow[]; seen: SeenIndex;
    /** Rating of each entry of `seen.indices` (the user's history, duplicates kept). */
    seenRatings: Float32Array;
  } | null = null;
  private userIdx = new Map<string, number>();
  private itemIdx = new Map<string, number>();

  constructor(content: ReadonlyMap<string, ItemContent> | Readonly<Record<string, ItemContent>>, opts: ContentOptions = {}) {
    this.content = content instanceof Map ? content : new Map(Object.entries(content));
    this.options = withDefaults<ContentOptions>({ categoryWeight: 1, tfidf: { sublinearTf: true }, meanCentre: true }, opts);
    if (!(this.options.categoryWeight >= 0)) throw new ValueError('ContentBased', `categoryWeight must be ≥ 0, got ${this.options.categoryWeight}`);
  }

  fit(train: Interactions): this {
    checkTrain('ContentBased.fit', train);
    const itemIds = [...train.itemIds];
    const known = new Set(itemIds);
    for (const id of this.content.keys()) if (!known.has(id)) itemIds.push(id);
    const items = itemProfiles(itemIds.map((id) => this.content.get(id)), this.options);
    const nU = train.userIds.length;
    const sums = new Float64Array(nU);
    const cnt = new Float64Array(nU);
    let total = 0;
    for (let q = 0; q < train.users.length; q++) { sums[train.users[q]!]! += train.ratings[q]!; cnt[train.users[q]!]!++; total += train.ratings[q]!; }
    const userMeans = Float32Array.from(sums, (s, u) => s / Math.max(1, cnt[u]!));
    const seen = seenIndex(train);
    const seenRatings = toCSR(train, 'user').values;
    const users: SparseRow[] = [];
    for (let u = 0; u < nU; u++) {
      const hist: Array<[number, number]> = [];
      for (let p = seen.indptr[u]!; p < seen.indptr[u + 1]!; p++) hist.push([seen.indices[p]!, seenRatings[p]!]);
      users.push(userProfile(hist, items, train.implicit || !this.options.meanCentre ? null : userMeans[u]!));
    }
    this.setState({ implicit: train.implicit, userIds: train.userIds, itemIds, globalMean: total / train.users.length, userMeans, items, users, seen, seenRatings });
    return this;
  }

  /** Cosine scores of every catalogue item for a user (popularity for an unknown user). */
  scoresFor(user: string): Float32Array {
    const s = this.fitted('scoresFor');
    const u = this.userIdx.get(user);
    const n = s.itemIds.length;
    if (u === undefined || s.seen.indptr[u + 1] === s.seen.indptr[u]) { const out = new Float32Array(n); out.set(s.seen.counts); return out; }
    const dense = new Map<number, number>();
    const prof = s.users[u]!;
    for (let k = 0; k < prof.indices.length; k++) dense.set(prof.indices[k]!, prof.values[k]!);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const row = s.items[i]!;
      let dot = 0;
      for (let k = 0; k < row.indices.length; k++) dot += (dense.get(row.indices[k]!) ?? 0) * row.values[k]!;
      out[i] = dot; // both sides unit length (or zero)
    }
    return out;
  }

  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    const s = this.fitted('recommend');
    checkK('content.recommend', k);
    return rankScores(this.scoresFor(user), k, s.itemIds, this.itemIdx, s.seen, this.userIdx.get(user), opts);
  }

  predict(user: string, item: string): number {
    const s = this.fitted('predict');
    const u = this.userIdx.get(user);
    const i = this.itemIdx.get(item);
    if (u === undefined) return s.implicit ? 0 : s.globalMean;
    if (i === undefined) return s.implicit ? 0 : s.userMeans[u]!;
    if (s.implicit) return cosineSimilarity(s.users[u]!, s.items[i]!);
    const mean = s.userMeans[u]!;
    let num = 0;
    let den = 0;
    const { indptr, indices } = s.seen;
    for (let p = indptr[u]!; p < indptr[u + 1]!; p++) {
      const sim = cosineSimilarity(s.items[i]!, s.items[indices[p]!]!);
      if (sim <= 0) continue;
      num += sim * (s.seenRatings[p]! - mean);
      den += sim;
    }
    return den === 0 ? mean : mean + num / den;
  }

  itemSimilarity(a: string, b: string): number {
    const s = this.fitted('itemSimilarity');
    const i = this.itemIdx.get(a);
    const j = this.itemIdx.get(b);
    return i === undefined || j === undefined ? 0 : cosineSimilarity(s.items[i]!, s.items[j]!);
  }

  similarItems(item: string, k: number): Scored[] {
    const s = this.fitted('similarItems');
    checkK('content.similarItems', k);
    const i = this.itemIdx.get(item);
    if (i === undefined) return [];
    const sims = Float64Array.from(s.items, (row) => cosineSimilarity(s.items[i]!, row));
    const skip = new Uint8Array(s.itemIds.length);
    skip[i] = 1;
    return Array.from(topK(sims, k, skip), (j) => ({ item: s.itemIds[j]!, score: sims[j]! }));
  }

  /** The L2-normalised content profile of an item (sparse), or null for an item without one. */
  itemProfile(item: string): SparseRow | null {
    const s = this.fitted('itemProfile');
    const i = this.itemIdx.get(item);
    return i === undefined ? null : s.items[i]!;
  }

  toJSON(): ContentJSON {
    const s = this.fitted('toJSON');
    return {
      type: 'content', version: 1, options: this.options, implicit: s.implicit, userIds: [...s.userIds], itemIds: [...s.itemIds],
      globalMean: s.globalMean, userMeans: encodeTyped(s.userMeans), items: rowsToJSON(s.items), users: rowsToJSON(s.users),
      ...seenToJSON(s.seen), seenRatings: encodeTyped(s.seenRatings),
    };
  }

  /** Rebuilds a fitted model (content is not needed again: the profiles are saved). */
  static fromJSON(json: ContentJSON): ContentBased {
    checkSaved('ContentBased.fromJSON', json, 'content');
    const m = new ContentBased(new Map(), json.options);
    const op = 'ContentBased.fromJSON';
    m.setState({
      implicit: json.implicit, userIds: json.userIds, itemIds: json.itemIds, globalMean: json.globalMean,
      userMeans: decodeF32(json.userMeans, op), items: rowsFromJSON(json.items, op), users: rowsFromJSON(json.users, op),
      seen: seenFromJSON(json, op), seenRatings: decodeF32(json.seenRatings, op),
    });
    return m;
  }

  private setState(state: NonNullable<ContentBased['s']>): void {
    this.s = state;
    this.userIdx = indexOf(state.userIds);
    this.itemIdx = indexOf(state.itemIds);
  }

  private fitted(op: string): NonNullable<ContentBased['s']> {
    if (this.s === null) throw new ValueError(`content.${op}`, 'call fit first (or load a model with fromJSON)');
    return this.s;
  }
}

/** Item profiles: [TF-IDF(text) ; w · TF-IDF(categories)], each row L2-normalised (zero rows stay zero). */
export function itemProfiles(contents: ReadonlyArray<ItemContent | undefined>, o: Required<ContentOptions>): SparseRow[] {
  const texts = contents.map((c) => defaultTokenize(c?.text ?? ''));
  const cats = contents.map((c) => [...(c?.categories ?? [])]);
  if (!texts.some((t) => t.length > 0) && !cats.some((c) => c.length > 0)) {
    throw new ValueError('ContentBased.fit', `none of the ${contents.length} catalogue items has text or categories`);
  }
  const textRows = texts.some((t) => t.length > 0) ? new TfidfVectorizer(o.tfidf).fitTransform(texts) : texts.map(() => emptyRow());
  const textCols = Math.max(0, ...textRows.map((r) => (r.indices.length ? r.indices[r.indices.length - 1]! + 1 : 0)));
  const catRows = cats.some((c) => c.length > 0) ? new TfidfVectorizer({ lowercase: false }).fitTransform(cats) : cats.map(() => emptyRow());
  return textRows.map((t, i) => {
    const c = catRows[i]!;
    const indices = new Int32Array(t.indices.length + c.indices.length);
    const values = new Float32Array(indices.length);
    indices.set(t.indices);
    values.set(t.values);
    for (let k = 0; k < c.indices.length; k++) { indices[t.indices.length + k] = textCols + c.indices[k]!; values[t.indices.length + k] = o.categoryWeight * c.values[k]!; }
    return normalise({ indices, values });
  });
}

/** Σ w · row over a history of (item, rating), centred on `mean` when given; L2-normalised. */
export function userProfile(hist: ReadonlyArray<readonly [number, number]>, items: readonly SparseRow[], mean: number | null): SparseRow {
  let weights = hist.map(([, r]) => (mean === null ? r : r - mean));
  if (weights.every((w) => w === 0)) weights = hist.map(([, r]) => r);
  const acc = new Map<number, number>();
  hist.forEach(([i], h) => {
    const row = items[i]!;
    for (let k = 0; k < row.indices.length; k++) acc.set(row.indices[k]!, (acc.get(row.indices[k]!) ?? 0) + weights[h]! * row.values[k]!);
  });
  const indices = Int32Array.from(acc.keys()).sort();
  return normalise({ indices, values: Float32Array.from(indices, (c) => acc.get(c)!) });
}

function emptyRow(): SparseRow {
  return { indices: new Int32Array(0), values: new Float32Array(0) };
}

function normalise(r: SparseRow): SparseRow {
  let n = 0;
  for (const v of r.values) n += v * v;
  if (n > 0) { const s = 1 / Math.sqrt(n); for (let k = 0; k < r.values.length; k++) r.values[k]! *= s; }
  return r;
}

function rowsToJSON(rows: readonly SparseRow[]): [string, string, string] {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => { indptr[i + 1] = indptr[i]! + r.indices.length; });
  const indices = new Int32Array(indptr[rows.length]!);
  const values = new Float32Array(indices.length);
  rows.forEach((r, i) => { indices.set(r.indices, indptr[i]!); values.set(r.values, indptr[i]!); });
  return [encodeTyped(indptr), encodeTyped(indices), encodeTyped(values)];
}

function rowsFromJSON(j: readonly [string, string, string], op: string): SparseRow[] {
  const indptr = decodeI32(j[0], op);
  const indices = decodeI32(j[1], op);
  const values = decodeF32(j[2], op);
  return Array.from({ length: indptr.length - 1 }, (_, i) => ({ indices: indices.subarray(indptr[i]!, indptr[i + 1]!), values: values.subarray(indptr[i]!, indptr[i + 1]!) }));
}
