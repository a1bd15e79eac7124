/**
 * A LightFM-style hybrid factorisation model (Kula 2015, "Metadata Embeddings for User and Item
 * Cold-start Recommendations"): every user and item is a weighted set of features (its own id and
 * its metadata: categories, words, segments), its embedding and bias are the weighted sums of its
 * features' embeddings and biases, and score(u, i) = pᵤ·qᵢ + bᵤ + bᵢ. Trained by SGD with
 * per-parameter Adagrad on the WARP or BPR loss, as LightFM. Because items are built from their
 * features, an item (or user) never seen in training still gets a representation from its metadata.
 */
import { ValueError } from '../errors.js';
import { defaultTokenize } from '../text/tfidf.js';
import { Generator } from '../tensor/random.js';
import {
  checkK, checkSaved, checkTrain, decodeF32, decodeI32, encodeTyped, indexOf, rankScores, seenFromJSON, seenIndex, seenToJSON,
  topK, withDefaults, type ItemSimilarity, type SeenIndex,
} from './factors.js';
import type { Interactions, ItemContent, RecommendOptions, Recommender, Scored } from './types.js';

/** Options of {@link LightFM}. Defaults are LightFM's, except `epochs` (LightFM: 1 per `fit` call) and `loss`. */
export interface LightFMOptions {
  /** Embedding size (`no_components`). Default 10. */
  components?: number;
  /** 'warp' (Weston et al.'s approximate-rank weighted pairwise loss) or 'bpr'. Default 'warp'. */
  loss?: 'warp' | 'bpr';
  /** Adagrad learning rate. Default 0.05. */
  learningRate?: number;
  /** L2 penalty on item / user feature parameters, per update. Default 0 each. */
  itemAlpha?: number;
  userAlpha?: number;
  /** WARP: negatives tried per positive before giving up. Default 10. */
  maxSampled?: number;
  /** Passes over the interactions. Default 30. */
  epochs?: number;
  /** Interactions with a rating below this are not positives (explicit data). Default null: all are. */
  minRating?: number | null;
  /** Give each training user / item its own id feature (LightFM's identity features). Default true. */
  identityFeatures?: boolean;
  /** Item metadata as features (`cat:<category>`, `word:<token>`); items with content only are cold-start items. */
  itemContent?: ReadonlyMap<string, ItemContent> | null;
  /** Further item features by item id (names of your choice). */
  itemFeatures?: ReadonlyMap<string, readonly string[]> | null;
  /** User features by user id (e.g. `segment:3`); users with features only are cold-start users. */
  userFeatures?: ReadonlyMap<string, readonly string[]> | null;
  /** Seed of initialisation and sampling. Default 0. */
  seed?: number;
}

type Resolved = Required<LightFMOptions>;
/** Rows of feature indices with weights summing to 1 (LightFM's `normalize=True`). */
interface FeatureRows { indptr: Int32Array; indices: Int32Array; weights: Float32Array }
interface Side { ids: readonly string[]; rows: FeatureRows; emb: Float32Array; bias: Float32Array; names: string[] }

/** What `toJSON` writes (feature maps are not saved; the fitted feature rows are). */
export interface LightFMJSON {
  type: 'lightfm';
  version: 1;
  options: Omit<Resolved, 'itemContent' | 'itemFeatures' | 'userFeatures'>;
  users: SideJSON;
  items: SideJSON;
  seenIndptr: string;
  seenIndices: string;
  itemCounts: string;
}
interface SideJSON { ids: string[]; names: string[]; indptr: string; indices: string; weights: string; emb: string; bias: string }

/**
 * LightFM-style hybrid recommender. The catalogue is every training item plus every item with
 * content or features; users likewise. Cold start (never throws): a cold item or user is scored
 * from its features alone; a user with neither history nor features gets the zero embedding, so
 * items rank by their learnt bias (a popularity-like order); an unknown item scores −Infinity.
 *
 * @example
 * ```ts
 * const lfm = new LightFM({ itemContent: world.content, userFeatures: world.userFeatures, seed: 0 }).fit(train);
 * lfm.recommend('new-user-with-features', 10);
 * lfm.predict('u1', 'brand-new-item'); // from the item's categories and words
 * ```
 */
export class LightFM implements Recommender, ItemSimilarity {
  readonly name = 'lightfm';
  readonly scoreKind = 'relevance' as const;
  readonly options: Resolved;
  private users: Side | null = null;
  private items: Side | null = null;
  private seen: SeenIndex | null = null;
  private userIdx = new Map<string, number>();
  private itemIdx = new Map<string, number>();

