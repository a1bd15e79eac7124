/**
 * `tsorch train recsys`, `tsorch recommend`, `tsorch similar`, and `tsorch eval` / `tsorch predict`
 * for recommenders: a thin shell over `tsorch/recsys` (argument parsing by node:util).
 */
import { parseArgs } from 'node:util';
import { ValueError } from '../errors.js';
import { ALS } from '../recsys/als.js';
import { BaselineOnly, GlobalMean, Popularity } from '../recsys/baselines.js';
import { BPR } from '../recsys/bpr.js';
import { ContentBased } from '../recsys/content.js';
import { evaluate, type EvaluationReport } from '../recsys/evaluate.js';
import { isItemSimilarity } from '../recsys/explain.js';
import type { SavableRecommender } from '../recsys/hybrid.js';
import { SwitchingHybrid } from '../recsys/hybrid.js';
import { readInteractions, readItemContent, type DuplicatePolicy, type ReadInteractionsOptions } from '../recsys/io.js';
import { KNNBaseline, KNNBasic, KNNWithMeans } from '../recsys/knn.js';
import { LightFM } from '../recsys/lightfm.js';
import { NCF } from '../recsys/ncf.js';
import { loadRecommender, saveRecommender } from '../recsys/persist.js';
import type { SimilarityName } from '../recsys/similarity.js';
import { leaveLastOut, randomSplit } from '../recsys/split.js';
import { SVD, SVDpp } from '../recsys/svd.js';
import type { Interactions, ItemContent } from '../recsys/types.js';
import { numberOption, type TaskCommands } from './tasks.js';

const ALGOS = ['svd', 'svdpp', 'knn-user', 'knn-item', 'baseline', 'global-mean', 'popularity', 'als', 'bpr', 'ncf', 'content', 'hybrid', 'lightfm'] as const;
type Algo = (typeof ALGOS)[number];

const DATA_HELP = `Data:
  --data FILE            interactions: user item [rating [timestamp]] rows (.csv .tsv .dat, .gz allowed)
  --sep S                separator: , ; | tab :: whitespace (default: guessed from the first line)
  --header / --no-header first row names the columns (default: detected)
  --user-col C --item-col C --rating-col C --time-col C   columns by name or 0-based index
  --implicit             implicit feedback (no rating column needed; ratings are weights)
  --duplicates P         repeated (user, item): last | first | mean | sum | error (default last)
  --skip-bad-rows        skip and count malformed rows instead of stopping`;

const TRAIN_HELP = `Usage: tsorch train recsys --data FILE [options]

Trains a recommender, reports held-out metrics, and saves it to a folder (manifest.json, model.json)
that 'tsorch recommend', 'tsorch similar', 'tsorch eval' and 'tsorch predict' read.

${DATA_HELP}
  --items FILE           item metadata (id, title/text, genres/categories) for content, hybrid, lightfm
Split (metrics on the held-out part; the saved model is fitted on the training part):
  --split S              random | last (per-user leave-last-out by timestamp) | none (default random)
  --test-fraction F      random split share (default 0.2)
Algorithm:
  --algo A               ${ALGOS.join(' | ')} (default svd)
  --factors N            latent factors (svd 100, svdpp 20, als/bpr 100, ncf 8, lightfm 10)
  --epochs N             epochs / iterations (each algorithm's default)
  --lr X --reg X         learning rate and regularisation (svd, svdpp, bpr)
  --neighbors N          k of the k-NN models (default 40)
  --sim S                k-NN similarity: msd | cosine | pearson | pearson_baseline | adjusted_cosine (default pearson_baseline)
  --knn V                k-NN variant: basic | means | baseline (default baseline)
  --seed N               seed (default 0)
Evaluation and output:
  -k N                   list length of the ranking metrics (default 10)
  --threshold X          explicit data: relevant when rating >= X (default 3.5)
  --out DIR              output folder (default runs/recsys-<algo>)
  --json                 print the metrics as JSON`;

const EVAL_HELP = `Usage: tsorch eval --model DIR --data FILE [data options] [-k 10] [--threshold X] [--json]

Scores a saved recommender on held-out interactions: RMSE/MAE (rating models) and precision,
recall, NDCG, MAP, hit rate at k, AUC and coverage, excluding the model's training items.

${DATA_HELP}`;

const PREDICT_HELP = `Usage: tsorch predict --model DIR --user U --item I [--item I2 …] [--json]`;
const RECOMMEND_HELP = `Usage: tsorch recommend --model DIR --user U [-k 10] [--include-seen] [--json]
       tsorch recommend --model DIR --history ITEM[:WEIGHT],... [-k 10] [--include-seen] [--ignore-unknown] [--json]

--history recommends for a user who is not in the training data, from the items they interacted
with (an als model folds them in: it solves the user's factors against the learned item factors);
--ignore-unknown skips history items the model never saw instead of failing.`;
const SIMILAR_HELP = `Usage: tsorch similar --model DIR --item I [-k 10] [--json]`;

