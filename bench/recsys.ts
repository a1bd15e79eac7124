/**
 * Recommender benchmarks (issue 7).
 *
 *   npm run bench:recsys -- [--scale] [--quality] [--movielens FILE] [--ml100k FILE] [--folds 5] [--users 6000 --items 4000 --per-user 167]
 *
 * --scale      Surprise-default SVD (100 factors, 20 epochs, lr 0.005, reg 0.02) fitted on ~1M
 *              synthetic ratings (6,000 users × 4,000 items): fit seconds, peak RSS, and seconds
 *              to rank the top 10 for every user (one `recommend` per user, and batched with
 *              `recommendMany`). Targets: fit ≤ 30 s, RSS < 1 GB, top-10 ≤ 10 s.
 * --quality    On seeded synthetic data with planted factors (noise σ = 0.3): each algorithm's
 *              NDCG@10 against popularity, and SVD's RMSE against σ.
 * --movielens  5-fold CV RMSE/MAE of SVD, KNNBaseline and BaselineOnly with Surprise's defaults
 *              on MovieLens latest-small as exported by Debian's r-cran-dslabs (a CSV with columns
 *              movieId,title,year,genres,userId,rating,timestamp; see ../shared/design/DATA.md:
 *              `apt-get download r-cran-dslabs`, `dpkg -x`, then in R
 *              `lazyLoad("<dir>/dslabs/data/Rdata", envir = e); write.csv(e$movielens, "movielens.csv")`).
 * --ml100k     The same protocol on MovieLens 100k's `u.data` (tab-separated user item rating
 *              timestamp, from GroupLens: https://grouplens.org/datasets/movielens/100k/). This is
 *              the protocol of Surprise's published table (5-fold CV, default parameters:
 *              SVD 0.934, KNNBaseline 0.931, BaselineOnly 0.944 RMSE).
 *
 * No flag runs --scale and --quality. Updates the sections it ran in bench/results/recsys-latest.json. Timings on a
 * shared machine are provisional: the JSON records the share of CPU other processes used.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ALS, BPR, BaselineOnly, KNNBaseline, KNNBasic, KNNWithMeans, Popularity, SVD, SVDpp, crossValidate, evaluate, randomSplit, readInteractions, syntheticRecsys,
  type Recommender,
} from 'tsorch/recsys';
import { othersShare, snapshot } from './lib/contention.js';
import { machineInfo } from './lib/machine.js';

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const args = process.argv.slice(2);
const flag = (n: string): boolean => args.includes(`--${n}`);
const value = (n: string): string | undefined => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const numArg = (n: string, d: number): number => {
  const v = value(n);
  if (v === undefined) return d;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`--${n} expects a number, got '${v}'`);
  return x;
};
const rssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const r4 = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 10000) / 10000);
const results: Record<string, unknown> = { machine: machineInfo(), date: new Date().toISOString() };

function scale(): void {
  const nUsers = numArg('users', 6000);
  const nItems = numArg('items', 4000);
  const perUser = numArg('per-user', 167);
  const t0 = performance.now();
  const world = syntheticRecsys({ nUsers, nItems, interactionsPerUser: perUser, rank: 10, noise: 0.3, seed: 0 });
  const data = world.interactions;
  const genS = (performance.now() - t0) / 1000;
  const rssAfterData = rssMiB();
  console.log(`scale: ${data.users.length} ratings, ${data.userIds.length} users × ${data.itemIds.length} items (generated in ${genS.toFixed(1)} s, peak RSS so far ${rssAfterData} MiB)`);
  const s0 = snapshot();
  const f0 = performance.now();
  const svd = new SVD({ seed: 0 }).fit(data);
  const fitS = (performance.now() - f0) / 1000;
  const s1 = snapshot();
  const rssAfterFit = rssMiB();
  console.log(`  SVD fit (100 factors, 20 epochs): ${fitS.toFixed(1)} s (target ≤ 30), peak RSS ${rssAfterFit} MiB (target < 1024); other processes used ${Math.round((othersShare(s0, s1) ?? NaN) * 100)}% of the CPUs`);
  const t1 = performance.now();
  let n = 0;
  for (const u of data.userIds) n += svd.recommend(u, 10).length;
  const topS = (performance.now() - t1) / 1000;
  const s2 = snapshot();
  console.log(`  top-10 for all ${data.userIds.length} users: ${topS.toFixed(1)} s (target ≤ 10), ${n} items listed; others used ${Math.round((othersShare(s1, s2) ?? NaN) * 100)}% of the CPUs`);
  const t2 = performance.now();
  const lists = svd.recommendMany(data.userIds, 10);
  const batchS = (performance.now() - t2) / 1000;
  const s3 = snapshot();
  console.log(`  top-10 for all users, batched (recommendMany: float32 matmul, blocks of 256 users): ${batchS.toFixed(1)} s, ${lists.length} lists; others used ${Math.round((othersShare(s2, s3) ?? NaN) * 100)}% of the CPUs`);
  results.scale = {
    topKAllBatchedSeconds: batchS, othersCpuShareTopKBatched: othersShare(s2, s3),
    ratings: data.users.length, users: data.userIds.length, items: data.itemIds.length, generateSeconds: genS,
    fitSeconds: fitS, topKAllSeconds: topS, peakRssMiB: rssMiB(), peakRssAfterDataMiB: rssAfterData,
    othersCpuShareFit: othersShare(s0, s1), othersCpuShareTopK: othersShare(s1, s2),
  };
}

function quality(): void {
  const noise = 0.3;
  const world = syntheticRecsys({ nUsers: 1000, nItems: 500, interactionsPerUser: 50, noise, seed: 1 });
  const { train, test } = randomSplit(world.interactions, { seed: 0 });
  console.log(`quality: synthetic, ${world.interactions.users.length} ratings (1,000 users × 500 items, rank 8, σ = ${noise}, clipped to 1–5); 80/20 random split; relevant = test rating ≥ 4`);
  const models: [string, Recommender][] = [
    ['popularity', new Popularity()],
    ['baseline (ALS biases)', new BaselineOnly()],
    ['svd (Surprise defaults)', new SVD({ seed: 0 })],
    ['svd (8 factors, 100 epochs, lr 0.01)', new SVD({ nFactors: 8, nEpochs: 100, lrAll: 0.01, seed: 0 })],
    ['svd++ (8 factors, 60 epochs, lr 0.01)', new SVDpp({ nFactors: 8, nEpochs: 60, lrAll: 0.01, seed: 0 })],
    ['knn-user basic msd', new KNNBasic()],
    ['knn-item means adjusted cosine', new KNNWithMeans({ sim: { name: 'adjusted_cosine', userBased: false } })],
    ['knn-user baseline pearson_baseline', new KNNBaseline({ sim: { name: 'pearson_baseline' } })],
    ['knn-item baseline pearson_baseline', new KNNBaseline({ sim: { name: 'pearson_baseline', userBased: false } })],
    // Implicit-feedback factor models (they rank; no rating predictions, so no RMSE), with the
    // settings of examples/recsys-compare.ts.
    ['als (8 factors, λ 10, 15 iterations)', new ALS({ factors: 8, regularization: 10, iterations: 15, seed: 0 })],
    ['bpr (32 factors, 100 epochs)', new BPR({ factors: 32, iterations: 100, seed: 0 })],
  ];
  const rows: Record<string, unknown>[] = [];
  // RMSE of the truth itself (noiseless expected rating, clipped), the floor any model can reach here.
  let sq = 0;
  for (let j = 0; j < test.users.length; j++) {
    const e = Math.min(5, Math.max(1, world.expected(test.userIds[test.users[j]!]!, test.itemIds[test.items[j]!]!)));
    sq += (e - test.ratings[j]!) ** 2;
  }
  const oracle = Math.sqrt(sq / test.users.length);
  console.log(`  oracle RMSE (planted model, clipped) ${oracle.toFixed(4)}`);
  for (const [label, m] of models) {
    const t0 = performance.now();
    m.fit(train);
    const fitS = (performance.now() - t0) / 1000;
    const r = evaluate(m, train, test, { k: 10, relevanceThreshold: 4 });
    rows.push({ model: label, fitSeconds: r4(fitS), rmse: r4(r.rmse), ndcg10: r4(r.ndcg), precision10: r4(r.precision), recall10: r4(r.recall), map10: r4(r.map), hitRate10: r4(r.hitRate), auc: r4(r.auc), coverage: r4(r.coverage) });
    console.log(`  ${label.padEnd(40)} RMSE ${r.rmse === undefined ? '   —  ' : r.rmse.toFixed(4)}  NDCG@10 ${r.ndcg!.toFixed(4)}  P@10 ${r.precision!.toFixed(4)}  AUC ${r.auc!.toFixed(4)}  fit ${fitS.toFixed(2)} s`);
  }
  // SVD's RMSE against σ as the data grows (same world shape, more users and items per rating).
  const growth: Record<string, unknown>[] = [];
  for (const [nUsers, nItems, perUser] of [[1000, 500, 50], [3000, 1500, 100], [6000, 3000, 150]] as const) {
    const w = syntheticRecsys({ nUsers, nItems, interactionsPerUser: perUser, noise, seed: 1, scale: null });
    const sp = randomSplit(w.interactions, { seed: 0 });
    const t0 = performance.now();
    const m = new SVD({ nFactors: 8, nEpochs: 60, lrAll: 0.01, seed: 0 }).fit(sp.train);
    const fitS = (performance.now() - t0) / 1000;
    const r = evaluate(m, sp.train, sp.test, { rankingMetrics: false });
    growth.push({ ratings: w.interactions.users.length, users: nUsers, items: nItems, rmse: r4(r.rmse), rmseOverSigma: r4(r.rmse! / noise), fitSeconds: r4(fitS) });
    console.log(`  SVD (8 factors, 60 epochs, lr 0.01), unclipped ratings, ${w.interactions.users.length} ratings: RMSE ${r.rmse!.toFixed(4)} = ${(r.rmse! / noise).toFixed(2)} σ (fit ${fitS.toFixed(1)} s)`);
  }
  results.quality = { noise, oracleRmse: oracle, rows, svdRmseGrowth: growth };
}

function movielens(path: string, key: string): void {
  const folds = numArg('folds', 5);
  const { data } = readInteractions(path);
  console.log(`${key}: ${data.users.length} ratings, ${data.userIds.length} users, ${data.itemIds.length} items; ${folds}-fold CV, Surprise's default parameters`);
  const out: Record<string, unknown> = {};
  for (const [name, make] of [
    ['SVD', () => new SVD({ seed: 0 })],
    ['KNNBaseline', () => new KNNBaseline()],
    ['BaselineOnly', () => new BaselineOnly()],
  ] as [string, () => Recommender][]) {
    const cv = crossValidate(make, data, { folds, rankingMetrics: false });
    const fit = cv.fitSeconds.reduce((a, b) => a + b, 0) / cv.fitSeconds.length;
    out[name] = { rmse: cv.mean.rmse, rmseStd: cv.std.rmse, mae: cv.mean.mae, maeStd: cv.std.mae, fitSecondsPerFold: fit, folds: cv.folds.map((f) => f.rmse) };
    console.log(`  ${name.padEnd(14)} RMSE ${cv.mean.rmse!.toFixed(4)} ± ${cv.std.rmse!.toFixed(4)}  MAE ${cv.mean.mae!.toFixed(4)} ± ${cv.std.mae!.toFixed(4)}  fit ${fit.toFixed(1)} s/fold`);
  }
  results[key] = out;
}

const ml = value('movielens');
const ml100k = value('ml100k');
const any = flag('scale') || flag('quality') || ml !== undefined || ml100k !== undefined;
if (flag('scale') || !any) scale();
if (flag('quality') || !any) quality();
if (ml !== undefined) movielens(ml, 'movielensSmall');
if (ml100k !== undefined) movielens(ml100k, 'ml100k');
results.loadAtEnd = machineInfo().loadAtStart;
mkdirSync(RESULTS_DIR, { recursive: true });
// Sections not run this time keep their last results (each section records its own machine load).
const file = `${RESULTS_DIR}recsys-latest.json`;
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(file, JSON.stringify({ ...previous, ...results }, null, 2) + '\n');
console.log(`wrote ${RESULTS_DIR}recsys-latest.json`);