  constructor(opts: LightFMOptions = {}) {
    this.options = withDefaults<LightFMOptions>({
      components: 10, loss: 'warp', learningRate: 0.05, itemAlpha: 0, userAlpha: 0, maxSampled: 10, epochs: 30, minRating: null,
      identityFeatures: true, itemContent: null, itemFeatures: null, userFeatures: null, seed: 0,
    }, opts);
    const o = this.options;
    if (!(Number.isInteger(o.components) && o.components > 0)) throw new ValueError('LightFM', `components must be a positive integer, got ${o.components}`);
    if (o.loss !== 'warp' && o.loss !== 'bpr') throw new ValueError('LightFM', `loss must be 'warp' or 'bpr', got ${String(o.loss)}`);
    if (!(o.learningRate > 0)) throw new ValueError('LightFM', `learningRate must be > 0, got ${o.learningRate}`);
    if (!(Number.isInteger(o.maxSampled) && o.maxSampled > 0)) throw new ValueError('LightFM', `maxSampled must be a positive integer, got ${o.maxSampled}`);
    if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw new ValueError('LightFM', `epochs must be a non-negative integer, got ${o.epochs}`);
  }

  fit(train: Interactions): this {
    checkTrain('LightFM.fit', train);
    const o = this.options;
    const gen = new Generator(o.seed);
    const itemFeats = new Map<string, string[]>();
    for (const [id, c] of o.itemContent ?? []) itemFeats.set(id, contentFeatures(c));
    for (const [id, f] of o.itemFeatures ?? []) itemFeats.set(id, [...(itemFeats.get(id) ?? []), ...f]);
    const userFeats = new Map<string, string[]>();
    for (const [id, f] of o.userFeatures ?? []) userFeats.set(id, [...f]);
    const userActive = new Uint8Array(train.userIds.length);
    const itemActive = new Uint8Array(train.itemIds.length);
    for (let q = 0; q < train.users.length; q++) { userActive[train.users[q]!] = 1; itemActive[train.items[q]!] = 1; }
    const users = buildSide(train.userIds, userActive, userFeats, o, gen);
    const items = buildSide(train.itemIds, itemActive, itemFeats, o, gen);
    const seen = seenIndex(train);
    const pos: number[] = [];
    for (let q = 0; q < train.users.length; q++) if (o.minRating === null || train.ratings[q]! >= o.minRating) pos.push(q);
    if (pos.length === 0) throw new ValueError('LightFM.fit', `no interaction has rating ≥ minRating ${o.minRating}`);
    this.train(train, Int32Array.from(pos), users, items, seen, gen);
    this.install(users, items, seen);
    return this;
  }

