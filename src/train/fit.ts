/**
 * The one training loop, shared by text, vision and recommenders: epochs over a data loader,
 * progress, validation with metrics, early stopping, best-checkpoint saving, a metrics JSON and
 * the loss curves as an SVG image. Tasks differ only in the two functions they pass: the loss of
 * a training batch, and the loss/predictions of an evaluation batch.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TsorchError, ValueError } from '../errors.js';
import { writeAtomic } from '../io/atomic.js';
import { loadCheckpoint, saveCheckpoint, type Stateful } from '../io/index.js';
import { utils, type Module } from '../nn/index.js';
import { Tensor } from '../tensor/tensor.js';
import { lineChartSVG } from './chart.js';
import { evaluate, inferBatchSize, type EvalBatch, type Metric } from './evaluate.js';
import { formatCount, formatDuration, Progress, type ProgressMode, type ProgressStream } from './progress.js';

/** What fit needs from an optimizer (every tsorch optimizer fits). */
export interface FitOptimizer extends Stateful {
  zeroGrad(): void;
  step(): unknown;
  readonly paramGroups?: readonly { options: { lr: number } }[];
}

/** An LR scheduler stepped by fit: tsorch's schedulers, ReduceLROnPlateau included (it gets the monitored value). */
export interface FitScheduler {
  step(metric: number): void;
}

/** Early stopping: stop once the monitored value has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  patience: number;
  /** An improvement must exceed this. Default 0. */
  minDelta?: number;
}

/** Options of {@link fit}. B: a batch; P: a prediction (for metrics). */
export interface FitOptions<B, P = number> {
  model: Module;
  optimizer: FitOptimizer;
  /** Training batches; iterated once per epoch (a DataLoader reshuffles each time). */
  trainData: Iterable<B>;
  /** Validation batches, evaluated after every epoch. */
  valData?: Iterable<B>;
  epochs: number;
  /**
   * The mean loss of one training batch (the model is in train mode). fit does zeroGrad, backward
   * and step. It may also return the batch's predictions and targets: `metrics` are then computed
   * on the training predictions of each epoch too, reported as `train_<name>`.
   */
  trainStep: (batch: B) => Tensor | TrainStepOutput<P>;
  /** One validation batch (eval mode, no grad): its loss and/or predictions and targets for `metrics`. */
  evalStep?: (batch: B) => EvalBatch<P>;
  /** Metrics over the whole validation set, by name; reported as `val_<name>` (and `train_<name>` when trainStep gives predictions). */
  metrics?: Record<string, Metric<P>>;
  /** Samples in a batch (for averaging and samples/s). Default: the first dimension of its first tensor. */
  batchSize?: (batch: B) => number;
  scheduler?: FitScheduler;
  /** 'epoch' (default): step the scheduler after each epoch; 'batch': after each optimizer step (OneCycleLR). */
  schedulerInterval?: 'epoch' | 'batch';
  /** Clip the gradient norm to this before each step. Default none. */
  clipGradNorm?: number;
  /** The value that decides the best epoch: 'loss', 'val_loss' or 'val_<metric>'. Default 'val_loss' with validation data, else 'loss'. */
  monitor?: string;
  /** Whether smaller or larger is better. Default 'min' for names ending in 'loss', else 'max'. */
  mode?: 'min' | 'max';
  earlyStopping?: EarlyStoppingOptions | null;
  /** Directory for best.safetensors, metrics.json and loss.svg (created if needed). Default null: write nothing. */
  outDir?: string | null;
  /** After training, load the best epoch's weights back into the model. Default true when outDir is given. */
  restoreBest?: boolean;
  /** Default 'auto' (a live line on a terminal, silent otherwise). */
  progress?: ProgressMode;
  /** Where progress goes. Default process.stderr. */
  stream?: ProgressStream;
  /** Called after every epoch with its record. */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

/** What a trainStep may return instead of the bare loss: the loss with the batch's predictions. */
export interface TrainStepOutput<P> {
  /** The mean loss of the batch (fit calls backward on it). */
  loss: Tensor;
  /** One prediction per sample (class ids, …), made while training (dropout and batch statistics on). */
  predictions?: readonly P[];
  /** The matching targets. */
  targets?: readonly P[];
}

/** One epoch's numbers: `loss` (training, sample-weighted mean), `val_loss`, `val_<metric>`, … */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  loss: number;
  /** The first parameter group's learning rate during the epoch. */
  lr: number;
  seconds: number;
  samplesPerSecond: number;
  [name: string]: number;
}

