/**
 * Saving and loading any recommender as a model folder: `manifest.json` (task, algorithm,
 * training facts, metrics) and `model.json` (the model's own `toJSON()`: options, id maps, and the
 * learned arrays as base64 of their little-endian bytes, so they round-trip bit for bit). One
 * format for every algorithm, the rating models of this part and the factor/neural/content/hybrid
 * models (`recommenderFromJSON`) alike.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../errors.js';
import { BaselineOnly, GlobalMean, Popularity } from './baselines.js';
import { decodeI32 } from './factors.js';
import type { MemberLoader, SavableRecommender } from './hybrid.js';
import { KNNBaseline, KNNBasic, KNNWithMeans, type KNNJSON } from './knn.js';
import { recommenderFromJSON } from './model-json.js';
import type { RatingModelJSON } from './rating-model.js';
import { SVD, SVDpp } from './svd.js';
import type { Interactions, Recommender } from './types.js';

/** Loaders of this module's rating models by their saved `type`. */
export const ratingModelLoaders: Readonly<Record<string, MemberLoader>> = {
  'global-mean': (j) => GlobalMean.fromJSON(j as RatingModelJSON),
  baseline: (j) => BaselineOnly.fromJSON(j as Parameters<typeof BaselineOnly.fromJSON>[0]),
  popularity: (j) => Popularity.fromJSON(j as RatingModelJSON),
  svd: (j) => SVD.fromJSON(j as Parameters<typeof SVD.fromJSON>[0]),
  svdpp: (j) => SVDpp.fromJSON(j as Parameters<typeof SVDpp.fromJSON>[0]),
  'knn-basic': (j) => KNNBasic.fromJSON(j as KNNJSON),
  'knn-means': (j) => KNNWithMeans.fromJSON(j as KNNJSON),
  'knn-baseline': (j) => KNNBaseline.fromJSON(j as KNNJSON),
};

/**
 * Any saved model back from its `toJSON()` output, by its `type` tag.
 *
 * @example
 * ```ts
 * const model = loadRecommenderJSON(JSON.parse(readFileSync('model.json', 'utf8')));
 * ```
 */
export function loadRecommenderJSON(json: { type: string }): Recommender {
  return recommenderFromJSON(json, ratingModelLoaders);
}

/** What `manifest.json` of a recommender folder holds. */
export interface RecsysManifest {
  task: 'recsys';
  version: 1;
  /** The algorithm name given at training (`svd`, `knn-item`, …). */
  algo: string;
  /** The model's saved `type`. */
  type: string;
  implicit: boolean;
  users: number;
  items: number;
  interactions: number;
  /** Metrics measured on a held-out split at training time, if any. */
  metrics?: Record<string, number>;
  /** Anything else the trainer records (data file, options). */
  info?: Record<string, unknown>;
}

/**
 * Writes `dir/manifest.json` and `dir/model.json` (creating `dir`).
 *
 * @example
 * ```ts
 * saveRecommender('models/svd', svd, { algo: 'svd', implicit: false, users: 671, items: 9066, interactions: 80003 });
 * ```
 */
export function saveRecommender(dir: string, model: SavableRecommender, manifest: Omit<RecsysManifest, 'task' | 'version' | 'type'>): void {
  mkdirSync(dir, { recursive: true });
  const json = model.toJSON();
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const full: RecsysManifest = { task: 'recsys', version: 1, type: json.type, ...manifest };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(full, null, 2) + '\n');
}

/**
 * Reads a folder written by `saveRecommender`: the model, its manifest, and the training
 * interactions' seen index as `Interactions` (ratings 1), which evaluation needs to exclude
 * training items; null when the model saved none (then pass the training file explicitly).
 *
 * @example
 * ```ts
 * const { model, manifest } = loadRecommender('models/svd');
 * model.recommend('42', 10);
 * ```
 */
export function loadRecommender(dir: string): { model: Recommender; manifest: RecsysManifest; seen: Interactions | null } {
  const mf = join(dir, 'manifest.json');
  const manifest = readJSON(mf) as RecsysManifest;
  if (manifest.task !== 'recsys') throw new ValueError(mf, `'task' is ${JSON.stringify(manifest.task)}, not "recsys"`);
  const json = readJSON(join(dir, 'model.json')) as { type: string };
  return { model: loadRecommenderJSON(json), manifest, seen: seenInteractions(json) };
}

function readJSON(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValueError(file, `cannot read (${(e as Error).message}) — is this a model folder written by 'tsorch train recsys'?`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ValueError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** The first (depth-first) saved seen index in a model's JSON (hybrids keep it in their members). */
function seenInteractions(json: unknown): Interactions | null {
  const stack: unknown[] = [json];
  while (stack.length > 0) {
    const j = stack.pop();
    if (typeof j !== 'object' || j === null) continue;
    const o = j as Record<string, unknown>;
    if (Array.isArray(o.userIds) && Array.isArray(o.itemIds) && typeof o.seenIndptr === 'string' && typeof o.seenIndices === 'string') {
      const indptr = decodeI32(o.seenIndptr, 'loadRecommender');
      const items = decodeI32(o.seenIndices, 'loadRecommender');
      const userIds = o.userIds as string[];
      const itemIds = o.itemIds as string[];
      const users = new Int32Array(items.length);
      for (let u = 0; u + 1 < indptr.length; u++) users.fill(u, indptr[u]!, indptr[u + 1]!);
      return {
        userIds, itemIds, userIndex: new Map(userIds.map((u, k) => [u, k])), itemIndex: new Map(itemIds.map((u, k) => [u, k])),
        users, items, ratings: new Float32Array(items.length).fill(1), timestamps: new Float64Array(items.length).fill(NaN), implicit: true,
      };
    }
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) stack.push(v);
  }
  return null;
}