  private train(train: Interactions, pos: Int32Array, U: Side, I: Side, seen: SeenIndex, gen: Generator): void {
    const o = this.options;
    const d = o.components;
    const nI = I.ids.length;
    // Adagrad accumulators start at 1, as LightFM's.
    const gU = new Float32Array(U.emb.length).fill(1);
    const gUb = new Float32Array(U.bias.length).fill(1);
    const gI = new Float32Array(I.emb.length).fill(1);
    const gIb = new Float32Array(I.bias.length).fill(1);
    const p = new Float64Array(d);
    const qi = new Float64Array(d);
    const qj = new Float64Array(d);
    const order = Int32Array.from(pos);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      for (let k = order.length - 1; k > 0; k--) { const r = gen.nextInt(0, k + 1); const t = order[k]!; order[k] = order[r]!; order[r] = t; }
      for (const q of order) {
        const u = train.users[q]!;
        const i = train.items[q]!;
        represent(U, u, p, d);
        const bi = represent(I, i, qi, d);
        const si = dot(p, qi, d) + bi;
        let j = -1;
        let weight = 0;
        if (o.loss === 'warp') {
          for (let t = 1; t <= o.maxSampled; t++) {
            const c = gen.nextInt(0, nI);
            if (isSeen(seen, u, c)) continue;
            const bj = represent(I, c, qj, d);
            const sj = dot(p, qj, d) + bj;
            if (sj > si - 1) { j = c; weight = Math.log(Math.max(1, Math.floor((nI - 1) / t))); break; }
          }
          if (j < 0) continue;
        } else {
          j = gen.nextInt(0, nI);
          if (isSeen(seen, u, j)) continue;
          const bj = represent(I, j, qj, d);
          const sj = dot(p, qj, d) + bj;
          weight = 1 / (1 + Math.exp(si - sj)); // σ(−(sᵢ − sⱼ)): BPR's gradient weight
        }
        // Descend weight · (sⱼ − sᵢ): ∂/∂p = qⱼ − qᵢ, ∂/∂qᵢ = −p, ∂/∂qⱼ = p, ∂/∂bᵢ = −1, ∂/∂bⱼ = 1.
        step(I, i, -weight, p, gI, gIb, o.learningRate, o.itemAlpha, d);
        step(I, j, weight, p, gI, gIb, o.learningRate, o.itemAlpha, d);
        for (let f = 0; f < d; f++) qi[f] = qj[f]! - qi[f]!;
        step(U, u, weight, qi, gU, gUb, o.learningRate, o.userAlpha, d, false);
      }
    }
  }

  /** Scores of every catalogue item for a user (zero user embedding when the user is unknown). */
  scoresFor(user: string): Float32Array {
    const { users, items } = this.fitted('scoresFor');
    const d = this.options.components;
    const p = new Float64Array(d);
    const u = this.userIdx.get(user);
    if (u !== undefined) represent(users, u, p, d);
    const q = new Float64Array(d);
    return Float32Array.from({ length: items.ids.length }, (_, i) => { const b = represent(items, i, q, d); return dot(p, q, d) + b; });
  }

  predict(user: string, item: string): number {
    const { users, items } = this.fitted('predict');
    const i = this.itemIdx.get(item);
    if (i === undefined) return -Infinity;
    const d = this.options.components;
    const p = new Float64Array(d);
    const q = new Float64Array(d);
    const u = this.userIdx.get(user);
    const bu = u === undefined ? 0 : represent(users, u, p, d);
    const bi = represent(items, i, q, d);
    return dot(p, q, d) + bu + bi;
  }

  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    const { items, seen } = this.fitted('recommend');
    checkK('lightfm.recommend', k);
    return rankScores(this.scoresFor(user), k, items.ids, this.itemIdx, seen, this.userIdx.get(user), opts);
  }

  /** The item's embedding (sum of its feature embeddings), or null if unknown. */
  itemVector(item: string): Float32Array | null {
    const { items } = this.fitted('itemVector');
    const i = this.itemIdx.get(item);
    if (i === undefined) return null;
    const q = new Float64Array(this.options.components);
    represent(items, i, q, this.options.components);
    return Float32Array.from(q);
  }

  itemSimilarity(a: string, b: string): number {
    const x = this.itemVector(a);
    const y = this.itemVector(b);
    return x === null || y === null ? 0 : cosine(x, y);
  }

  similarItems(item: string, k: number): Scored[] {
    const { items } = this.fitted('similarItems');
    checkK('lightfm.similarItems', k);
    const i = this.itemIdx.get(item);
    if (i === undefined) return [];
    const all = items.ids.map((id) => this.itemVector(id)!);
    const sims = Float64Array.from(all, (v) => cosine(all[i]!, v));
    const skip = new Uint8Array(all.length);
    skip[i] = 1;
    return Array.from(topK(sims, k, skip), (j) => ({ item: items.ids[j]!, score: sims[j]! }));
  }

  toJSON(): LightFMJSON {
    const { users, items, seen } = this.fitted('toJSON');
    const { itemContent: _a, itemFeatures: _b, userFeatures: _c, ...options } = this.options;
    return { type: 'lightfm', version: 1, options, users: sideToJSON(users), items: sideToJSON(items), ...seenToJSON(seen) };
  }

  static fromJSON(json: LightFMJSON): LightFM {
    checkSaved('LightFM.fromJSON', json, 'lightfm');
    const m = new LightFM(json.options);
    m.install(sideFromJSON(json.users), sideFromJSON(json.items), seenFromJSON(json, 'LightFM.fromJSON'));
    return m;
  }

  private install(users: Side, items: Side, seen: SeenIndex): void {
    this.users = users;
    this.items = items;
    this.seen = seen;
    this.userIdx = indexOf(users.ids);
    this.itemIdx = indexOf(items.ids);
  }

  private fitted(op: string): { users: Side; items: Side; seen: SeenIndex } {
    if (this.users === null || this.items === null || this.seen === null) throw new ValueError(`lightfm.${op}`, 'call fit first (or load a model with fromJSON)');
    return { users: this.users, items: this.items, seen: this.seen };
  }
}

/** Item features of LightFM from content: `cat:<category>` and `word:<token>` (each once). */
export function contentFeatures(c: ItemContent): string[] {
  return [...new Set([...(c.categories ?? []).map((x) => `cat:${x}`), ...defaultTokenize(c.text ?? '').map((w) => `word:${w}`)])];
}

