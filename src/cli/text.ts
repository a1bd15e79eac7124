/**
 * `tsorch train text`, and `tsorch eval` / `tsorch predict` for text classifiers: a thin shell
 * over `trainTextClassifier` and `TextClassificationPipeline` (argument parsing by node:util).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ValueError } from '../errors.js';
import { TextClassificationPipeline } from '../text/classifier.js';
import { trainTextClassifier, type TokenizerSpec } from '../text/classifier-train.js';
import { readTextClassification, type TableFormat } from '../text/readers/delimited.js';
import type { TextClassifierKind } from '../text/models/index.js';
import type { ClassificationReport } from '../train/metrics.js';
import { numberOption, progressOption, type TaskCommands } from './tasks.js';

const TRAIN_HELP = `Usage: tsorch train text --data FILE [options]

Trains a text classifier on a CSV, TSV or JSONL file and saves it to a folder that
'tsorch eval' and 'tsorch predict' read (manifest.json, model.safetensors, tokenizer.json,
plus best.safetensors, metrics.json and loss.svg from training).

Data:
  --data FILE            training data (.csv, .tsv, .jsonl; .gz allowed)
  --format F             csv | tsv | jsonl (default: from the extension)
  --text-col C           text column (default text)
  --label-col C          label column (default label)
  --multi-label          labels are lists separated by --label-sep (default '|')
  --val-data FILE        validation data (same columns)
  --split-col C          use rows whose C is 'train' for training and 'test'/'valid'/'dev' for validation
  --val-fraction F       without --val-data/--split-col: hold out this fraction (default 0.1)
  --skip-bad-rows        skip and count malformed rows instead of stopping
Model:
  --model M              transformer | bilstm | textcnn | bow (default transformer)
  --max-length N         tokens per text (default 256)
  --d-model N --layers N --heads N --ff N    transformer sizes (default 64, 2, 4, 4·d-model)
  --embed-dim N --hidden N                   bow/textcnn/bilstm sizes
  --dropout P
  --tokenizer T          word | wordpiece (default word)   --vocab-size N   --min-freq N
Training:
  --epochs N (5)  --batch-size N (32)  --lr X (1e-3)  --weight-decay X (0)  --patience N  --seed N (0)
  --out DIR              output folder (default runs/text-<model>)
  --progress P           auto | bar | lines | none`;

const EVAL_HELP = `Usage: tsorch eval --model DIR --data FILE [--text-col C] [--label-col C] [--format F]
                   [--split-col C --split VALUE] [--json]`;

const PREDICT_HELP = `Usage: tsorch predict --model DIR "some text" ["more text" …] [--file FILE (one text per line)] [--json]`;

function pickModel(v: string | undefined): TextClassifierKind {
  const kinds: TextClassifierKind[] = ['transformer', 'bilstm', 'textcnn', 'bow'];
  const m = v ?? 'transformer';
  if (!(kinds as string[]).includes(m)) throw new ValueError('--model', `expected one of ${kinds.join(', ')}, got '${m}'`);
  return m as TextClassifierKind;
}

function pickFormat(v: string | undefined): TableFormat | undefined {
  if (v === undefined) return undefined;
  if (!['csv', 'tsv', 'jsonl'].includes(v)) throw new ValueError('--format', `expected csv, tsv or jsonl, got '${v}'`);
  return v as TableFormat;
}

interface Rows {
  texts: string[];
  labels: string[];
  split: string[] | null;
}

async function readRows(path: string, v: { format?: string; textCol?: string; labelCol?: string; splitCol?: string; skip?: boolean }): Promise<Rows> {
  const format = pickFormat(v.format);
  const d = await readTextClassification(path, {
    ...(format ? { format } : {}), textColumn: v.textCol ?? 'text', labelColumn: v.labelCol ?? 'label',
    ...(v.splitCol ? { extraColumns: [v.splitCol] } : {}), onError: v.skip ? 'skip' : 'throw',
  });
  if (d.skipped > 0) console.error(`${path}: skipped ${d.skipped} malformed rows`);
  return { texts: d.texts, labels: d.labels, split: v.splitCol ? d.extras[v.splitCol]! : null };
}

function printReport(r: ClassificationReport | Omit<ClassificationReport, 'confusion'>, names: readonly string[]): void {
  console.log(`accuracy ${(r.accuracy * 100).toFixed(2)}%  macro-F1 ${r.macro.f1.toFixed(4)}  (${r.support} texts)`);
  const w = Math.max(5, ...names.map((n) => n.length));
  console.log(`${'label'.padEnd(w)}  precision  recall  f1      support`);
  r.perClass.forEach((c, i) => {
    console.log(`${names[i]!.padEnd(w)}  ${c.precision.toFixed(4).padStart(9)}  ${c.recall.toFixed(4).padStart(6)}  ${c.f1.toFixed(4)}  ${String(c.support).padStart(7)}`);
  });
  if ('confusion' in r) console.log(`confusion (rows true, columns predicted): ${JSON.stringify(r.confusion)}`);
}

async function train(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' }, format: { type: 'string' }, 'text-col': { type: 'string' }, 'label-col': { type: 'string' },
      'multi-label': { type: 'boolean' }, 'label-sep': { type: 'string' }, 'val-data': { type: 'string' }, 'split-col': { type: 'string' },
      'val-fraction': { type: 'string' }, 'skip-bad-rows': { type: 'boolean' },
      model: { type: 'string' }, 'max-length': { type: 'string' }, 'd-model': { type: 'string' }, layers: { type: 'string' },
      heads: { type: 'string' }, ff: { type: 'string' }, 'embed-dim': { type: 'string' }, hidden: { type: 'string' }, dropout: { type: 'string' },
      tokenizer: { type: 'string' }, 'vocab-size': { type: 'string' }, 'min-freq': { type: 'string' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' }, 'weight-decay': { type: 'string' },
      patience: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, progress: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  if (!values.data) {
    console.error(`tsorch train text: --data FILE is required\n\n${TRAIN_HELP}`);
    return 2;
  }
  const model = pickModel(values.model);
  const progress = progressOption(values.progress);
  const sep = values['label-sep'] ?? '|';
  const multi = values['multi-label'] ?? false;
  const cols = { textCol: values['text-col'], labelCol: values['label-col'], format: values.format, skip: values['skip-bad-rows'] ?? false } as const;
  const all = await readRows(values.data, { ...cols, ...(values['split-col'] ? { splitCol: values['split-col'] } : {}) });
  let trainRows: Rows = all;
  let valRows: Rows | null = null;
  if (values['val-data']) {
    valRows = await readRows(values['val-data'], cols);
  } else if (all.split) {
    const pick = (keep: (s: string) => boolean): Rows => {
      const idx = all.split!.flatMap((s, i) => (keep(s.trim().toLowerCase()) ? [i] : []));
      return { texts: idx.map((i) => all.texts[i]!), labels: idx.map((i) => all.labels[i]!), split: null };
    };
    trainRows = pick((s) => s === 'train');
    valRows = pick((s) => ['test', 'valid', 'validation', 'val', 'dev'].includes(s));
    if (trainRows.texts.length === 0) throw new ValueError('--split-col', `no rows have '${values['split-col']}' = train`);
  } else {
    const frac = numberOption(values['val-fraction'], 'val-fraction') ?? 0.1;
    if (frac > 0) {
      const { stratifiedSplit } = await import('../text/datasets/split.js');
      const { LabelEncoder } = await import('../text/labels.js');
      const ids = LabelEncoder.fit(all.labels).encode(all.labels);
      const { train: tr, test: te } = stratifiedSplit(ids, frac, numberOption(values.seed, 'seed', true) ?? 0);
      const sub = (idx: number[]): Rows => ({ texts: idx.map((i) => all.texts[i]!), labels: idx.map((i) => all.labels[i]!), split: null });
      trainRows = sub(tr);
      valRows = sub(te);
    }
  }
  const asLabels = (ls: string[]): string[] | string[][] => (multi ? ls.map((l) => l.split(sep).map((x) => x.trim()).filter((x) => x !== '')) : ls);
  const modelOptions: Record<string, unknown> = {};
  const set = (key: string, v: number | undefined): void => { if (v !== undefined) modelOptions[key] = v; };
  if (model === 'transformer') {
    const dModel = numberOption(values['d-model'], 'd-model', true) ?? 64;
    modelOptions.dModel = dModel;
    modelOptions.numLayers = numberOption(values.layers, 'layers', true) ?? 2;
    modelOptions.nhead = numberOption(values.heads, 'heads', true) ?? 4;
    modelOptions.dimFeedforward = numberOption(values.ff, 'ff', true) ?? 4 * dModel;
  } else {
    set('embedDim', numberOption(values['embed-dim'], 'embed-dim', true));
    if (model === 'bilstm') set('hiddenSize', numberOption(values.hidden, 'hidden', true));
    if (model === 'textcnn') set('numFilters', numberOption(values.hidden, 'hidden', true));
  }
  set('dropout', numberOption(values.dropout, 'dropout'));
  const tokenizer: TokenizerSpec = { kind: values.tokenizer === 'wordpiece' ? 'wordpiece' : 'word' };
  if (values.tokenizer !== undefined && !['word', 'wordpiece'].includes(values.tokenizer)) throw new ValueError('--tokenizer', `expected word or wordpiece, got '${values.tokenizer}'`);
  const vocab = numberOption(values['vocab-size'], 'vocab-size', true);
  const minFreq = numberOption(values['min-freq'], 'min-freq', true);
  if (vocab !== undefined) tokenizer.vocabSize = vocab;
  if (minFreq !== undefined) tokenizer.minFreq = minFreq;
  const out = values.out ?? join('runs', `text-${model}`);
  const patience = numberOption(values.patience, 'patience', true);
  const weightDecay = numberOption(values['weight-decay'], 'weight-decay');
  const started = performance.now();
  console.log(`training ${model} on ${trainRows.texts.length} texts${valRows ? `, validating on ${valRows.texts.length}` : ''} → ${out}`);
  const { pipeline, fit: result } = await trainTextClassifier(trainRows.texts, asLabels(trainRows.labels), {
    model, modelOptions, tokenizer, multiLabel: multi, outDir: out,
    maxLength: numberOption(values['max-length'], 'max-length', true) ?? 256,
    epochs: numberOption(values.epochs, 'epochs', true) ?? 5,
    batchSize: numberOption(values['batch-size'], 'batch-size', true) ?? 32,
    lr: numberOption(values.lr, 'lr') ?? 1e-3,
    seed: numberOption(values.seed, 'seed', true) ?? 0,
    progress,
    ...(weightDecay !== undefined ? { weightDecay } : {}),
    ...(patience !== undefined ? { earlyStopping: { patience } } : {}),
    ...(valRows ? { valTexts: valRows.texts, valLabels: asLabels(valRows.labels) } : {}),
  });
  const info: Record<string, unknown> = { data: values.data, trainTexts: trainRows.texts.length, bestEpoch: result.bestEpoch, seconds: (performance.now() - started) / 1000 };
  if (valRows && valRows.texts.length > 0) {
    const report = pipeline.evaluate(valRows.texts, asLabels(valRows.labels));
    console.log(`validation (best epoch ${result.bestEpoch}):`);
    printReport(report, pipeline.labels.names);
    info.validation = { accuracy: report.accuracy, macroF1: report.macro.f1, texts: report.support };
    await writeFile(join(out, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  await pipeline.save(out, info);
  console.log(`saved ${out}/ (manifest.json, model.safetensors, tokenizer.json, metrics.json, loss.svg) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`try: tsorch predict --model ${out} "some text"`);
  return 0;
}

async function evaluateCmd(dir: string, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' }, format: { type: 'string' }, 'text-col': { type: 'string' }, 'label-col': { type: 'string' },
      'split-col': { type: 'string' }, split: { type: 'string' }, 'label-sep': { type: 'string' }, 'skip-bad-rows': { type: 'boolean' },
      json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  if (!values.data) {
    console.error(`tsorch eval: --data FILE is required for a text model\n\n${EVAL_HELP}`);
    return 2;
  }
  const pipeline = await TextClassificationPipeline.load(dir);
  let rows = await readRows(values.data, {
    textCol: values['text-col'], labelCol: values['label-col'], format: values.format, skip: values['skip-bad-rows'] ?? false,
    ...(values['split-col'] ? { splitCol: values['split-col'] } : {}),
  });
  if (rows.split && values.split !== undefined) {
    const idx = rows.split.flatMap((s, i) => (s === values.split ? [i] : []));
    rows = { texts: idx.map((i) => rows.texts[i]!), labels: idx.map((i) => rows.labels[i]!), split: null };
  }
  const sep = values['label-sep'] ?? '|';
  const labels = pipeline.multiLabel ? rows.labels.map((l) => l.split(sep).map((x) => x.trim()).filter((x) => x !== '')) : rows.labels;
  const report = pipeline.evaluate(rows.texts, labels);
  if (values.json) console.log(JSON.stringify({ accuracy: report.accuracy, macroF1: report.macro.f1, report }, null, 2));
  else printReport(report, pipeline.labels.names);
  return 0;
}

async function predict(dir: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { file: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(PREDICT_HELP);
    return 0;
  }
  const texts = [...positionals];
  if (values.file) texts.push(...(await readFile(values.file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== ''));
  if (texts.length === 0) {
    console.error(`tsorch predict: give texts to classify\n\n${PREDICT_HELP}`);
    return 2;
  }
  const pipeline = await TextClassificationPipeline.load(dir);
  const preds = pipeline.predict(texts);
  if (values.json) {
    console.log(JSON.stringify(preds.map((p, i) => ({ text: texts[i], ...p })), null, 2));
  } else {
    preds.forEach((p, i) => {
      const shown = pipeline.multiLabel ? `${p.labels.join('|') || '(none)'}\t${p.labels.map((l) => p.scores[l]!.toFixed(4)).join('|')}` : `${p.label}\t${p.score.toFixed(4)}`;
      console.log(`${shown}\t${texts[i]!.length > 60 ? `${texts[i]!.slice(0, 57)}…` : texts[i]}`);
    });
  }
  return 0;
}

export const commands: TaskCommands = { train, evaluate: evaluateCmd, predict };
