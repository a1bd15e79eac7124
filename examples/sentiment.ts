/**
 * Sentiment analysis of Amazon fine-food reviews ('great' vs 'other'): trains text classifiers
 * from tsorch's zoo with the shared `fit` loop, compares them on the file's test split with
 * TF-IDF baselines (logistic regression and naive Bayes), saves the best model, and shows the
 * ready `sentiment(text) → { label, score }` function.
 *
 * Data: `small_fine_foods` of the R package modeldata (4,000 train + 1,000 test reviews from SNAP's
 * Amazon Fine Foods), as a CSV with columns split,product,review,score. On Debian:
 * `apt-get download r-cran-modeldata`, `dpkg -x`, then in R
 * `e <- new.env(); lazyLoad("<dir>/modeldata/data/Rdata", envir = e);
 *  write.csv(rbind(cbind(split = "train", e$small_fine_foods$training_data),
 *                  cbind(split = "test", e$small_fine_foods$testing_data)), "fine_foods.csv", row.names = FALSE)`
 * (gzip it or not). Pass the file's path.
 *
 * Run: node build/examples/sentiment.js fine_foods.csv.gz [--models textcnn,bow,bilstm,transformer]
 *        [--epochs N] [--out DIR] [--small]   (--small: 400 reviews, tiny models, for CI)
 */
import { existsSync } from 'node:fs';
import {
  LogisticRegression, MultinomialNB, readTextClassification, sentimentFrom, stratifiedSplit, TfidfVectorizer,
  trainTextClassifier, type TextClassifierKind,
} from 'tsorch/text';
import { classificationReport } from 'tsorch/train';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const small = args.includes('--small') ? (args.splice(args.indexOf('--small'), 1), true) : false;
const models = (flag('--models') ?? (small ? 'bow' : 'textcnn,bow')).split(',') as TextClassifierKind[];
const epochsArg = flag('--epochs');
const out = flag('--out') ?? 'runs/sentiment';
const [path] = args;
if (path === undefined || !existsSync(path)) {
  console.error(`usage: node build/examples/sentiment.js fine_foods.csv[.gz] [--models textcnn,bow] [--epochs N] [--out DIR]
${path === undefined ? 'no data file given' : `no such file: ${path}`} — see the comment at the top of examples/sentiment.ts for how to export it from R's modeldata`);
  process.exit(2);
}

const started = performance.now();
const data = await readTextClassification(path, { textColumn: 'review', labelColumn: 'score', extraColumns: ['split'] });
const clean = (t: string): string => t.replace(/<br\s*\/?>/gi, ' ');
let rows = data.texts.map((t, i) => ({ text: clean(t), label: data.labels[i]!, split: data.extras.split![i]! }));
if (small) rows = [...rows.filter((r) => r.split === 'train').slice(0, 320), ...rows.filter((r) => r.split === 'test').slice(0, 80)];
const trainAll = rows.filter((r) => r.split === 'train');
const test = rows.filter((r) => r.split === 'test');
const names = [...new Set(trainAll.map((r) => r.label))].sort();
const id = (l: string): number => names.indexOf(l);
// 10% of the training reviews pick the best epoch; the test split is only used for the final scores.
const { train: trIdx, test: valIdx } = stratifiedSplit(trainAll.map((r) => id(r.label)), 0.1, 0);
const train = trIdx.map((i) => trainAll[i]!);
const val = valIdx.map((i) => trainAll[i]!);
console.log(`${path}: ${train.length} train, ${val.length} validation, ${test.length} test reviews; labels ${names.join(', ')}`);
const testY = test.map((r) => id(r.label));
const results: { name: string; accuracy: number; macroF1: number; seconds: number }[] = [];
const report = (name: string, preds: number[], t0: number): void => {
  const r = classificationReport(preds, testY, names.length);
  results.push({ name, accuracy: r.accuracy, macroF1: r.macro.f1, seconds: (performance.now() - t0) / 1000 });
  console.log(`${name.padEnd(34)} test accuracy ${(r.accuracy * 100).toFixed(2)}%  macro-F1 ${r.macro.f1.toFixed(4)}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
};

// Baselines on TF-IDF of uni- and bi-grams (negations such as "not good" matter for sentiment).
let t0 = performance.now();
const tfidf = new TfidfVectorizer({ sublinearTf: true, minDf: 2, ngramRange: [1, 2] });
const Xtr = tfidf.fitTransform(trainAll.map((r) => r.text));
const Xte = tfidf.transform(test.map((r) => r.text));
const yTr = trainAll.map((r) => id(r.label));
report('TF-IDF + logistic regression', LogisticRegression.fit(Xtr, yTr, tfidf.numFeatures, { l2: 1e-4 }).predict(Xte), t0);
t0 = performance.now();
report('TF-IDF + multinomial naive Bayes', MultinomialNB.fit(Xtr, yTr, tfidf.numFeatures, { alpha: 0.1 }).predict(Xte), t0);

const sizes: Record<TextClassifierKind, Record<string, unknown>> = {
  bow: { embedDim: small ? 16 : 64, dropout: 0.2 },
  textcnn: { embedDim: small ? 16 : 64, numFilters: small ? 16 : 64, kernelSizes: [2, 3, 4], dropout: 0.3 },
  bilstm: { embedDim: small ? 16 : 64, hiddenSize: small ? 16 : 64, dropout: 0.3 },
  transformer: { dModel: small ? 16 : 64, numLayers: 1, nhead: 4, dimFeedforward: small ? 32 : 128, dropout: 0.1 },
};
let best: { macroF1: number; kind: TextClassifierKind; pipeline: Awaited<ReturnType<typeof trainTextClassifier>>['pipeline'] } | null = null;
for (const kind of models) {
  t0 = performance.now();
  const epochs = Number(epochsArg ?? (small ? 4 : kind === 'bow' ? 8 : 4));
  const { pipeline, fit } = await trainTextClassifier(train.map((r) => r.text), train.map((r) => r.label), {
    model: kind, modelOptions: sizes[kind], labelNames: names, maxLength: 128, epochs, batchSize: 32,
    lr: (kind === 'bow' ? 5e-3 : 2e-3) * (small ? 4 : 1), schedule: 'onecycle', weightDecay: 1e-2, tokenizer: { minFreq: 2, vocabSize: 20000 },
    valTexts: val.map((r) => r.text), valLabels: val.map((r) => r.label), monitor: 'val_macro_f1', outDir: `${out}-${kind}`, progress: 'auto',
  });
  const preds = pipeline.probabilities(test.map((r) => r.text)).map((p) => p.indexOf(Math.max(...p)));
  report(`${kind} (tsorch, ${epochs} epochs, best ${fit.bestEpoch})`, preds, t0);
  const f1 = results.at(-1)!.macroF1;
  if (best === null || f1 > best.macroF1) best = { macroF1: f1, kind, pipeline };
}

if (best !== null) {
  await best.pipeline.save(out, { dataset: path, test: results });
  const sentiment = sentimentFrom(best.pipeline);
  console.log(`\nsaved the ${best.kind} model to ${out}/ — load it with loadSentiment('${out}')`);
  for (const text of ['Absolutely delicious, my kids love these and I reorder every month.', 'Stale, tasteless and overpriced. Would not buy again.']) {
    const s = sentiment(text);
    console.log(`sentiment(${JSON.stringify(text)}) → { label: '${s.label}', score: ${s.score.toFixed(3)} }`);
  }
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
