/**
 * `tsorch train image`, and `tsorch eval` / `tsorch predict` for image classifiers: argument
 * parsing over `trainImageClassifier`, `loadImageClassifier` and `evaluateImageClassifier`.
 */
import { parseArgs } from 'node:util';
import { ValueError } from '../errors.js';
import { evaluateImageClassifier, IMAGE_MODEL_NAMES, loadImageClassifier, trainImageClassifier, type ImageModelName, type TrainImageOptions } from '../vision/index.js';
import { cliProgress, type TaskCommands } from './tasks.js';

const TRAIN_HELP = `Usage: tsorch train image --data <folder|fashion-mnist|mnist> --model lenet|vgg|resnet --epochs N [options]

Data:
  --data D            an ImageFolder (one sub-folder of PNG/JPEG files per class), 'fashion-mnist' or 'mnist'
  --root DIR          folder of the IDX files (fashion-mnist default: /usr/share/datasets/fashion-mnist)
  --val-split F       fraction of the training images held out for validation (default 0.1; 0 = none)
  --image-size N      resize (shorter side) and center-crop every image to N×N (default: keep; all must match)
  --grayscale         convert images to 1 channel (default for fashion-mnist/mnist; RGB for folders)
  --limit N           use only the first N training (and test) images
  --augment           random crops (padding N/14 px) and horizontal flips while training
Model:
  --model M           lenet | vgg | resnet (default lenet)
  --vgg-config L      VGG feature layers, e.g. 32,M,64,M (default 32,M,64,M,128,128,M)
  --hidden N          VGG classifier width (default 256)
  --resnet-blocks L   ResNet blocks per stage, e.g. 2,2,2 (default)
  --widths L          ResNet channels per stage, e.g. 16,32,64 (default)
Training:
  --epochs N          (default 10)
  --batch-size N      (default 64)
  --optimizer O       adam | sgd (SGD: momentum 0.9, Nesterov) (default adam)
  --lr X              peak learning rate (Adam: 2e-3 with onecycle, else 1e-3; SGD: 0.1 with onecycle, else 0.05)
  --weight-decay X    Adam: decoupled (AdamW); SGD: L2 (default 0)
  --schedule S        onecycle | cosine | constant (default onecycle)
  --patience N        early stopping on validation accuracy
  --seed N            (default 0)
  --out DIR           where the model and reports go (default runs/image-<model>)
  --quiet             no progress output

Writes DIR/model.safetensors, manifest.json, metrics.json, loss.svg, metrics.svg (accuracy per epoch),
val-report.json + val-confusion.svg, and for fashion-mnist/mnist test-report.json + test-confusion.svg.`;

const EVAL_HELP = `Usage: tsorch eval --model DIR --data <folder|fashion-mnist|mnist> [--root DIR] [--split test|train] [--limit N] [--out DIR]
Prints accuracy and per-class accuracy; with --out writes report.json and confusion.svg there.`;

const PREDICT_HELP = `Usage: tsorch predict --model DIR IMAGE… [-k 5] [--json]
Prints the top-k classes of each image with their probabilities.`;

function num(v: string | undefined, name: string, check: (n: number) => boolean = Number.isFinite, what = 'a number'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!check(n)) throw new ValueError('tsorch train image', `--${name} expects ${what}, got '${v}'`);
  return n;
}
const posInt = (n: number): boolean => Number.isInteger(n) && n > 0;

function intList(v: string | undefined, name: string, length: number): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map(Number);
  if (parts.length !== length || !parts.every(posInt)) throw new ValueError('tsorch train image', `--${name} expects ${length} positive integers separated by commas, got '${v}'`);
  return parts as [number, number, number];
}

function vggConfig(v: string | undefined): (number | 'M')[] | undefined {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => {
    const t = s.trim();
    if (t === 'M' || t === 'm') return 'M';
    const n = Number(t);
    if (!posInt(n)) throw new ValueError('tsorch train image', `--vgg-config expects channel counts and M (max pool) separated by commas, got '${t}' in '${v}'`);
    return n;
  });
}

