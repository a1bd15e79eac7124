import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as torch from '../../src/index.js';
import { main } from '../../src/cli/index.js';
import { encodePng, evaluateImageClassifier, loadImageClassifier, readImage, type RawImage } from '../../src/vision/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsorch-cli-vision-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function put(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/**
 * A 12×12 RGB image of class `c`: bright left half (0), bright top half (1) or a bright centre
 * square (2), on a dark background, with seeded noise — easy for a CNN, not for chance.
 */
function sample(c: number, rng: () => number, size = 12): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = c === 0 ? x < size / 2 : c === 1 ? y < size / 2 : Math.abs(x - size / 2 + 0.5) < 3 && Math.abs(y - size / 2 + 0.5) < 3;
      for (let ch = 0; ch < 3; ch++) data[(y * size + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round((on ? 200 : 40) + (rng() - 0.5) * 80)));
    }
  }
  return { data, height: size, width: size, channels: 3 };
}

const CLASSES = ['centre', 'left', 'top']; // sorted folder names: labels 0, 1, 2
const PATTERN: Record<string, number> = { left: 0, top: 1, centre: 2 };
const root = join(dir, 'shapes');
const out = join(dir, 'model');

/** Runs the CLI, returning its exit code and what it printed to stdout. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  try {
    const code = await main(argv);
    return { code, stdout: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

before(() => {
  let s = 12345;
  const rng = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const name of CLASSES) for (let i = 0; i < 12; i++) put(join(root, name, `${i}.png`), encodePng(sample(PATTERN[name]!, rng)));
});

test('tsorch train image trains LeNet on a generated ImageFolder: the loss falls and every report file is written', async () => {
  torch.manualSeed(0);
  const { code, stdout } = await cli('train', 'image', '--data', root, '--model', 'lenet', '--epochs', '4', '--batch-size', '6',
    '--lr', '0.01', '--val-split', '0.25', '--out', out, '--quiet', '--seed', '1');
  assert.equal(code, 0);
  assert.match(stdout, /trained lenet on 27 images/);
  for (const f of ['model.safetensors', 'manifest.json', 'metrics.json', 'loss.svg', 'metrics.svg', 'val-report.json', 'val-confusion.svg']) {
    assert.ok(existsSync(join(out, f)), `${f} was not written`);
  }
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.task, 'image');
  assert.deepEqual(manifest.classes, CLASSES);
  assert.deepEqual(manifest.input, { channels: 3, height: 12, width: 12 });
  assert.equal(manifest.preprocessing.mean.length, 3);
  assert.ok(manifest.preprocessing.mean.every((m: number) => m > 0.1 && m < 0.9), `means ${manifest.preprocessing.mean}`);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  const losses = metrics.history.map((h: { loss: number }) => h.loss);
  assert.equal(losses.length, 4);
  assert.ok(losses[3] < losses[0], `training loss did not fall: ${losses.join(' → ')}`);
  assert.ok(metrics.history.every((h: Record<string, number>) => h.train_accuracy! >= 0 && h.val_accuracy! >= 0), 'train and val accuracy per epoch');
  const report = JSON.parse(readFileSync(join(out, 'val-report.json'), 'utf8'));
  assert.equal(report.support, 9);
  assert.equal(report.confusion.flat().reduce((a: number, b: number) => a + b, 0), 9);
  const svg = readFileSync(join(out, 'val-confusion.svg'), 'utf8');
  for (const c of CLASSES) assert.ok(svg.includes(`>${c}</text>`), `class ${c} is labelled in the confusion matrix`);
  assert.match(readFileSync(join(out, 'metrics.svg'), 'utf8'), /val_accuracy/);
});

test('tsorch eval reports the saved model\'s accuracy on the folder, as evaluateImageClassifier computes it', async () => {
  const { code, stdout } = await cli('eval', '--model', out, '--data', root, '--out', join(dir, 'eval'));
  assert.equal(code, 0);
  const clf = await loadImageClassifier(out);
  const { report } = await evaluateImageClassifier(clf, root);
  assert.equal(report.support, 36);
  assert.ok(report.accuracy > 0.6, `a trained model beats chance (1/3) on easy images, got ${report.accuracy}`);
  assert.match(stdout, new RegExp(`accuracy ${(100 * report.accuracy).toFixed(2)}% \\(36 images`));
  const written = JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8'));
  assert.deepEqual(written.confusion, report.confusion);
  assert.ok(existsSync(join(dir, 'eval', 'confusion.svg')));
});

test('tsorch predict prints the top-k classes with probabilities, most probable first', async () => {
  const files = [join(root, 'left', '0.png'), join(root, 'top', '3.png')];
  const { code, stdout } = await cli('predict', '--model', out, ...files, '-k', '2', '--json');
  assert.equal(code, 0);
  const preds = JSON.parse(stdout) as { source: string; top: { className: string; probability: number }[] }[];
  assert.deepEqual(preds.map((p) => p.source), files);
  const clf = await loadImageClassifier(out);
  const probs = clf.probabilities(torch.stack(files.map((f) => clf.preprocess(readImage(f), f)))).toArray() as number[][];
  preds.forEach((p, i) => {
    assert.equal(p.top.length, 2);
    assert.ok(p.top[0]!.probability >= p.top[1]!.probability);
    const best = probs[i]!.indexOf(Math.max(...probs[i]!));
    assert.equal(p.top[0]!.className, CLASSES[best]);
    assert.ok(Math.abs(p.top[0]!.probability - probs[i]![best]!) < 1e-6);
  });
  const text = await cli('predict', '--model', out, files[0]!, '-k', '3');
  assert.match(text.stdout, new RegExp(`^${files[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n +\\d+\\.\\d\\d%  (centre|left|top)\\n`));
});

test('predict on an image of the wrong size names the file and both sizes', async () => {
  const big = join(dir, 'big.png');
  put(big, encodePng({ data: new Uint8Array(20 * 16), height: 16, width: 20, channels: 1 }));
  await assert.rejects(cli('predict', '--model', out, big), (e: Error) => e.message.includes(big) && e.message.includes('20×16') && e.message.includes('12×12'));
});

test('predict on a corrupt image file names the file', async () => {
  const bad = join(dir, 'broken.png');
  put(bad, encodePng(sample(0, Math.random)).subarray(0, 40));
  await assert.rejects(cli('predict', '--model', out, bad), (e: Error) => e.message.includes(bad));
});

test('train image on a folder with an empty class folder fails naming that folder', async () => {
  const holey = join(dir, 'holey');
  put(join(holey, 'a', '0.png'), encodePng(sample(0, Math.random)));
  mkdirSync(join(holey, 'b'), { recursive: true });
  await assert.rejects(cli('train', 'image', '--data', holey, '--epochs', '1', '--out', join(dir, 'x'), '--quiet'),
    (e: Error) => e.message.includes(join(holey, 'b')) && /no image files/.test(e.message));
});

test('train image on a corrupt Fashion-MNIST IDX file fails naming the file', async () => {
  const idx = join(dir, 'fmnist');
  put(join(idx, 'train-images-idx3-ubyte'), Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3));
  put(join(idx, 'train-labels-idx1-ubyte'), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 1, 2));
  await assert.rejects(cli('train', 'image', '--data', 'fashion-mnist', '--root', idx, '--epochs', '1', '--out', join(dir, 'y'), '--quiet'),
    (e: Error) => e.message.includes(join(idx, 'train-images-idx3-ubyte')));
});

test('--optimizer sgd trains with Nesterov SGD at the 1cycle default peak of 0.1 and records it in the manifest', async () => {
  const model = join(dir, 'sgd-model');
  const { code } = await cli('train', 'image', '--data', root, '--model', 'lenet', '--epochs', '3', '--batch-size', '6',
    '--optimizer', 'sgd', '--weight-decay', '5e-4', '--val-split', '0', '--out', model, '--quiet');
  assert.equal(code, 0);
  const training = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8')).training;
  assert.equal(training.optimizer, 'sgd');
  assert.equal(training.lr, 0.1);
  assert.equal(training.weightDecay, 5e-4);
  const losses = JSON.parse(readFileSync(join(model, 'metrics.json'), 'utf8')).history.map((h: { loss: number }) => h.loss);
  assert.ok(losses.every(Number.isFinite) && losses[2] < losses[0], `training loss did not fall: ${losses.join(' → ')}`);
});

test('bad options fail with the option named', async () => {
  await assert.rejects(cli('train', 'image', '--data', root, '--model', 'alexnet'), /--model must be one of lenet, vgg, resnet, got 'alexnet'/);
  await assert.rejects(cli('train', 'image', '--data', root, '--epochs', '0'), /--epochs expects a positive integer, got '0'/);
  await assert.rejects(cli('train', 'image', '--data', root, '--optimizer', 'rmsprop'), /--optimizer must be adam or sgd, got 'rmsprop'/);
  await assert.rejects(cli('predict', '--model', out, join(root, 'left', '0.png'), '-k', 'x'), /--k expects a positive integer/);
});

test('tsorch train image --data fashion-mnist --root DIR trains on IDX files and reports the test split', async () => {
  const { writeFakeFashionMNIST } = await import('../vision/fake-fashion.js');
  const idx = writeFakeFashionMNIST(join(dir, 'fake-fmnist'), { train: 60, test: 20 });
  const model = join(dir, 'fmnist-model');
  const { code, stdout } = await cli('train', 'image', '--data', 'fashion-mnist', '--root', idx, '--model', 'lenet', '--epochs', '2',
    '--batch-size', '20', '--out', model, '--quiet', '--augment');
  assert.equal(code, 0);
  assert.match(stdout, /trained lenet on 54 images of fashion-mnist for 2 epochs/);
  const testAcc = Number(/test accuracy ([\d.]+)% \(20 images\)/.exec(stdout)?.[1]);
  const manifest = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.preprocessing, { mode: 'L', resize: null, size: 28, mean: [0.286], std: [0.353] });
  assert.equal(manifest.training.augment, true);
  assert.equal((100 * manifest.training.testAccuracy).toFixed(2), testAcc.toFixed(2));
  const evaluated = await cli('eval', '--model', model, '--data', 'fashion-mnist', '--root', idx);
  assert.match(evaluated.stdout, new RegExp(`^accuracy ${testAcc.toFixed(2)}% \\(20 images`));
  assert.match(evaluated.stdout, /\n {2}T-shirt\/top +accuracy/);
});
