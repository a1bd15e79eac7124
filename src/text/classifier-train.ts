/**
 * Training a text classifier end to end: a tokenizer fitted on the training texts (or one you
 * give), a model of the zoo, label encoding (single- or multi-label), length-bucketed shuffled
 * batches, and the shared `fit` loop (progress, validation, early stopping, best checkpoint,
 * metrics.json, loss.svg). Returns a {@link TextClassificationPipeline} ready to predict and save.
 */
import { ValueError } from '../errors.js';
import { crossEntropy, binaryCrossEntropyWithLogits } from '../ops/index.js';
import { Adam, AdamW, OneCycleLR } from '../optim/index.js';
import { manualSeed } from '../tensor/random.js';
import { Generator } from '../tensor/random.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { fit, type FitResult, type EarlyStoppingOptions } from '../train/fit.js';
import { accuracy, macroF1, multiLabelReport } from '../train/metrics.js';
import type { ProgressMode, ProgressStream } from '../train/progress.js';
import { TextClassificationPipeline, padBatch } from './classifier.js';
import { LabelEncoder } from './labels.js';
import { createTextClassifier, type TextClassifierConfig, type TextClassifierKind } from './models/index.js';
import type { Tokenizer } from './tokenizer.js';
import { WordPieceTokenizer } from './wordpiece-tokenizer.js';
import { WordTokenizer } from './word-tokenizer.js';

/** Model options beyond vocabulary size and class count (kind-specific fields, see each model's config). */
export type ModelOptions = Record<string, unknown>;

/** How the tokenizer is made when none is given. */
export interface TokenizerSpec {
  /** 'word' (default): whole words, min frequency and max size; 'wordpiece': sub-words trained to `vocabSize`. */
  kind?: 'word' | 'wordpiece';
  /** Word vocabulary: drop words seen fewer times. Default 2. */
  minFreq?: number;
  /** Largest vocabulary (word: most frequent words; wordpiece: target size). Default 20000 (word), 8000 (wordpiece). */
  vocabSize?: number;
  /** Lower-case text. Default true. */
  lowercase?: boolean;
}

/** Options of {@link trainTextClassifier}. */
export interface TrainTextClassifierOptions {
  model?: TextClassifierKind;
  /** Extra model configuration (dModel, numLayers, embedDim, …). */
  modelOptions?: ModelOptions;
  /** A ready tokenizer, or how to fit one on the training texts. */
  tokenizer?: Tokenizer | TokenizerSpec;
  /** Longest input in tokens, special tokens included. Default 256. */
  maxLength?: number;
  /** Labels are lists (several per text); sigmoid outputs and binary cross-entropy. Default false. */
  multiLabel?: boolean;
  /** Label names in id order. Default: the sorted distinct training labels. */
  labelNames?: readonly string[];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /**
   * Learning-rate schedule: 'constant' (default), or 'onecycle' (PyTorch's OneCycleLR stepped per
   * batch: warm-up over the first 10% of steps to `lr`, then cosine annealing to lr/25e4).
   */
  schedule?: 'constant' | 'onecycle';
  /** AdamW weight decay (0 uses Adam). Default 0. */
  weightDecay?: number;
  /** Default 1. */
  clipGradNorm?: number;
  /** Validation texts and labels (monitored each epoch; the best epoch's weights are kept). */
  valTexts?: readonly string[];
  valLabels?: readonly string[] | readonly (readonly string[])[];
  /** What decides the best epoch. Default 'val_loss' with validation data, else 'loss'. */
  monitor?: string;
  earlyStopping?: EarlyStoppingOptions | null;
  /** Where fit writes best.safetensors, metrics.json and loss.svg. Default null. */
  outDir?: string | null;
  /** Seed of the weights and the batch order. Default 0. */
  seed?: number;
  progress?: ProgressMode;
  stream?: ProgressStream;
  /** Stop each epoch after this many batches (quick runs and tests). Default: all. */
  maxBatchesPerEpoch?: number;
  /** Group training examples of similar length into batches (less padding, faster). Default true. */
  bucketing?: boolean;
}

/** One batch: padded ids, mask, and targets (int64 class ids, or (N, C) float 0/1 for multi-label). */
export interface TextBatch {
  inputIds: Tensor;
  attentionMask: Tensor;
  targets: Tensor;
  size: number;
}

/**
 * Batches of encoded sequences, reshuffled each epoch by a seeded generator. With bucketing (the
 * default) shuffled examples are grouped in chunks of 20 batches, each chunk sorted by length and
 * cut into batches, and the batches shuffled again, to waste little compute on padding.
 */
