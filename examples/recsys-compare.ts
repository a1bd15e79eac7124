/**
 * Compares the recommenders on seeded synthetic data with planted factors (`syntheticRecsys`):
 * NDCG@10, precision@10 and recall@10 of ALS, BPR, NCF, content-based, LightFM and the hybrids
 * against popularity, for warm users (20 % of each warm user's interactions held out) and for
 * cold-start users (who keep only 2 interactions in training; the rest of theirs is the test set).
 * Two worlds: implicit (every held-out interaction is relevant; exposure is popularity-skewed, so
 * popularity is a strong baseline) and explicit 1–5 ratings (relevant = rated ≥ 4, i.e. liked).
 *
 * Hyper-parameters: the libraries' defaults except where a small grid on this world said
 * otherwise (ALS: 8 factors = the planted rank, regularization 10; BPR: 32 factors; NCF: 10
 * epochs, learning rate 0.005); they are the same for warm and cold users.
 *
 * Run: node build/examples/recsys-compare.js [--small] [--json] [--only=als,bpr,…] [--world=implicit|explicit|both]
 *   --small: a CI-sized world and short training (seconds); --json: one JSON line per row;
 *   --only: the named rows only; --world: which world(s), default both.
 */
import {
  ALS, BPR, ContentBased, evaluate, LightFM, NCF, Popularity, subsetInteractions, SwitchingHybrid, syntheticRecsys, WeightedHybrid,
  type EvaluationReport, type Interactions, type Recommender, type SyntheticData,
} from 'tsorch/recsys';
import { Generator } from 'tsorch';

const small = process.argv.includes('--small');
const asJson = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const worldArg = process.argv.find((a) => a.startsWith('--world='))?.slice('--world='.length) ?? 'both';
const cfg = small
  ? { nUsers: 120, nItems: 100, coldUsers: 20, perUser: 20, alsIt: 10, bprIt: 60, ncfEpochs: 3, lfmEpochs: 15 }
  : { nUsers: 600, nItems: 400, coldUsers: 100, perUser: 30, alsIt: 15, bprIt: 100, ncfEpochs: 10, lfmEpochs: 30 };

/** Per warm user, a seeded 20 % of their interactions go to the test set; cold users keep their 2 in training. */
function warmSplit(d: Interactions, cold: ReadonlySet<string>, seed: number): { train: Interactions; test: Interactions } {
  const g = new Generator(seed);
  const rowsOf = new Map<number, number[]>();
  for (let q = 0; q < d.users.length; q++) {
    const list = rowsOf.get(d.users[q]!) ?? [];
    list.push(q);
    rowsOf.set(d.users[q]!, list);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const [u, rows] of rowsOf) {
    if (cold.has(d.userIds[u]!) || rows.length < 5) { train.push(...rows); continue; }
    const perm = g.permutation(rows.length);
    const nTest = Math.round(rows.length * 0.2);
    perm.forEach((p, k) => (k < nTest ? test : train).push(rows[p]!));
  }
  return { train: subsetInteractions(d, train), test: subsetInteractions(d, test) };
}

function modelsFor(world: SyntheticData): Array<[string, () => Recommender]> {
  const als = (): ALS => new ALS({ factors: 8, regularization: 10, iterations: cfg.alsIt, seed: 0 });
  const popPlusContent = (): WeightedHybrid => new WeightedHybrid([{ model: new Popularity(), weight: 0.5 }, { model: new ContentBased(world.content), weight: 0.5 }]);
  return [
    ['popularity', () => new Popularity()],
    ['als', als],
    ['bpr', () => new BPR({ factors: 32, iterations: cfg.bprIt, seed: 0 })],
    ['ncf', () => new NCF({ epochs: cfg.ncfEpochs, batchSize: 256, learningRate: 0.005, seed: 0 })],
    ['content', () => new ContentBased(world.content)],
    ['lightfm', () => new LightFM({ itemContent: world.content, userFeatures: world.userFeatures, epochs: cfg.lfmEpochs, seed: 0 })],
    ['weighted(als+content)', () => new WeightedHybrid([{ model: als(), weight: 0.7 }, { model: new ContentBased(world.content), weight: 0.3 }])],
    ['weighted(pop+content)', popPlusContent],
    // Cold users (< 5 interactions) get popularity + content, warm ones ALS.
    ['switching(als|pop+content)', () => new SwitchingHybrid(als(), popPlusContent(), { minInteractions: 5 })],
  ];
}

const fmt = (r: EvaluationReport): string => `ndcg@10 ${r.ndcg!.toFixed(4)}  p@10 ${r.precision!.toFixed(4)}  r@10 ${r.recall!.toFixed(4)}  (${r.users} users)`;

for (const kind of ['implicit', 'explicit'] as const) {
  if (worldArg !== 'both' && worldArg !== kind) continue;
  const world = syntheticRecsys({
    nUsers: cfg.nUsers, nItems: cfg.nItems, interactionsPerUser: cfg.perUser, implicit: kind === 'implicit',
    coldUsers: cfg.coldUsers, coldUserHistory: 2, seed: 0,
  });
  const cold = new Set(world.coldUserIds);
  const { train, test } = warmSplit(world.interactions, cold, 1);
  const warmUsers = [...new Set(Array.from(test.users, (u) => test.userIds[u]!))];
  const evalOpts = { k: 10, aucNegatives: 0, ratingMetrics: false, ...(kind === 'explicit' ? { relevanceThreshold: 4 } : {}) };
  if (!asJson) {
    console.log(`\n${kind} world: ${world.interactions.userIds.length} users (${cold.size} cold, 2 interactions each), ${world.interactions.itemIds.length} items, ` +
      `${train.users.length} train / ${test.users.length} warm test / ${world.coldTest.users.length} cold test interactions${kind === 'explicit' ? ' (relevant: rating ≥ 4)' : ''}`);
  }
  for (const [name, make] of modelsFor(world)) {
    if (only && !only.includes(name)) continue;
    const t0 = performance.now();
    const model = make().fit(train);
    const fitS = (performance.now() - t0) / 1000;
    const warm = evaluate(model, train, test, { ...evalOpts, users: warmUsers });
    const coldR = evaluate(model, train, world.coldTest, { ...evalOpts, users: world.coldUserIds });
    const total = (performance.now() - t0) / 1000;
    if (asJson) console.log(JSON.stringify({ world: kind, model: name, warm, cold: coldR, fitSeconds: fitS, totalSeconds: total }));
    else console.log(`${name.padEnd(26)} warm: ${fmt(warm)} | cold users: ${fmt(coldR)} | fit ${fitS.toFixed(1)} s, total ${total.toFixed(1)} s`);
  }
}