/** What fit returns. */
export interface FitResult {
  history: EpochRecord[];
  /** Training loss of every batch, in order. */
  batchLosses: number[];
  monitor: string;
  mode: 'min' | 'max';
  /** 1-based epoch with the best monitored value, and that value. */
  bestEpoch: number;
  bestValue: number;
  stoppedEarly: boolean;
  /** Files written (absent without outDir). */
  checkpointPath?: string;
  metricsPath?: string;
  plotPath?: string;
  /** The metric curves (metrics.svg), written when `metrics` are given. */
  metricsPlotPath?: string;
}

/** Writes a text file atomically (the same writer as checkpoints), so a crash never leaves half a file. */
async function writeTextAtomic(path: string, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await writeAtomic(path, async (write) => write(bytes), (problem, cause) => {
    const e = new TsorchError('fit', `${path}: ${problem}`);
    e.cause = cause;
    return e;
  });
}

/**
 * The loss curves (per batch, per-epoch training mean, validation) as an SVG document.
 *
 * @example
 * ```ts
 * await writeFile('loss.svg', lossCurveSVG(result.history, result.batchLosses));
 * ```
 */
export function lossCurveSVG(history: readonly EpochRecord[], batchLosses: readonly number[]): string {
  const perEpoch = batchLosses.length / Math.max(1, history.length);
  const series = [
    { name: 'train (batch)', points: batchLosses.map((l, i): [number, number] => [(i + 1) / perEpoch, l]), width: 1, opacity: 0.35 },
    { name: 'train (epoch)', points: history.map((h): [number, number] => [h.epoch, h.loss]) },
  ];
  if (history.some((h) => h.val_loss !== undefined)) series.push({ name: 'validation', points: history.map((h): [number, number] => [h.epoch, h.val_loss ?? NaN]) });
  return lineChartSVG(series, { title: 'Loss', xLabel: 'epoch', yLabel: 'loss' });
}

/**
 * The metric curves, one line per metric and split (`train_accuracy`, `val_accuracy`, …), as an
 * SVG document: every history key starting with `train_` or `val_` except the losses.
 *
 * @example
 * ```ts
 * await writeFile('metrics.svg', metricCurvesSVG(result.history)); // accuracy per epoch, train and validation
 * ```
 */
export function metricCurvesSVG(history: readonly EpochRecord[], title = 'Metrics'): string {
  const names = [...new Set(history.flatMap((h) => Object.keys(h)))]
    .filter((k) => (k.startsWith('train_') || k.startsWith('val_')) && !k.endsWith('loss'))
    .sort((a, b) => a.replace(/^(train|val)_/, '').localeCompare(b.replace(/^(train|val)_/, '')) || (a.startsWith('train_') ? -1 : 1));
  const series = names.map((name) => ({ name, points: history.map((h): [number, number] => [h.epoch, h[name] ?? NaN]) }));
  return lineChartSVG(series, { title, xLabel: 'epoch', yLabel: 'value', legend: 'bottom-right' });
}

/**
 * Trains `model` for `epochs` epochs and returns the history. After each epoch: validation (if
 * `valData`), the best-epoch bookkeeping on `monitor`, a best checkpoint (`outDir/best.safetensors`,
 * via saveCheckpoint), metrics.json, loss.svg and (with metrics) metrics.svg rewritten, and early stopping. A non-finite
 * training loss stops with an error naming the epoch and batch. The model is left in eval mode.
 *
 * @example
 * ```ts
 * const result = await fit({
 *   model, optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), epochs: 20,
 *   trainData: trainLoader, valData: valLoader,
 *   trainStep: ([x, y]) => F.crossEntropy(model.forward(x), y),
 *   evalStep: ([x, y]) => { const logits = model.forward(x); return { loss: F.crossEntropy(logits, y), predictions: argmaxList(logits), targets: [...y.dataSync()] }; },
 *   metrics: { accuracy }, monitor: 'val_accuracy', earlyStopping: { patience: 3 }, outDir: 'runs/spam',
 * });
 * result.bestEpoch; // the epoch whose weights the model now holds
 * ```
 */
