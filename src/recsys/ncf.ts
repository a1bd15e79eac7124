/**
 * Neural collaborative filtering: NeuMF (He et al. 2017, "Neural Collaborative Filtering"), a GMF
 * branch (element-wise product of user and item embeddings) and an MLP branch (concatenated
 * embeddings through a ReLU tower) joined by one linear output. Built from tsorch modules
 * (`nn.Embedding`, `nn.Linear`, `nn.ReLU`), trained with tsorch autograd, `optim.Adam` and the
 * `DataLoader`.
 */
import { ValueError } from '../errors.js';
import { noGrad } from '../autograd/mode.js';
import { DataLoader } from '../data/dataloader.js';
import { deserialize, serialize } from '../io/safetensors.js';
import { Embedding } from '../nn/layers/embedding.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU } from '../nn/layers/activation.js';
import { Sequential } from '../nn/layers/container.js';
import { Module } from '../nn/module.js';
import { normal_ } from '../nn/init.js';
import { binaryCrossEntropyWithLogits, mseLoss } from '../ops/index.js';
import { cat } from '../ops/shape.js';
import { Adam } from '../optim/adam.js';
import { tensor } from '../tensor/create.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  checkK, checkSaved, checkTrain, indexOf, rankScores, rowCosine, seenFromJSON, seenIndex, seenToJSON,
  similarRows, withDefaults, type ItemSimilarity, type SeenIndex,
} from './factors.js';
import type { Interactions, RecommendOptions, Recommender, Scored } from './types.js';

/** Options of {@link NCF}. Defaults are the NeuMF paper's. */
export interface NCFOptions {
  /** 'implicit': BCE on positives and sampled negatives; 'explicit': MSE on ratings. Default: from the data's `implicit` flag. */
  task?: 'implicit' | 'explicit' | 'auto';
  /** GMF embedding size ("predictive factors"). Default 8. */
  factors?: number;
  /** MLP tower widths; the first is the concatenated embedding size (user and item get half each). Default [64, 32, 16, 8]. */
  layers?: readonly number[];
  /** Negatives sampled per positive (implicit). Default 4. */
  numNegatives?: number;
  /** Adam learning rate. Default 0.001. */
  learningRate?: number;
  /** Adam weight decay (L2). Default 0. */
  weightDecay?: number;
  batchSize?: number;
  /** Default 20. */
  epochs?: number;
  /** Seed of initialisation, negative sampling and shuffling (the global generator is left as it was). Default 0. */
  seed?: number;
  /** Called after each epoch with its mean training loss. */
  onEpoch?: ((epoch: number, loss: number) => void) | null;
}

/**
 * The NeuMF network. user, item: int32 or int64 (N) → (N) scores (logits for implicit, rating offsets for explicit).
 */
export class NeuMF extends Module {
  gmfUser: Embedding;
  gmfItem: Embedding;
  mlpUser: Embedding;
  mlpItem: Embedding;
  mlp: Sequential;
  out: Linear;

  constructor(nUsers: number, nItems: number, factors: number, layers: readonly number[]) {
    super();
    const half = layers[0]! / 2;
    this.gmfUser = new Embedding(nUsers, factors);
    this.gmfItem = new Embedding(nItems, factors);
    this.mlpUser = new Embedding(nUsers, half);
    this.mlpItem = new Embedding(nItems, half);
    for (const e of [this.gmfUser, this.gmfItem, this.mlpUser, this.mlpItem]) normal_(e.weight, 0, 0.01);
    const tower: Array<Linear | ReLU> = [];
    for (let l = 1; l < layers.length; l++) tower.push(new Linear(layers[l - 1]!, layers[l]!), new ReLU());
    this.mlp = new Sequential(...tower);
    this.out = new Linear(factors + layers[layers.length - 1]!, 1);
  }

