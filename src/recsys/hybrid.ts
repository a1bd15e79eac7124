/**
 * Hybrid recommenders that combine other recommenders through the `Recommender` interface alone,
 * so any algorithm (ALS, BPR, SVD, k-NN, content, NCF, LightFM) can take part:
 * - {@link WeightedHybrid}: a weighted sum of the members' per-user normalised scores;
 * - {@link SwitchingHybrid}: collaborative filtering where there is enough history, content where
 *   there is not (cold-start users and items).
 * The LightFM-style model, a hybrid in one factorisation, is in `lightfm.ts`.
 */
import { ValueError } from '../errors.js';
import { checkK, checkSaved, checkTrain, topK, withDefaults } from './factors.js';
import type { Interactions, RecommendOptions, Recommender, Scored } from './types.js';

/** A recommender that can be saved (every model of this module is). */
export type SavableRecommender = Recommender & { toJSON(): { type: string } };

/** Rebuilds a member from its saved JSON (see `recommenderFromJSON`). */
export type MemberLoader = (json: { type: string }) => Recommender;

/** How scores of different models are put on one scale before blending. */
export type Normalization = 'zscore' | 'minmax' | 'rank' | 'none';

/** One member of a weighted hybrid. */
export interface HybridMember {
  model: SavableRecommender;
  /** Default 1. */
  weight?: number;
}

/** Options of {@link WeightedHybrid}. */
export interface WeightedHybridOptions {
  /** Per-user score normalisation of each member before weighting. Default 'zscore'. */
  normalization?: Normalization;
  /** `fit` fits every member on the same data (false: members arrive fitted). Default true. */
  fitMembers?: boolean;
}

/**
 * Weighted blending: for a user, each member scores the whole catalogue (`recommend` with k =
 * every item, seen items included), the scores are normalised per member and user (z-score by
 * default; 'minmax' to [0, 1]; 'rank' to 1 − rank/n), and the blend is Σ weight · normalised
 * score. An item a member cannot score (not in its catalogue, e.g. a cold item for a CF model)
 * takes that member's lowest normalised score for the user. Cold start follows the members'.
 * `predict` returns the blended score (a relevance score, not a rating).
 *
 * @example
 * ```ts
 * const blend = new WeightedHybrid([{ model: new ALS(), weight: 0.7 }, { model: new ContentBased(content), weight: 0.3 }]).fit(train);
 * blend.recommend('u1', 10);
 * ```
 */
export class WeightedHybrid implements Recommender {
  readonly name = 'weighted-hybrid';
  readonly scoreKind = 'relevance' as const;
  readonly members: ReadonlyArray<Required<HybridMember>>;
  readonly options: Required<WeightedHybridOptions>;
  private cache: { user: string; scores: Map<string, number> } | null = null;
  private seenOf = new Map<string, Set<string>>();
  private fittedFlag = false;

  constructor(members: readonly HybridMember[], opts: WeightedHybridOptions = {}) {
    if (members.length === 0) throw new ValueError('WeightedHybrid', 'needs at least one member');
    this.members = members.map((m, k) => {
      const weight = m.weight ?? 1;
      if (!Number.isFinite(weight)) throw new ValueError('WeightedHybrid', `member ${k} (${m.model.name}) has weight ${weight}`);
      return { model: m.model, weight };
    });
    this.options = withDefaults<WeightedHybridOptions>({ normalization: 'zscore', fitMembers: true }, opts);
  }

  fit(train: Interactions): this {
    checkTrain('WeightedHybrid.fit', train);
    if (this.options.fitMembers) for (const m of this.members) m.model.fit(train);
    this.seenOf = seenSets(train);
    this.cache = null;
    this.fittedFlag = true;
    return this;
  }

  /** Blended scores of every item any member can score, for one user. */
  scoresFor(user: string): Map<string, number> {
    if (!this.fittedFlag) throw new ValueError('WeightedHybrid.scoresFor', 'call fit first (or load a model with fromJSON)');
    if (this.cache?.user === user) return this.cache.scores;
    const lists = this.members.map((m) => normalise(fullList(m.model, user), this.options.normalization));
    const items = new Set<string>();
    for (const l of lists) for (const id of l.scores.keys()) items.add(id);
    const out = new Map<string, number>();
    for (const id of items) {
      let s = 0;
      lists.forEach((l, k) => { s += this.members[k]!.weight * (l.scores.get(id) ?? l.min); });
      out.set(id, s);
    }
    this.cache = { user, scores: out };
    return out;
  }