export async function fit<B, P = number>(opts: FitOptions<B, P>): Promise<FitResult> {
  const { model, optimizer } = opts;
  if (!(Number.isInteger(opts.epochs) && opts.epochs > 0)) throw new ValueError('fit', `epochs must be a positive integer, got ${opts.epochs}`);
  if (opts.valData && !opts.evalStep) throw new ValueError('fit', 'valData needs an evalStep');
  const monitor = opts.monitor ?? (opts.valData ? 'val_loss' : 'loss');
  const metricNames = Object.keys(opts.metrics ?? {});
  const reported = ['loss', ...metricNames.map((k) => `train_${k}`), ...(opts.valData ? ['val_loss', ...metricNames.map((k) => `val_${k}`)] : [])];
  if (!reported.includes(monitor)) throw new ValueError('fit', `monitor '${monitor}' is not one of the values fit reports (${reported.join(', ')})`);
  const mode = opts.mode ?? (monitor.endsWith('loss') ? 'min' : 'max');
  const minDelta = opts.earlyStopping?.minDelta ?? 0;
  const better = (v: number, best: number): boolean => (mode === 'min' ? v < best - minDelta : v > best + minDelta);
  const sizeOf = opts.batchSize ?? inferBatchSize;
  const progress = new Progress({ mode: opts.progress ?? 'auto', ...(opts.stream ? { stream: opts.stream } : {}) });
  const outDir = opts.outDir ?? null;
  const hasMetrics = Object.keys(opts.metrics ?? {}).length > 0;
  const files = outDir === null ? null : {
    checkpoint: join(outDir, 'best.safetensors'), metrics: join(outDir, 'metrics.json'), plot: join(outDir, 'loss.svg'),
    ...(hasMetrics ? { metricsPlot: join(outDir, 'metrics.svg') } : {}),
  };
  if (outDir !== null) await mkdir(outDir, { recursive: true });
  const stateful = (x: unknown): Stateful | undefined => (typeof x === 'object' && x !== null && 'stateDict' in x && 'loadStateDict' in x ? x as Stateful : undefined);
  const scheduler = stateful(opts.scheduler);

  const history: EpochRecord[] = [];
  const batchLosses: number[] = [];
  let bestEpoch = 0;
  let bestValue = mode === 'min' ? Infinity : -Infinity;
  let sinceBest = 0;
  let stoppedEarly = false;
  const epochsLabel = (e: number): string => `epoch ${e}/${opts.epochs}`;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    model.train();
    const lr = optimizer.paramGroups?.[0]?.options.lr ?? NaN;
    const started = performance.now();
    const total = (opts.trainData as { length?: unknown }).length;
    let seen = 0;
    let lossSum = 0;
    let batch = 0;
    const trainPredictions: P[] = [];
    const trainTargets: P[] = [];
    for (const b of opts.trainData) {
      batch++;
      const out = opts.trainStep(b);
      const loss = out instanceof Tensor ? out : out.loss;
      if (!(out instanceof Tensor) && out.predictions && out.targets) {
        if (out.predictions.length !== out.targets.length) {
          progress.end();
          throw new ValueError('fit', `trainStep gave ${out.predictions.length} predictions but ${out.targets.length} targets at epoch ${epoch}, batch ${batch}`);
        }
        trainPredictions.push(...out.predictions);
        trainTargets.push(...out.targets);
      }
      const value = loss.item();
      if (!Number.isFinite(value)) {
        progress.end();
        throw new ValueError('fit', `the training loss is ${value} at epoch ${epoch}, batch ${batch}: lower the learning rate or check the data`);
      }
      optimizer.zeroGrad();
      loss.backward();
      if (opts.clipGradNorm !== undefined) utils.clipGradNorm_(model.parameters(), opts.clipGradNorm);
      optimizer.step();
      if (opts.schedulerInterval === 'batch') opts.scheduler?.step(value);
      const n = sizeOf(b);
      seen += n;
      lossSum += value * n;
      batchLosses.push(value);
      const secs = (performance.now() - started) / 1000;
      const eta = typeof total === 'number' ? formatDuration((secs / batch) * (total - batch)) : '?';
      progress.update(epochsLabel(epoch), batch, typeof total === 'number' ? total : null,
        `loss ${(lossSum / seen).toFixed(4)} · ${formatCount(seen / Math.max(secs, 1e-9))} samples/s · eta ${eta}`);
    }
    if (batch === 0) throw new ValueError('fit', 'trainData gave no batches');
    const seconds = (performance.now() - started) / 1000;
    const record: EpochRecord = { epoch, loss: lossSum / seen, lr, seconds, samplesPerSecond: seen / Math.max(seconds, 1e-9) };
    if (trainPredictions.length > 0) for (const [k, metric] of Object.entries(opts.metrics ?? {})) record[`train_${k}`] = metric(trainPredictions, trainTargets);
    if (opts.valData && opts.evalStep) {
      progress.update(epochsLabel(epoch), batch, batch, 'validating…');
      const scores = evaluate(model, opts.valData, opts.evalStep, opts.metrics ?? {});
      for (const [k, v] of Object.entries(scores)) record[`val_${k}`] = v;
    }
    history.push(record);
    const value = record[monitor];
    if (value === undefined) throw new ValueError('fit', `monitor '${monitor}' has no value at epoch ${epoch} (does evalStep return a loss?)`);
    const improved = epoch === 1 || better(value, bestValue);
    if (improved) {
      bestEpoch = epoch;
      bestValue = value;
      sinceBest = 0;
      if (files) await saveCheckpoint(files.checkpoint, { model, optimizer, ...(scheduler ? { scheduler } : {}), epoch, extra: { monitor, value } });
    } else {
      sinceBest++;
    }
    if (opts.schedulerInterval !== 'batch') opts.scheduler?.step(value);
    const shown = Object.entries(record).filter(([k]) => k === 'loss' || k.startsWith('val_') || k.startsWith('train_')).map(([k, v]) => `${k} ${v.toFixed(4)}`);
    progress.line(`${epochsLabel(epoch)}: ${shown.join(' · ')} · ${formatCount(record.samplesPerSecond)} samples/s · ${formatDuration(seconds)}${improved ? ' *' : ''}`);
    stoppedEarly = opts.earlyStopping != null && sinceBest >= opts.earlyStopping.patience;
    const result: FitResult = { history, batchLosses, monitor, mode, bestEpoch, bestValue, stoppedEarly };
    if (files) {
      await writeTextAtomic(files.metrics, `${JSON.stringify({ ...result, batchLosses: undefined, files }, null, 2)}\n`);
      await writeTextAtomic(files.plot, lossCurveSVG(history, batchLosses));
      if (files.metricsPlot) await writeTextAtomic(files.metricsPlot, metricCurvesSVG(history));
    }
    await opts.onEpochEnd?.(record);
    if (stoppedEarly) {
      progress.line(`early stopping: ${monitor} has not improved for ${sinceBest} epochs (best ${bestValue.toFixed(4)} at epoch ${bestEpoch})`);
      break;
    }
  }
  progress.end();
  if (files && (opts.restoreBest ?? true)) await loadCheckpoint(files.checkpoint, { model, rng: false });
  model.eval();
  return {
    history, batchLosses, monitor, mode, bestEpoch, bestValue, stoppedEarly,
    ...(files ? { checkpointPath: files.checkpoint, metricsPath: files.metrics, plotPath: files.plot } : {}),
    ...(files?.metricsPlot ? { metricsPlotPath: files.metricsPlot } : {}),
  };
}