/** out = Σ w·emb over row r's features; returns Σ w·bias. */
function represent(s: Side, r: number, out: Float64Array, d: number): number {
  out.fill(0);
  let b = 0;
  for (let p = s.rows.indptr[r]!; p < s.rows.indptr[r + 1]!; p++) {
    const f = s.rows.indices[p]!;
    const w = s.rows.weights[p]!;
    b += w * s.bias[f]!;
    for (let c = 0; c < d; c++) out[c]! += w * s.emb[f * d + c]!;
  }
  return b;
}

/** Adagrad step on row r's features for the gradient `scale · vec` (and `scale` for the bias when `withBias`). */
function step(s: Side, r: number, scale: number, vec: Float64Array, acc: Float32Array, accB: Float32Array, lr: number, alpha: number, d: number, withBias = true): void {
  for (let p = s.rows.indptr[r]!; p < s.rows.indptr[r + 1]!; p++) {
    const f = s.rows.indices[p]!;
    const w = s.rows.weights[p]!;
    for (let c = 0; c < d; c++) {
      const at = f * d + c;
      const g = scale * w * vec[c]! + alpha * s.emb[at]!;
      acc[at]! += g * g;
      s.emb[at]! -= (lr / Math.sqrt(acc[at]!)) * g;
    }
    if (withBias) {
      const g = scale * w + alpha * s.bias[f]!;
      accB[f]! += g * g;
      s.bias[f]! -= (lr / Math.sqrt(accB[f]!)) * g;
    }
  }
}

/**
 * Feature rows for the training ids (identity + features) followed by ids known only from
 * features. Only ids with a training interaction get an identity feature: an untrained one would
 * add nothing but its random initial value.
 */
function buildSide(trainIds: readonly string[], active: Uint8Array, feats: ReadonlyMap<string, readonly string[]>, o: Resolved, gen: Generator): Side {
  const ids = [...trainIds];
  const known = new Set(ids);
  for (const id of feats.keys()) if (!known.has(id)) ids.push(id);
  const names: string[] = [];
  const col = new Map<string, number>();
  const colOf = (n: string): number => { let c = col.get(n); if (c === undefined) { c = names.length; names.push(n); col.set(n, c); } return c; };
  const indptr = new Int32Array(ids.length + 1);
  const indices: number[] = [];
  const weights: number[] = [];
  ids.forEach((id, r) => {
    const cols = new Set<number>();
    if (o.identityFeatures && r < trainIds.length && active[r] === 1) cols.add(colOf(`id:${id}`));
    for (const f of feats.get(id) ?? []) cols.add(colOf(f));
    for (const c of cols) { indices.push(c); weights.push(1 / cols.size); }
    indptr[r + 1] = indices.length;
  });
  const d = o.components;
  const emb = new Float32Array(names.length * d);
  for (let k = 0; k < emb.length; k++) emb[k] = (gen.nextFloat32() - 0.5) / d;
  return { ids, rows: { indptr, indices: Int32Array.from(indices), weights: Float32Array.from(weights) }, emb, bias: new Float32Array(names.length), names };
}

function isSeen(seen: SeenIndex, u: number, item: number): boolean {
  if (u + 1 >= seen.indptr.length) return false;
  let a = seen.indptr[u]!;
  let b = seen.indptr[u + 1]!;
  while (a < b) {
    const m = (a + b) >> 1;
    const v = seen.indices[m]!;
    if (v === item) return true;
    if (v < item) a = m + 1; else b = m;
  }
  return false;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) s += a[f]! * b[f]!;
  return s;
}

function cosine(a: Float32Array, b: Float32Array): number {
  const n = Math.sqrt(dot(a, a, a.length) * dot(b, b, b.length));
  return n === 0 ? 0 : dot(a, b, a.length) / n;
}

function sideToJSON(s: Side): SideJSON {
  return {
    ids: [...s.ids], names: s.names, indptr: encodeTyped(s.rows.indptr), indices: encodeTyped(s.rows.indices),
    weights: encodeTyped(s.rows.weights), emb: encodeTyped(s.emb), bias: encodeTyped(s.bias),
  };
}

function sideFromJSON(j: SideJSON): Side {
  const op = 'LightFM.fromJSON';
  return {
    ids: j.ids, names: j.names, rows: { indptr: decodeI32(j.indptr, op), indices: decodeI32(j.indices, op), weights: decodeF32(j.weights, op) },
    emb: decodeF32(j.emb, op), bias: decodeF32(j.bias, op),
  };
}