export class TextBatches implements Iterable<TextBatch> {
  private readonly gen: Generator;
  constructor(
    private readonly seqs: readonly (readonly number[])[],
    private readonly targets: readonly number[] | readonly (readonly number[])[],
    private readonly batchSize: number,
    private readonly padId: number,
    opts: { shuffle?: boolean; seed?: number; maxBatches?: number; bucketing?: boolean } = {},
  ) {
    this.shuffle = opts.shuffle ?? true;
    this.bucketing = opts.bucketing ?? true;
    this.gen = new Generator(opts.seed ?? 0);
    this.maxBatches = opts.maxBatches ?? Infinity;
    if (seqs.length !== targets.length) throw new ValueError('TextBatches', `${seqs.length} sequences but ${targets.length} targets`);
  }
  private readonly shuffle: boolean;
  private readonly bucketing: boolean;
  private readonly maxBatches: number;

  get length(): number {
    return Math.min(this.maxBatches, Math.ceil(this.seqs.length / this.batchSize));
  }

  *[Symbol.iterator](): Iterator<TextBatch> {
    const n = this.seqs.length;
    let order = Array.from({ length: n }, (_, i) => i);
    let batches: number[][] = [];
    if (this.shuffle) {
      order = this.gen.permutation(n).map((k) => order[k]!);
      const chunk = this.bucketing ? this.batchSize * 20 : this.batchSize;
      for (let s = 0; s < n; s += chunk) {
        const part = order.slice(s, s + chunk).sort((a, b) => this.seqs[a]!.length - this.seqs[b]!.length);
        for (let b = 0; b < part.length; b += this.batchSize) batches.push(part.slice(b, b + this.batchSize));
      }
      batches = this.gen.permutation(batches.length).map((k) => batches[k]!);
    } else {
      for (let b = 0; b < n; b += this.batchSize) batches.push(order.slice(b, b + this.batchSize));
    }
    for (const idx of batches.slice(0, this.maxBatches)) yield this.make(idx);
  }

  private make(idx: number[]): TextBatch {
    const { inputIds, attentionMask } = padBatch(idx.map((i) => this.seqs[i]!), this.padId);
    const first = this.targets[0];
    let targets: Tensor;
    if (Array.isArray(first)) {
      const rows = idx.map((i) => this.targets[i] as readonly number[]);
      const C = rows[0]!.length;
      const flat = new Float32Array(rows.length * C);
      rows.forEach((r, k) => flat.set(r, k * C));
      targets = tensor(flat, { shape: [rows.length, C] });
    } else {
      targets = tensor(Int32Array.from(idx, (i) => this.targets[i] as number), { dtype: 'int64' });
    }
    return { inputIds, attentionMask, targets, size: idx.length };
  }
}

function buildTokenizer(texts: readonly string[], spec: TokenizerSpec, maxLength: number): Tokenizer {
  const lowercase = spec.lowercase ?? true;
  if ((spec.kind ?? 'word') === 'wordpiece') {
    return WordPieceTokenizer.train(texts, { vocabSize: spec.vocabSize ?? 8000, lowercase, maxLength });
  }
  return WordTokenizer.train(texts, { minFreq: spec.minFreq ?? 2, maxSize: spec.vocabSize ?? 20000, lowercase, maxLength });
}

function isTokenizer(t: Tokenizer | TokenizerSpec | undefined): t is Tokenizer {
  return typeof (t as Tokenizer | undefined)?.encode === 'function';
}

/** Result of {@link trainTextClassifier}. */
export interface TrainTextClassifierResult {
  pipeline: TextClassificationPipeline;
  fit: FitResult;
}

/**
 * Trains a text classifier on texts and labels (strings; string lists for multi-label).
 *
 * @example
 * ```ts
 * const { pipeline } = await trainTextClassifier(texts, labels, { model: 'bow', epochs: 5 });
 * pipeline.predictOne('what a lovely day').label;
 * ```
 */