  predict(user: string, item: string): number {
    return this.scoresFor(user).get(item) ?? 0;
  }

  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    checkK('WeightedHybrid.recommend', k);
    return rankMap(this.scoresFor(user), k, opts.excludeSeen ?? true ? this.seenOf.get(user) : undefined, opts.exclude);
  }

  toJSON(): { type: 'weighted-hybrid'; version: 1; options: Required<WeightedHybridOptions>; members: Array<{ weight: number; model: { type: string } }>; seen: Record<string, string[]> } {
    return {
      type: 'weighted-hybrid', version: 1, options: this.options,
      members: this.members.map((m) => ({ weight: m.weight, model: m.model.toJSON() })),
      seen: Object.fromEntries([...this.seenOf].map(([u, s]) => [u, [...s]])),
    };
  }

  /** Rebuilds a saved blend; `load` rebuilds each member (e.g. `recommenderFromJSON`). */
  static fromJSON(json: ReturnType<WeightedHybrid['toJSON']>, load: MemberLoader): WeightedHybrid {
    checkSaved('WeightedHybrid.fromJSON', json, 'weighted-hybrid');
    const h = new WeightedHybrid(json.members.map((m) => ({ model: load(m.model) as SavableRecommender, weight: m.weight })), { ...json.options, fitMembers: false });
    h.seenOf = new Map(Object.entries(json.seen).map(([u, s]) => [u, new Set(s)]));
    h.fittedFlag = true;
    return h;
  }
}

/** Options of {@link SwitchingHybrid}. */
export interface SwitchingHybridOptions {
  /** Users and items with fewer training interactions than this are "cold" and served by content. Default 5. */
  minInteractions?: number;
  /** `fit` fits both members (false: they arrive fitted). Default true. */
  fitMembers?: boolean;
}

/**
 * Switching hybrid for cold start. A user with fewer than `minInteractions` training
 * interactions (or none: an unknown user) gets the content model's recommendations. A warm user
 * gets the CF model's ranking of warm items merged with the content model's ranking of cold items
 * (both z-scored for the user, so a very good cold item can enter the list). `predict` uses the
 * content model when the user or the item is cold, the CF model otherwise.
 *
 * @example
 * ```ts
 * const sw = new SwitchingHybrid(new ALS(), new ContentBased(content), { minInteractions: 5 }).fit(train);
 * sw.recommend('new-user', 10); // content-based
 * ```
 */
export class SwitchingHybrid implements Recommender {
  readonly name = 'switching-hybrid';
  readonly options: Required<SwitchingHybridOptions>;
  private userCounts = new Map<string, number>();
  private itemCounts = new Map<string, number>();
  private seenOf = new Map<string, Set<string>>();
  private fittedFlag = false;

  constructor(readonly cf: SavableRecommender, readonly content: SavableRecommender, opts: SwitchingHybridOptions = {}) {
    this.options = withDefaults<SwitchingHybridOptions>({ minInteractions: 5, fitMembers: true }, opts);
    const n = this.options.minInteractions;
    if (!(Number.isInteger(n) && n >= 0)) throw new ValueError('SwitchingHybrid', `minInteractions must be a non-negative integer, got ${n}`);
  }

  /** Scores are ratings only when both members predict ratings. */
  get scoreKind(): 'rating' | 'relevance' {
    return this.cf.scoreKind === 'rating' && this.content.scoreKind === 'rating' ? 'rating' : 'relevance';
  }

  fit(train: Interactions): this {
    checkTrain('SwitchingHybrid.fit', train);
    if (this.options.fitMembers) { this.cf.fit(train); this.content.fit(train); }
    this.userCounts = new Map();
    this.itemCounts = new Map();
    for (let q = 0; q < train.users.length; q++) {
      const u = train.userIds[train.users[q]!]!;
      const i = train.itemIds[train.items[q]!]!;
      this.userCounts.set(u, (this.userCounts.get(u) ?? 0) + 1);
      this.itemCounts.set(i, (this.itemCounts.get(i) ?? 0) + 1);
    }
    this.seenOf = seenSets(train);
    this.fittedFlag = true;
    return this;
  }

  /** True when the user has fewer than `minInteractions` training interactions. */
  isColdUser(user: string): boolean {
    return (this.userCounts.get(user) ?? 0) < this.options.minInteractions;
  }

  /** True when the item has fewer than `minInteractions` training interactions. */
  isColdItem(item: string): boolean {
    return (this.itemCounts.get(item) ?? 0) < this.options.minInteractions;
  }

