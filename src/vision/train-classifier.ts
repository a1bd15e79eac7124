/**
 * Image classification end to end, the engine of `tsorch train image`: data (Fashion-MNIST,
 * MNIST or an ImageFolder), a validation split, preprocessing and augmentation, a model by name,
 * Adam with a 1cycle or cosine schedule, the shared `fit` loop (progress, validation, early
 * stopping, best checkpoint, metrics.json, loss and metric curves), then the saved classifier
 * (model.safetensors + manifest.json) and classification reports (JSON + confusion-matrix SVG)
 * on the validation data and, for the MNIST-style datasets, on the test split.
 */
import { join } from 'node:path';
import { DataLoader, randomSplit } from '../data/index.js';
import { manualSeed, nn, optim, ValueError, type Tensor } from '../index.js';
import { accuracy, argmaxList, evaluate, fit, writeClassificationReport, type FitResult, type NamedClassificationReport, type ProgressMode, type ProgressStream } from '../train/index.js';
import { saveImageClassifier, type ImageClassifierManifest } from './classifier.js';
import { channelStats, openImageData, PreprocessedImages, preprocessor, type LabelledImages, type Preprocessing } from './image-data.js';
import { buildImageModel, type ImageModel, type ImageModelName, type ImageModelSpec } from './models/registry.js';

const F = nn.functional;

/** Options of {@link trainImageClassifier}. */
export interface TrainImageOptions {
  /** 'fashion-mnist', 'mnist' (with `root`) or an ImageFolder path. */
  data: string;
  /** Folder of the IDX files for 'fashion-mnist' / 'mnist'. */
  root?: string;
  model: ImageModelName;
  /** Extra constructor options of the model (numClasses, inChannels and inputSize are set from the data). */
  modelOptions?: Record<string, unknown>;
  epochs: number;
  /** Default 64. */
  batchSize?: number;
  /**
   * 'adam' (default; AdamW when weightDecay > 0) or 'sgd' (momentum 0.9, Nesterov, L2 weight
   * decay as torch.optim.SGD's; with the 1cycle schedule the momentum cycles 0.95 → 0.85 → 0.95).
   */
  optimizer?: 'adam' | 'sgd';
  /** Peak learning rate. Adam: default 1e-3 (2e-3 with the 1cycle schedule); SGD: 0.05 (0.1 with 1cycle). */
  lr?: number;
  /** Adam: decoupled weight decay (AdamW); SGD: L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** 'onecycle' (default), 'cosine' (per epoch) or 'constant'. */
  schedule?: 'onecycle' | 'cosine' | 'constant';
  /** Random crops (padding size/14 pixels, 2 for 28×28) and horizontal flips while training. Default false. */
  augment?: boolean;
  /** Fraction of the training images held out for validation. Default 0.1; 0: no validation. */
  valSplit?: number;
  /** Resize (shorter side) and center-crop every image to this size. Default: none, images must share one size. */
  imageSize?: number;
  /** Colour mode: 'L' (grey, 1 channel) or 'RGB'. Default: 'L' for the MNIST-style data, else 'RGB'. */
  mode?: 'L' | 'RGB';
  /** Use only the first `limit` training images (and test images): quick runs. */
  limit?: number;
  /** Stop when validation accuracy has not improved for this many epochs. Default: never. */
  patience?: number;
  /** Seed for weights, split, shuffling and augmentation. Default 0. */
  seed?: number;
  /** Where the model and reports go. */
  outDir: string;
  progress?: ProgressMode;
  stream?: ProgressStream;
}

/** What {@link trainImageClassifier} returns. */
export interface TrainImageResult {
  manifest: ImageClassifierManifest;
  fit: FitResult;
  model: ImageModel;
  /** Report on the validation images with the best weights (absent without validation). */
  validation?: NamedClassificationReport;
  /** Report on the test split (MNIST-style data only). */
  test?: NamedClassificationReport;
  /** Every file written. */
  files: string[];
}

/** Fashion-MNIST's and MNIST's per-pixel mean and std over their training images (torchvision's usual constants). */
const KNOWN_STATS: Record<string, { mean: number[]; std: number[] }> = {
  'fashion-mnist': { mean: [0.2860], std: [0.3530] },
  mnist: { mean: [0.1307], std: [0.3081] },
};