  forward(user: Tensor, item: Tensor): Tensor {
    const gmf = this.gmfUser.forward(user).mul(this.gmfItem.forward(item));
    const mlp = this.mlp.forward(cat([this.mlpUser.forward(user), this.mlpItem.forward(item)], 1));
    return this.out.forward(cat([gmf, mlp], 1)).reshape([-1]);
  }
}

/** What `toJSON` writes: options, ids, and the network's state dict as base64 safetensors. */
export interface NCFJSON {
  type: 'ncf';
  version: 1;
  options: Omit<Required<NCFOptions>, 'onEpoch'>;
  task: 'implicit' | 'explicit';
  offset: number;
  userIds: string[];
  itemIds: string[];
  weights: string;
  seenIndptr: string;
  seenIndices: string;
  itemCounts: string;
}

/**
 * NeuMF recommender. Implicit: labels 1 for every interaction and 0 for `numNegatives` items per
 * positive drawn uniformly from the items the user has not interacted with (fresh each epoch);
 * scores are logits. Explicit: regression of rating − global mean with MSE; `predict` adds the
 * mean back. Duplicates are separate training examples. Cold start (never throws): an unknown
 * user (or one without training interactions) gets the most popular items (`predict`: 0 implicit, the global mean explicit); an unknown
 * item scores 0 (implicit) or the global mean (explicit).
 *
 * @example
 * ```ts
 * const ncf = new NCF({ epochs: 10, seed: 1, onEpoch: (e, l) => console.log(e, l) }).fit(train);
 * ncf.recommend('u1', 10);
 * const again = NCF.fromJSON(JSON.parse(JSON.stringify(ncf.toJSON())));
 * ```
 */
export class NCF implements Recommender, ItemSimilarity {
  readonly name = 'ncf';

  /** 'rating' when trained on explicit ratings (MSE), else 'relevance' (logits). */
  get scoreKind(): 'rating' | 'relevance' {
    return this.net !== null && this.task === 'explicit' ? 'rating' : 'relevance';
  }
  readonly options: Required<NCFOptions>;
  private net: NeuMF | null = null;
  private task: 'implicit' | 'explicit' = 'implicit';
  private offset = 0;
  private userIds: readonly string[] = [];
  private itemIds: readonly string[] = [];
  private userIdx = new Map<string, number>();
  private itemIdx = new Map<string, number>();
  private seen: SeenIndex | null = null;
  private itemEmb: Float32Array | null = null;

  constructor(opts: NCFOptions = {}) {
    this.options = withDefaults<NCFOptions>({
      task: 'auto', factors: 8, layers: [64, 32, 16, 8], numNegatives: 4, learningRate: 0.001, weightDecay: 0,
      batchSize: 256, epochs: 20, seed: 0, onEpoch: null,
    }, opts);
    const o = this.options;
    if (!(Number.isInteger(o.factors) && o.factors > 0)) throw new ValueError('NCF', `factors must be a positive integer, got ${o.factors}`);
    if (o.layers.length < 1 || o.layers.some((w) => !(Number.isInteger(w) && w > 0)) || o.layers[0]! % 2 !== 0) {
      throw new ValueError('NCF', `layers must be positive integers with an even first width, got [${o.layers.join(', ')}]`);
    }
    if (!(Number.isInteger(o.numNegatives) && o.numNegatives >= 0)) throw new ValueError('NCF', `numNegatives must be a non-negative integer, got ${o.numNegatives}`);
    if (!(Number.isInteger(o.batchSize) && o.batchSize > 0)) throw new ValueError('NCF', `batchSize must be a positive integer, got ${o.batchSize}`);
    if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw new ValueError('NCF', `epochs must be a non-negative integer, got ${o.epochs}`);
  }