export async function trainTextClassifier(
  texts: readonly string[],
  labels: readonly string[] | readonly (readonly string[])[],
  opts: TrainTextClassifierOptions = {},
): Promise<TrainTextClassifierResult> {
  const op = 'trainTextClassifier';
  if (texts.length === 0) throw new ValueError(op, 'no training texts');
  if (texts.length !== labels.length) throw new ValueError(op, `${texts.length} texts but ${labels.length} labels`);
  const multiLabel = opts.multiLabel ?? false;
  if (multiLabel !== Array.isArray(labels[0])) {
    throw new ValueError(op, multiLabel ? 'multiLabel needs a list of labels per text' : 'labels are lists: pass multiLabel: true');
  }
  const maxLength = opts.maxLength ?? 256;
  const seed = opts.seed ?? 0;
  manualSeed(seed);
  const flat = multiLabel ? (labels as readonly (readonly string[])[]).flat() : (labels as readonly string[]);
  const encoder = opts.labelNames ? new LabelEncoder(opts.labelNames) : LabelEncoder.fit(flat);
  if (encoder.size < 2) throw new ValueError(op, `need at least 2 distinct labels, got ${encoder.size} (${encoder.names.join(', ')})`);
  const tokenizer = isTokenizer(opts.tokenizer) ? opts.tokenizer : buildTokenizer(texts, opts.tokenizer ?? {}, maxLength);
  const padId = tokenizer.padId;
  if (padId === null) throw new ValueError(op, 'the tokenizer has no padding token');
  const kind = opts.model ?? 'transformer';
  const config = { kind, vocabSize: tokenizer.vocabSize, numClasses: encoder.size, paddingIdx: padId, ...(kind === 'transformer' ? { maxLength } : {}), ...(opts.modelOptions ?? {}) } as TextClassifierConfig;
  const model = createTextClassifier(config);
  const pipeline = new TextClassificationPipeline(model, tokenizer, encoder, { multiLabel, maxLength });
  const targetsOf = (ls: readonly string[] | readonly (readonly string[])[]): number[] | number[][] => (multiLabel
    ? (ls as readonly (readonly string[])[]).map((row) => {
      const v = new Array<number>(encoder.size).fill(0);
      for (const l of row) v[encoder.id(l)] = 1;
      return v;
    })
    : encoder.encode(ls as readonly string[]));
  const batchSize = opts.batchSize ?? 32;
  const trainData = new TextBatches(pipeline.encode(texts), targetsOf(labels), batchSize, padId, {
    seed, bucketing: opts.bucketing ?? true, ...(opts.maxBatchesPerEpoch !== undefined ? { maxBatches: opts.maxBatchesPerEpoch } : {}),
  });
  let valData: TextBatches | undefined;
  if (opts.valTexts && opts.valLabels) {
    if (opts.valTexts.length !== opts.valLabels.length) throw new ValueError(op, `${opts.valTexts.length} validation texts but ${opts.valLabels.length} labels`);
    valData = new TextBatches(pipeline.encode(opts.valTexts), targetsOf(opts.valLabels), 128, padId, { shuffle: false });
  }
  const lossOf = (b: TextBatch): { logits: Tensor; loss: Tensor } => {
    const logits = model.forward(b.inputIds, b.attentionMask);
    return { logits, loss: multiLabel ? binaryCrossEntropyWithLogits(logits, b.targets) : crossEntropy(logits, b.targets) };
  };
  const lr = opts.lr ?? 1e-3;
  const optimizer = (opts.weightDecay ?? 0) > 0
    ? new AdamW(model.parameters(), { lr, weightDecay: opts.weightDecay! })
    : new Adam(model.parameters(), { lr });
  const schedule = opts.schedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'onecycle') throw new ValueError(op, `schedule must be 'constant' or 'onecycle', got '${String(schedule)}'`);
  const epochs = opts.epochs ?? 5;
  const scheduler = schedule === 'onecycle'
    ? { scheduler: new OneCycleLR(optimizer, { maxLr: lr, totalSteps: epochs * trainData.length, pctStart: 0.1 }), schedulerInterval: 'batch' as const }
    : {};
  const common = {
    ...scheduler,
    model, optimizer, trainData, epochs, trainStep: (b: TextBatch) => lossOf(b).loss,
    batchSize: (b: TextBatch) => b.size, clipGradNorm: opts.clipGradNorm ?? 1, outDir: opts.outDir ?? null,
    earlyStopping: opts.earlyStopping ?? null, progress: opts.progress ?? 'auto',
    ...(opts.stream ? { stream: opts.stream } : {}), ...(opts.monitor ? { monitor: opts.monitor } : {}),
  };
  let result: FitResult;
  if (multiLabel) {
    result = await fit<TextBatch, number[]>({
      ...common,
      ...(valData ? { valData } : {}),
      evalStep: (b) => {
        const { logits, loss } = lossOf(b);
        return { loss, predictions: logits.sigmoid().ge(pipeline.threshold).float().toArray() as number[][], targets: b.targets.toArray() as number[][] };
      },
      metrics: {
        exact_match: (p, t) => multiLabelReport(p, t).accuracy,
        micro_f1: (p, t) => multiLabelReport(p, t).micro.f1,
        macro_f1: (p, t) => multiLabelReport(p, t).macro.f1,
      },
    });
  } else {
    result = await fit<TextBatch, number>({
      ...common,
      ...(valData ? { valData } : {}),
      evalStep: (b) => {
        const { logits, loss } = lossOf(b);
        return { loss, predictions: Array.from(logits.argmax(-1).dataSync(), Number), targets: Array.from(b.targets.dataSync(), Number) };
      },
      metrics: { accuracy, macro_f1: macroF1 },
    });
  }
  return { pipeline, fit: result };
}