const column = (v: string | undefined): string | number | undefined => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);

const dataOptions = {
  data: { type: 'string' }, sep: { type: 'string' }, header: { type: 'boolean' }, 'no-header': { type: 'boolean' },
  'user-col': { type: 'string' }, 'item-col': { type: 'string' }, 'rating-col': { type: 'string' }, 'time-col': { type: 'string' },
  implicit: { type: 'boolean' }, duplicates: { type: 'string' }, 'skip-bad-rows': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type DataValues = { [K in keyof typeof dataOptions]?: (typeof dataOptions)[K]['type'] extends 'string' ? string : boolean };

function readData(v: DataValues, what: string): { data: Interactions; note: string } {
  if (v.data === undefined) throw new ValueError(what, '--data FILE is required');
  const policies: DuplicatePolicy[] = ['last', 'first', 'mean', 'sum', 'error'];
  const dup = (v.duplicates ?? 'last') as DuplicatePolicy;
  if (!policies.includes(dup)) throw new ValueError('--duplicates', `expected one of ${policies.join(', ')}, got '${v.duplicates}'`);
  const opts: ReadInteractionsOptions = {
    header: v['no-header'] ? false : v.header ? true : 'auto', implicit: v.implicit ?? false, duplicates: dup, onError: v['skip-bad-rows'] ? 'skip' : 'throw',
    columns: { user: column(v['user-col']), item: column(v['item-col']), rating: column(v['rating-col']), timestamp: column(v['time-col']) },
  };
  if (v.sep !== undefined) opts.separator = v.sep === 'tab' ? '\t' : v.sep;
  const r = readInteractions(v.data, opts);
  const note = `${r.data.users.length} interactions, ${r.data.userIds.length} users, ${r.data.itemIds.length} items` +
    (r.skipped > 0 ? `, ${r.skipped} malformed rows skipped (first: ${r.problems[0]})` : '') + (r.duplicates > 0 ? `, ${r.duplicates} duplicate pairs merged (${dup})` : '');
  return { data: r.data, note };
}

function makeModel(algo: Algo, v: Record<string, string | boolean | undefined>, content: Map<string, ItemContent> | null, implicit: boolean): SavableRecommender {
  const s = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const factors = numberOption(s('factors'), 'factors', true);
  const epochs = numberOption(s('epochs'), 'epochs', true);
  const lr = numberOption(s('lr'), 'lr');
  const reg = numberOption(s('reg'), 'reg');
  const seed = numberOption(s('seed'), 'seed', true) ?? 0;
  const def = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  const needContent = (): Map<string, ItemContent> => {
    if (!content) throw new ValueError('--algo', `'${algo}' needs item metadata: pass --items FILE (id, title/text, genres/categories)`);
    return content;
  };
  switch (algo) {
    case 'svd': return new SVD(def({ nFactors: factors, nEpochs: epochs, lrAll: lr, regAll: reg, seed }));
    case 'svdpp': return new SVDpp(def({ nFactors: factors, nEpochs: epochs, lrAll: lr, regAll: reg, seed }));
    case 'baseline': return new BaselineOnly(def({ nEpochs: epochs }));
    case 'global-mean': return new GlobalMean();
    case 'popularity': return new Popularity();
    case 'knn-user':
    case 'knn-item': {
      const sims: SimilarityName[] = ['msd', 'cosine', 'pearson', 'pearson_baseline', 'adjusted_cosine'];
      const name = (s('sim') ?? 'pearson_baseline') as SimilarityName;
      if (!sims.includes(name)) throw new ValueError('--sim', `expected one of ${sims.join(', ')}, got '${name}'`);
      const o = def({ k: numberOption(s('neighbors'), 'neighbors', true), sim: { name, userBased: algo === 'knn-user' } });
      const variant = s('knn') ?? 'baseline';
      if (variant === 'basic') return new KNNBasic(o);
      if (variant === 'means') return new KNNWithMeans(o);
      if (variant === 'baseline') return new KNNBaseline(o);
      throw new ValueError('--knn', `expected basic, means or baseline, got '${variant}'`);
    }
    case 'als': return new ALS(def({ factors, iterations: epochs, regularization: reg, seed }));
    case 'bpr': return new BPR(def({ factors, iterations: epochs, learningRate: lr, regularization: reg, seed }));
    case 'ncf': return new NCF(def({ factors, epochs, learningRate: lr, seed, task: implicit ? 'implicit' as const : 'explicit' as const }));
    case 'content': return new ContentBased(needContent());
    case 'lightfm': return new LightFM(def({ components: factors, epochs, learningRate: lr, seed, itemContent: needContent() }));
    case 'hybrid': {
      // Switching hybrid: a CF model for warm users and items, content for cold ones.
      const cf: SavableRecommender = implicit ? new ALS(def({ factors, iterations: epochs, seed })) : new SVD(def({ nFactors: factors, nEpochs: epochs, lrAll: lr, regAll: reg, seed }));
      return new SwitchingHybrid(cf, new ContentBased(needContent()));
    }
  }
}

function fmt(r: EvaluationReport): string {
  const parts: string[] = [];
  if (r.rmse !== undefined) parts.push(`RMSE ${r.rmse.toFixed(4)}`, `MAE ${r.mae!.toFixed(4)}`, `(${r.ratings} ratings)`);
  const k = r.k;
  if (r.ndcg !== undefined) {
    parts.push(`P@${k} ${r.precision!.toFixed(4)}`, `R@${k} ${r.recall!.toFixed(4)}`, `NDCG@${k} ${r.ndcg.toFixed(4)}`, `MAP@${k} ${r.map!.toFixed(4)}`, `HR@${k} ${r.hitRate!.toFixed(4)}`);
    if (r.auc !== undefined) parts.push(`AUC ${r.auc.toFixed(4)}`);
    if (r.coverage !== undefined) parts.push(`coverage ${r.coverage.toFixed(4)}`);
    parts.push(`(${r.users} users)`);
  }
  return parts.join('  ');
}

function metricsOf(r: EvaluationReport): Record<string, number> {
  return Object.fromEntries(Object.entries(r).filter(([, x]) => typeof x === 'number')) as Record<string, number>;
}

async function train(args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: {
      ...dataOptions, items: { type: 'string' }, split: { type: 'string' }, 'test-fraction': { type: 'string' }, algo: { type: 'string' },
      factors: { type: 'string' }, epochs: { type: 'string' }, lr: { type: 'string' }, reg: { type: 'string' }, neighbors: { type: 'string' },
      sim: { type: 'string' }, knn: { type: 'string' }, seed: { type: 'string' }, k: { type: 'string', short: 'k' }, threshold: { type: 'string' },
      out: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (v.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const algo = (v.algo ?? 'svd') as Algo;
  if (!(ALGOS as readonly string[]).includes(algo)) throw new ValueError('--algo', `expected one of ${ALGOS.join(', ')}, got '${v.algo}'`);
  const { data, note } = readData(v, 'tsorch train recsys');
  const content = v.items !== undefined ? readItemContent(v.items) : null;
  const seed = numberOption(v.seed, 'seed', true) ?? 0;
  const split = v.split ?? 'random';
  let trainSet = data;
  let testSet: Interactions | null = null;
  if (split === 'random') ({ train: trainSet, test: testSet } = randomSplit(data, { testFraction: numberOption(v['test-fraction'], 'test-fraction') ?? 0.2, seed }));
  else if (split === 'last') ({ train: trainSet, test: testSet } = leaveLastOut(data));
  else if (split !== 'none') throw new ValueError('--split', `expected random, last or none, got '${split}'`);
  const model = makeModel(algo, v, content, data.implicit);
  const log = v.json ? () => {} : (s: string) => console.log(s);
  log(`data: ${note}`);
  const t0 = performance.now();
  model.fit(trainSet);
  const fitSeconds = (performance.now() - t0) / 1000;
  log(`fitted ${model.name} on ${trainSet.users.length} interactions in ${fitSeconds.toFixed(2)} s`);
  let report: EvaluationReport | null = null;
  if (testSet && testSet.users.length > 0) {
    const k = numberOption(v.k, 'k', true) ?? 10;
    const threshold = numberOption(v.threshold, 'threshold');
    report = evaluate(model, trainSet, testSet, threshold === undefined ? { k } : { k, relevanceThreshold: threshold });
    log(`held-out (${split}): ${fmt(report)}`);
  }
  const out = v.out ?? `runs/recsys-${algo}`;
  saveRecommender(out, model, {
    algo, implicit: data.implicit, users: trainSet.userIds.length, items: trainSet.itemIds.length, interactions: trainSet.users.length,
    ...(report ? { metrics: metricsOf(report) } : {}), info: { data: v.data, split, fitSeconds, ...(v.items ? { items: v.items } : {}) },
  });
  log(`saved to ${out}`);
  if (v.json) console.log(JSON.stringify({ out, fitSeconds, metrics: report ? metricsOf(report) : null }));
  return 0;
}

async function evaluateCmd(dir: string, args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, strict: true, options: { ...dataOptions, k: { type: 'string', short: 'k' }, threshold: { type: 'string' }, json: { type: 'boolean' } } });
  if (v.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const { model, seen } = loadRecommender(dir);
  const { data } = readData(v, 'tsorch eval');
  // Ranking metrics exclude training items through the model's own seen index; `seen` provides the catalogue.
  const train = seen ?? data;
  const test: Interactions = { ...data, implicit: data.implicit };
  const k = numberOption(v.k, 'k', true) ?? 10;
  const threshold = numberOption(v.threshold, 'threshold');
  const report = evaluate(model, train, test, threshold === undefined ? { k } : { k, relevanceThreshold: threshold });
  console.log(v.json ? JSON.stringify(metricsOf(report)) : fmt(report));
  return 0;
}

async function predictCmd(dir: string, args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, strict: true, options: { user: { type: 'string' }, item: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (v.help || v.user === undefined || !v.item || v.item.length === 0) {
    console.log(PREDICT_HELP);
    return v.help ? 0 : 2;
  }
  const { model } = loadRecommender(dir);
  const out = v.item.map((item) => ({ user: v.user!, item, score: model.predict(v.user!, item) }));
  if (v.json) console.log(JSON.stringify(out));
  else for (const p of out) console.log(`${p.user}\t${p.item}\t${p.score.toFixed(4)}`);
  return 0;
}

function modelDir(v: { model?: string }, usage: string): string {
  if (v.model === undefined) throw new ValueError(usage.split(' ')[1] ?? 'tsorch', `--model DIR is required\n${usage}`);
  return v.model;
}

/** `tsorch recommend --model DIR (--user U | --history I[:W],...) [-k 10] [--include-seen] [--ignore-unknown] [--json]` */
export async function recommend(args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args, strict: true,
    options: {
      model: { type: 'string' }, user: { type: 'string' }, history: { type: 'string' }, k: { type: 'string', short: 'k' },
      'include-seen': { type: 'boolean' }, 'ignore-unknown': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help || (v.user === undefined) === (v.history === undefined)) {
    console.log(RECOMMEND_HELP);
    return v.help ? 0 : 2;
  }
  const { model, seen } = loadRecommender(modelDir(v, RECOMMEND_HELP));
  const k = numberOption(v.k, 'k', true) ?? 10;
  if (v.history !== undefined) {
    if (!(model instanceof ALS)) throw new ValueError('tsorch recommend', `--history needs an als model (fold-in of a new user); this one is ${model.name}`);
    const history = parseHistory(v.history);
    const items = model.recommendFor(history, k, { excludeSeen: !v['include-seen'], ignoreUnknown: v['ignore-unknown'] === true });
    if (v.json) console.log(JSON.stringify({ history, items }));
    else for (const s of items) console.log(`${s.item}\t${s.score.toFixed(4)}`);
    return 0;
  }
  const user = v.user!;
  const list = model.recommend(user, k, { excludeSeen: !v['include-seen'] });
  const known = seen ? seen.userIndex.has(user) : true;
  if (v.json) console.log(JSON.stringify({ user, known, items: list }));
  else {
    if (!known) console.log(`# user '${user}' is not in the training data: cold-start fallback of ${model.name}`);
    for (const s of list) console.log(`${s.item}\t${s.score.toFixed(4)}`);
  }
  return 0;
}

/** `item[:weight],...` → the history ALS.recommendFor takes (weight 1 when omitted). */
function parseHistory(text: string): { item: string; weight: number }[] {
  return text.split(',').filter((p) => p.trim() !== '').map((part) => {
    const at = part.lastIndexOf(':');
    const item = (at < 0 ? part : part.slice(0, at)).trim();
    const weight = at < 0 ? 1 : Number(part.slice(at + 1));
    if (item === '' || !(weight > 0)) throw new ValueError('--history', `expects item[:weight] entries with positive weights separated by commas, got '${part}'`);
    return { item, weight };
  });
}

/** `tsorch similar --model DIR --item I [-k 10] [--json]` */
export async function similar(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, strict: true, options: { model: { type: 'string' }, item: { type: 'string' }, k: { type: 'string', short: 'k' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (v.help || v.item === undefined) {
    console.log(SIMILAR_HELP);
    return v.help ? 0 : 2;
  }
  const { model } = loadRecommender(modelDir(v, SIMILAR_HELP));
  if (!isItemSimilarity(model)) throw new ValueError('tsorch similar', `a ${model.name} model has no item similarity (use svd, svdpp, knn-user, knn-item, als, bpr, ncf, content or lightfm)`);
  const list = model.similarItems(v.item, numberOption(v.k, 'k', true) ?? 10);
  if (v.json) console.log(JSON.stringify({ item: v.item, items: list }));
  else {
    if (list.length === 0) console.log(`# item '${v.item}' is unknown to the model`);
    for (const s of list) console.log(`${s.item}\t${s.score.toFixed(4)}`);
  }
  return 0;
}

export const commands: TaskCommands = { train, evaluate: evaluateCmd, predict: predictCmd };