type Batch = [Tensor, Tensor];

/** Predictions and targets of a batch as numbers. */
function listOf(y: Tensor): number[] {
  return Array.from(y.dataSync(), Number);
}

/** The size every image must have when there is no resize: the first image's. */
function commonSize(data: LabelledImages): number {
  const img = data.image(0);
  if (img.height !== img.width) {
    throw new ValueError('trainImageClassifier', `${data.describe(0)}: images are ${img.width}×${img.height}, not square: pass imageSize (--image-size N) to resize and center-crop them`);
  }
  return img.height;
}

/**
 * Trains an image classifier and saves it with its reports into `outDir`: `model.safetensors`,
 * `manifest.json`, `metrics.json`, `loss.svg`, `metrics.svg` (accuracy per epoch),
 * `best.safetensors` (resumable checkpoint), `val-report.json` + `val-confusion.svg`, and for
 * Fashion-MNIST/MNIST `test-report.json` + `test-confusion.svg`.
 *
 * @example
 * ```ts
 * const r = await trainImageClassifier({ data: 'fashion-mnist', model: 'lenet', epochs: 10, outDir: 'runs/fmnist' });
 * r.test?.accuracy; // ≈ 0.90
 * ```
 */
export async function trainImageClassifier(opts: TrainImageOptions): Promise<TrainImageResult> {
  const seed = opts.seed ?? 0;
  manualSeed(seed);
  const mnistLike = opts.data === 'fashion-mnist' || opts.data === 'mnist';
  const trainAll = openImageData(opts.data, { ...(opts.root !== undefined ? { root: opts.root } : {}), split: 'train' });
  const test = mnistLike ? openImageData(opts.data, { ...(opts.root !== undefined ? { root: opts.root } : {}), split: 'test' }) : null;
  const limit = opts.limit ?? Infinity;
  if (!(limit > 0)) throw new ValueError('trainImageClassifier', `limit must be positive, got ${limit}`);
  const n = Math.min(trainAll.length, limit);
  const valSplit = opts.valSplit ?? 0.1;
  if (!(valSplit >= 0 && valSplit < 1)) throw new ValueError('trainImageClassifier', `valSplit must be in [0, 1), got ${valSplit}`);
  const nVal = Math.round(n * valSplit);
  if (n - nVal < 1) throw new ValueError('trainImageClassifier', `${trainAll.name}: ${n} images leave none for training after a ${valSplit} validation split`);
  const [trainIdx, valIdx] = randomSplit(Array.from({ length: n }, (_, i) => i), [n - nVal, nVal]).map((s) => Array.from({ length: s.length }, (_, i) => s.get(i)));

  const mode = opts.mode ?? (mnistLike ? 'L' : 'RGB');
  const size = opts.imageSize ?? commonSize(trainAll);
  const resize = opts.imageSize ?? null;
  const stats = mnistLike && resize === null && mode === 'L' ? KNOWN_STATS[opts.data]! : channelStats(trainAll, { mode, resize, size });
  const preprocessing: Preprocessing = { mode, resize, size, ...stats };
  const channels = mode === 'L' ? 1 : 3;
  const spec = { name: opts.model, options: { ...opts.modelOptions, numClasses: trainAll.classes.length, inChannels: channels, inputSize: size } } as ImageModelSpec;
  const model = buildImageModel(spec);

  const plain = preprocessor(preprocessing);
  const augmented = opts.augment ? preprocessor(preprocessing, { padding: Math.max(1, Math.round(size / 14)), flip: true }) : plain;
  const batchSize = opts.batchSize ?? 64;
  const trainData = new DataLoader(new PreprocessedImages(trainAll, trainIdx!, augmented), { batchSize, shuffle: true });
  const evalLoader = (src: LabelledImages, idx: readonly number[]): DataLoader<[Tensor, number], Batch> =>
    new DataLoader(new PreprocessedImages(src, idx, plain), { batchSize: Math.max(batchSize, 256) }) as DataLoader<[Tensor, number], Batch>;
  const valData = valIdx!.length > 0 ? evalLoader(trainAll, valIdx!) : undefined;

  const schedule = opts.schedule ?? 'onecycle';
  const kind = opts.optimizer ?? 'adam';
  if (kind !== 'adam' && kind !== 'sgd') throw new ValueError('trainImageClassifier', `optimizer must be 'adam' or 'sgd', got '${String(kind)}'`);
  const lr = opts.lr ?? (kind === 'sgd' ? (schedule === 'onecycle' ? 0.1 : 0.05) : schedule === 'onecycle' ? 2e-3 : 1e-3);
  const weightDecay = opts.weightDecay ?? 0;
  const optimizer = kind === 'sgd'
    ? new optim.SGD(model.parameters(), { lr, momentum: 0.9, nesterov: true, weightDecay })
    : weightDecay > 0 ? new optim.AdamW(model.parameters(), { lr, weightDecay }) : new optim.Adam(model.parameters(), { lr });
  const scheduler = schedule === 'onecycle'
    ? new optim.OneCycleLR(optimizer, { maxLr: lr, epochs: opts.epochs, stepsPerEpoch: trainData.length })
    : schedule === 'cosine' ? new optim.CosineAnnealingLR(optimizer, { tMax: opts.epochs }) : undefined;

  const evalStep = ([x, y]: Batch): { loss: Tensor; predictions: number[]; targets: number[] } => {
    const logits = model.forward(x);
    return { loss: F.crossEntropy(logits, y), predictions: argmaxList(logits), targets: listOf(y) };
  };
  const result = await fit<Batch>({
    model, optimizer, epochs: opts.epochs, trainData: trainData as DataLoader<[Tensor, number], Batch>,
    ...(valData ? { valData, monitor: 'val_accuracy' } : {}),
    trainStep: ([x, y]) => {
      const logits = model.forward(x);
      return { loss: F.crossEntropy(logits, y), predictions: argmaxList(logits), targets: listOf(y) };
    },
    evalStep, metrics: { accuracy },
    ...(scheduler ? { scheduler, schedulerInterval: schedule === 'onecycle' ? 'batch' as const : 'epoch' as const } : {}),
    ...(opts.patience !== undefined ? { earlyStopping: { patience: opts.patience } } : {}),
    outDir: opts.outDir, progress: opts.progress ?? 'auto', ...(opts.stream ? { stream: opts.stream } : {}),
  });

  const files = [result.checkpointPath!, result.metricsPath!, result.plotPath!, ...(result.metricsPlotPath ? [result.metricsPlotPath] : [])];
  const report = async (src: LabelledImages, idx: readonly number[], prefix: string): Promise<NamedClassificationReport> => {
    const predictions: number[] = [];
    const targets: number[] = [];
    evaluate(model, evalLoader(src, idx), (b) => {
      const r = evalStep(b);
      predictions.push(...r.predictions);
      targets.push(...r.targets);
      return r;
    });
    const written = await writeClassificationReport(opts.outDir, predictions, targets, src.classes, { prefix, extra: { data: src.name, split: prefix.replace(/-$/, ''), bestEpoch: result.bestEpoch } });
    files.push(written.files.json, written.files.confusionSvg);
    return written.report;
  };
  const validation = valData ? await report(trainAll, valIdx!, 'val-') : undefined;
  const testReport = test ? await report(test, Array.from({ length: Math.min(test.length, limit) }, (_, i) => i), 'test-') : undefined;

  const last = result.history[result.history.length - 1]!;
  const manifest: ImageClassifierManifest = {
    task: 'image', version: 1, model: spec, classes: [...trainAll.classes],
    input: { channels, height: size, width: size }, preprocessing, weights: 'model.safetensors',
    training: {
      data: trainAll.name, trainImages: trainIdx!.length, valImages: valIdx!.length, epochs: result.history.length, bestEpoch: result.bestEpoch,
      batchSize, optimizer: kind, lr, weightDecay, schedule, augment: opts.augment ?? false, seed,
      secondsPerEpoch: result.history.map((h) => h.seconds), finalTrainLoss: last.loss,
      ...(validation ? { valAccuracy: validation.accuracy } : {}), ...(testReport ? { testAccuracy: testReport.accuracy } : {}),
    },
  };
  await saveImageClassifier(opts.outDir, model, manifest);
  files.push(join(opts.outDir, 'model.safetensors'), join(opts.outDir, 'manifest.json'));
  return { manifest, fit: result, model, files, ...(validation ? { validation } : {}), ...(testReport ? { test: testReport } : {}) };
}