  fit(train: Interactions): this {
    checkTrain('NCF.fit', train);
    const o = this.options;
    const task = o.task === 'auto' ? (train.implicit ? 'implicit' : 'explicit') : o.task;
    const nU = train.userIds.length;
    const nI = train.itemIds.length;
    const n = train.users.length;
    const saved = defaultGenerator.getState();
    try {
      defaultGenerator.manualSeed(o.seed);
      const gen = new Generator(o.seed + 1);
      const net = new NeuMF(nU, nI, o.factors, o.layers);
      const opt = new Adam(net.parameters(), { lr: o.learningRate, weightDecay: o.weightDecay });
      const seen = seenIndex(train);
      let offset = 0;
      if (task === 'explicit') { for (const r of train.ratings) offset += r; offset /= n; }
      const per = task === 'implicit' ? 1 + o.numNegatives : 1;
      const us = new Int32Array(n * per);
      const is = new Int32Array(n * per);
      const ys = new Float32Array(n * per);
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        for (let q = 0; q < n; q++) {
          const u = train.users[q]!;
          us[q * per] = u; is[q * per] = train.items[q]!;
          ys[q * per] = task === 'implicit' ? 1 : train.ratings[q]! - offset;
          for (let k = 1; k < per; k++) {
            us[q * per + k] = u;
            is[q * per + k] = sampleNegative(gen, nI, seen, u);
            ys[q * per + k] = 0;
          }
        }
        // The DataLoader shuffles and batches example indices; the collate gathers them into tensors.
        const loader = new DataLoader<number, [Tensor, Tensor, Tensor]>(Array.from({ length: n * per }, (_, i) => i), {
          batchSize: o.batchSize, shuffle: true, generator: gen,
          collate: (idx) => [
            tensor(Int32Array.from(idx, (i) => us[i]!)),
            tensor(Int32Array.from(idx, (i) => is[i]!)),
            tensor(Float32Array.from(idx, (i) => ys[i]!)),
          ],
        });
        let total = 0;
        let batches = 0;
        for (const [ub, ib, yb] of loader) {
          opt.zeroGrad();
          const pred = net.forward(ub, ib);
          const loss = task === 'implicit' ? binaryCrossEntropyWithLogits(pred, yb) : mseLoss(pred, yb);
          loss.backward();
          opt.step();
          total += loss.item();
          batches++;
        }
        o.onEpoch?.(epoch, total / Math.max(1, batches));
      }
      this.install(net, task, offset, train.userIds, train.itemIds, seen);
    } finally {
      defaultGenerator.setState(saved);
    }
    return this;
  }

  /** Scores of every catalogue item for a user (training popularity for an unknown user). */
  scoresFor(user: string): Float32Array {
    const net = this.fitted('scoresFor');
    const u = this.userIdx.get(user);
    const nI = this.itemIds.length;
    const seen = this.seen!;
    if (u === undefined || seen.indptr[u + 1] === seen.indptr[u]) return Float32Array.from(seen.counts);
    return noGrad(() => {
      const users = tensor(new Int32Array(nI).fill(u));
      const items = tensor(Int32Array.from({ length: nI }, (_, i) => i));
      const out = Float32Array.from(net.forward(users, items).dataSync() as Float32Array);
      if (this.task === 'explicit') for (let i = 0; i < nI; i++) out[i]! += this.offset;
      return out;
    });
  }

  /**
   * The score of one pair. The whole catalogue is scored for the user in one forward pass and
   * kept until the next user, so evaluating many items of one user (AUC) costs one pass.
   */
  predict(user: string, item: string): number {
    this.fitted('predict');
    const u = this.userIdx.get(user);
    const i = this.itemIdx.get(item);
    const seen = this.seen!;
    if (u === undefined || i === undefined || seen.indptr[u + 1] === seen.indptr[u]) return this.task === 'explicit' ? this.offset : 0;
    if (this.cache?.user !== user) this.cache = { user, scores: this.scoresFor(user) };
    return this.cache.scores[i]!;
  }

  private cache: { user: string; scores: Float32Array } | null = null;

  recommend(user: string, k: number, opts: RecommendOptions = {}): Scored[] {
    this.fitted('recommend');
    checkK('ncf.recommend', k);
    return rankScores(this.scoresFor(user), k, this.itemIds, this.itemIdx, this.seen!, this.userIdx.get(user), opts);
  }

  /** Cosine of the items' concatenated GMF and MLP embeddings. */
  itemSimilarity(a: string, b: string): number {
    this.fitted('itemSimilarity');
    const i = this.itemIdx.get(a);
    const j = this.itemIdx.get(b);
    return i === undefined || j === undefined ? 0 : rowCosine(this.itemEmb!, this.embDim(), i, j);
  }

  similarItems(item: string, k: number): Scored[] {
    this.fitted('similarItems');
    const i = this.itemIdx.get(item);
    return i === undefined ? [] : similarRows(this.itemEmb!, this.embDim(), i, k, this.itemIds);
  }

  /** The trained network (throws before `fit`). */
  get network(): NeuMF { return this.fitted('network'); }

  toJSON(): NCFJSON {
    const net = this.fitted('toJSON');
    const { onEpoch: _, ...options } = this.options;
    return {
      type: 'ncf', version: 1, options, task: this.task, offset: this.offset, userIds: [...this.userIds], itemIds: [...this.itemIds],
      weights: Buffer.from(serialize(net.stateDict())).toString('base64'), ...seenToJSON(this.seen!),
    };
  }

  static fromJSON(json: NCFJSON): NCF {
    checkSaved('NCF.fromJSON', json, 'ncf');
    const m = new NCF(json.options);
    const net = new NeuMF(json.userIds.length, json.itemIds.length, m.options.factors, m.options.layers);
    net.loadStateDict(deserialize(new Uint8Array(Buffer.from(json.weights, 'base64')), { source: 'NCF.fromJSON' }).tensors);
    m.install(net, json.task, json.offset, json.userIds, json.itemIds, seenFromJSON(json, 'NCF.fromJSON'));
    return m;
  }

  private embDim(): number {
    return this.options.factors + this.options.layers[0]! / 2;
  }

  private install(net: NeuMF, task: 'implicit' | 'explicit', offset: number, userIds: readonly string[], itemIds: readonly string[], seen: SeenIndex): void {
    this.net = net;
    this.cache = null;
    this.task = task;
    this.offset = offset;
    this.userIds = userIds;
    this.itemIds = itemIds;
    this.userIdx = indexOf(userIds);
    this.itemIdx = indexOf(itemIds);
    this.seen = seen;
    const g = net.gmfItem.weight.dataSync() as Float32Array;
    const m = net.mlpItem.weight.dataSync() as Float32Array;
    const f = this.options.factors;
    const h = this.options.layers[0]! / 2;
    const d = f + h;
    const emb = new Float32Array(itemIds.length * d);
    for (let i = 0; i < itemIds.length; i++) {
      emb.set(g.subarray(i * f, (i + 1) * f), i * d);
      emb.set(m.subarray(i * h, (i + 1) * h), i * d + f);
    }
    this.itemEmb = emb;
  }

  private fitted(op: string): NeuMF {
    if (this.net === null) throw new ValueError(`ncf.${op}`, 'call fit first (or load a model with fromJSON)');
    return this.net;
  }
}

/** A uniformly drawn item the user has not interacted with (any item after 50 failed draws). */
function sampleNegative(gen: Generator, nItems: number, seen: SeenIndex, u: number): number {
  const lo = seen.indptr[u]!;
  const hi = seen.indptr[u + 1]!;
  let j = 0;
  for (let t = 0; t < 50; t++) {
    j = gen.nextInt(0, nItems);
    let a = lo;
    let b = hi;
    let found = false;
    while (a < b) {
      const mid = (a + b) >> 1;
      const v = seen.indices[mid]!;
      if (v === j) { found = true; break; }
      if (v < j) a = mid + 1; else b = mid;
    }
    if (!found) return j;
  }
  return j;
}