async function train(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: {
      data: { type: 'string' }, root: { type: 'string' }, 'val-split': { type: 'string' }, 'image-size': { type: 'string' },
      grayscale: { type: 'boolean' }, limit: { type: 'string' }, augment: { type: 'boolean' },
      model: { type: 'string' }, 'vgg-config': { type: 'string' }, hidden: { type: 'string' }, 'resnet-blocks': { type: 'string' }, widths: { type: 'string' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' }, 'weight-decay': { type: 'string' },
      schedule: { type: 'string' }, patience: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  if (values.data === undefined) throw new ValueError('tsorch train image', `--data is required (an image folder, 'fashion-mnist' or 'mnist')\n\n${TRAIN_HELP}`);
  const model = (values.model ?? 'lenet') as ImageModelName;
  if (!IMAGE_MODEL_NAMES.includes(model)) throw new ValueError('tsorch train image', `--model must be one of ${IMAGE_MODEL_NAMES.join(', ')}, got '${values.model}'`);
  const schedule = values.schedule ?? 'onecycle';
  if (schedule !== 'onecycle' && schedule !== 'cosine' && schedule !== 'constant') throw new ValueError('tsorch train image', `--schedule must be onecycle, cosine or constant, got '${schedule}'`);
  const optimizer = values.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new ValueError('tsorch train image', `--optimizer must be adam or sgd, got '${optimizer}'`);
  const modelOptions: Record<string, unknown> = {};
  const config = vggConfig(values['vgg-config']);
  if (config) modelOptions.config = config;
  const hidden = num(values.hidden, 'hidden', posInt, 'a positive integer');
  if (hidden !== undefined) modelOptions.hidden = hidden;
  const blocks = intList(values['resnet-blocks'], 'resnet-blocks', 3);
  if (blocks) modelOptions.blocks = blocks;
  const widths = intList(values.widths, 'widths', 3);
  if (widths) modelOptions.widths = widths;
  const opts: TrainImageOptions = {
    data: values.data, model, modelOptions, schedule, optimizer,
    epochs: num(values.epochs, 'epochs', posInt, 'a positive integer') ?? 10,
    outDir: values.out ?? `runs/image-${model}`,
    augment: values.augment ?? false,
    progress: values.quiet ? 'none' : cliProgress(),
  };
  const set = <K extends keyof TrainImageOptions>(k: K, v: TrainImageOptions[K] | undefined): void => {
    if (v !== undefined) opts[k] = v;
  };
  set('root', values.root);
  set('valSplit', num(values['val-split'], 'val-split', (n) => n >= 0 && n < 1, 'a fraction in [0, 1)'));
  set('imageSize', num(values['image-size'], 'image-size', posInt, 'a positive integer'));
  if (values.grayscale) opts.mode = 'L';
  set('limit', num(values.limit, 'limit', posInt, 'a positive integer'));
  set('batchSize', num(values['batch-size'], 'batch-size', posInt, 'a positive integer'));
  set('lr', num(values.lr, 'lr', (n) => n > 0, 'a positive number'));
  set('weightDecay', num(values['weight-decay'], 'weight-decay', (n) => n >= 0, 'a non-negative number'));
  set('patience', num(values.patience, 'patience', posInt, 'a positive integer'));
  set('seed', num(values.seed, 'seed', Number.isInteger, 'an integer'));

  const r = await trainImageClassifier(opts);
  const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
  const h = r.fit.history;
  console.log(`trained ${model} on ${r.manifest.training?.trainImages} images of ${values.data} for ${h.length} epochs `
    + `(${(h.reduce((s, e) => s + e.seconds, 0) / h.length).toFixed(1)} s/epoch); best epoch ${r.fit.bestEpoch}`);
  if (r.validation) console.log(`validation accuracy ${pct(r.validation.accuracy)} (${r.validation.support} images)`);
  if (r.test) console.log(`test accuracy ${pct(r.test.accuracy)} (${r.test.support} images)`);
  console.log(`saved ${opts.outDir}: ${r.files.map((f) => f.slice(opts.outDir.length + 1)).join(', ')}`);
  return 0;
}

async function evaluate(dir: string, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: {
      data: { type: 'string' }, root: { type: 'string' }, split: { type: 'string' }, limit: { type: 'string' },
      'batch-size': { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  if (values.data === undefined) throw new ValueError('tsorch eval', `--data is required (an image folder, 'fashion-mnist' or 'mnist')\n\n${EVAL_HELP}`);
  const split = values.split ?? 'test';
  if (split !== 'test' && split !== 'train') throw new ValueError('tsorch eval', `--split must be test or train, got '${split}'`);
  const clf = await loadImageClassifier(dir);
  const limit = num(values.limit, 'limit', posInt, 'a positive integer');
  const batchSize = num(values['batch-size'], 'batch-size', posInt, 'a positive integer');
  const { report, files } = await evaluateImageClassifier(clf, values.data, {
    split, ...(values.root !== undefined ? { root: values.root } : {}), ...(limit !== undefined ? { limit } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}), ...(values.out !== undefined ? { outDir: values.out } : {}),
  });
  console.log(`accuracy ${(100 * report.accuracy).toFixed(2)}% (${report.support} images, macro F1 ${report.macro.f1.toFixed(4)})`);
  const width = Math.max(...report.classNames.map((c) => c.length));
  report.classNames.forEach((c, i) => {
    const s = report.perClass[i]!;
    console.log(`  ${c.padEnd(width)}  accuracy ${(100 * s.recall).toFixed(1).padStart(5)}%  precision ${(100 * s.precision).toFixed(1).padStart(5)}%  n=${s.support}`);
  });
  if (files) console.log(`wrote ${files.json} and ${files.confusionSvg}`);
  return 0;
}

async function predict(dir: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: { top: { type: 'string', short: 'k' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(PREDICT_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new ValueError('tsorch predict', `no image files given\n\n${PREDICT_HELP}`);
  const k = num(values.top, 'k', posInt, 'a positive integer') ?? 5;
  const clf = await loadImageClassifier(dir);
  const predictions = clf.predict(positionals, k);
  if (values.json) {
    console.log(JSON.stringify(predictions, null, 2));
    return 0;
  }
  for (const p of predictions) {
    console.log(p.source);
    for (const t of p.top) console.log(`  ${(100 * t.probability).toFixed(2).padStart(6)}%  ${t.className}`);
  }
  return 0;
}

export const commands: TaskCommands = { train, evaluate, predict };