  predict(user: string, item: string): number {
    this.check('predict');
    return this.isColdUser(user) || this.isColdItem(item) ? this.content.predict(user, item) : this.cf.predict(user, item);
  }

  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    this.check('recommend');
    checkK('SwitchingHybrid.recommend', k);
    if (this.isColdUser(user)) return this.content.recommend(user, k, opts);
    const cf = normalise(fullList(this.cf, user), 'zscore').scores;
    const ct = normalise(fullList(this.content, user), 'zscore').scores;
    const merged = new Map<string, number>();
    for (const [id, s] of cf) if (!this.isColdItem(id)) merged.set(id, s);
    for (const [id, s] of ct) if (this.isColdItem(id)) merged.set(id, s);
    return rankMap(merged, k, opts.excludeSeen ?? true ? this.seenOf.get(user) : undefined, opts.exclude);
  }

  toJSON(): { type: 'switching-hybrid'; version: 1; options: Required<SwitchingHybridOptions>; cf: { type: string }; content: { type: string }; userCounts: Record<string, number>; itemCounts: Record<string, number>; seen: Record<string, string[]> } {
    return {
      type: 'switching-hybrid', version: 1, options: this.options, cf: this.cf.toJSON(), content: this.content.toJSON(),
      userCounts: Object.fromEntries(this.userCounts), itemCounts: Object.fromEntries(this.itemCounts),
      seen: Object.fromEntries([...this.seenOf].map(([u, s]) => [u, [...s]])),
    };
  }

  static fromJSON(json: ReturnType<SwitchingHybrid['toJSON']>, load: MemberLoader): SwitchingHybrid {
    checkSaved('SwitchingHybrid.fromJSON', json, 'switching-hybrid');
    const h = new SwitchingHybrid(load(json.cf) as SavableRecommender, load(json.content) as SavableRecommender, { ...json.options, fitMembers: false });
    h.userCounts = new Map(Object.entries(json.userCounts));
    h.itemCounts = new Map(Object.entries(json.itemCounts));
    h.seenOf = new Map(Object.entries(json.seen).map(([u, s]) => [u, new Set(s)]));
    h.fittedFlag = true;
    return h;
  }

  private check(op: string): void {
    if (!this.fittedFlag) throw new ValueError(`SwitchingHybrid.${op}`, 'call fit first (or load a model with fromJSON)');
  }
}

/** Every item a model can rank for the user, seen ones included. */
function fullList(model: Recommender, user: string): Scored[] {
  return model.recommend(user, Number.MAX_SAFE_INTEGER, { excludeSeen: false });
}

/** Per-list normalisation; `min` is the lowest normalised score (given to items the list lacks). */
export function normalise(list: readonly Scored[], how: Normalization): { scores: Map<string, number>; min: number } {
  const scores = new Map<string, number>();
  const finite = list.filter((s) => Number.isFinite(s.score));
  const n = finite.length;
  if (n === 0) return { scores, min: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  let mean = 0;
  for (const s of finite) { lo = Math.min(lo, s.score); hi = Math.max(hi, s.score); mean += s.score / n; }
  let sd = 0;
  for (const s of finite) sd += (s.score - mean) ** 2 / n;
  sd = Math.sqrt(sd);
  const f = how === 'zscore' ? (x: number) => (sd > 0 ? (x - mean) / sd : 0)
    : how === 'minmax' ? (x: number) => (hi > lo ? (x - lo) / (hi - lo) : 0)
    : (x: number) => x;
  if (how === 'rank') {
    [...finite].sort((a, b) => b.score - a.score).forEach((s, r) => scores.set(s.item, 1 - r / n));
  } else {
    for (const s of finite) scores.set(s.item, f(s.score));
  }
  let min = Infinity;
  for (const v of scores.values()) min = Math.min(min, v);
  return { scores, min };
}

function rankMap(scores: ReadonlyMap<string, number>, k: number, seen: ReadonlySet<string> | undefined, exclude: Iterable<string> | undefined): Scored[] {
  const ids = [...scores.keys()];
  const vals = Float64Array.from(ids, (id) => scores.get(id)!);
  const skip = new Uint8Array(ids.length);
  const ex = new Set(exclude ?? []);
  ids.forEach((id, i) => { if (seen?.has(id) || ex.has(id)) skip[i] = 1; });
  return Array.from(topK(vals, k, skip), (i) => ({ item: ids[i]!, score: vals[i]! }));
}

function seenSets(train: Interactions): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (let q = 0; q < train.users.length; q++) {
    const u = train.userIds[train.users[q]!]!;
    let s = out.get(u);
    if (!s) { s = new Set(); out.set(u, s); }
    s.add(train.itemIds[train.items[q]!]!);
  }
  return out;
}
