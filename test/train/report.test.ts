import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn, optim, type Tensor } from '../../src/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import {
  accuracy, argmaxList, confusionMatrixSVG, fit, metricCurvesSVG, namedClassificationReport, writeClassificationReport,
} from '../../src/train/index.js';

/** Cell counts drawn in the heat map, row by row (the <text> right after each <rect>). */
function cellCounts(svg: string): number[] {
  return [...svg.matchAll(/<\/rect>\n<text [^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
}

test('confusionMatrixSVG draws every count with the class names and per-class accuracy', () => {
  const m = [[5, 1, 0], [0, 4, 0], [2, 0, 8]];
  const svg = confusionMatrixSVG(m, ['cat', 'dog', 'a<b']);
  assert.match(svg, /^<\?xml/);
  assert.deepEqual(cellCounts(svg), m.flat());
  assert.ok(svg.includes('>cat</text>') && svg.includes('>a&lt;b</text>'), 'class names, escaped');
  assert.ok(svg.includes('>83.3% (6)</text>') && svg.includes('>100.0% (4)</text>') && svg.includes('>80.0% (10)</text>'), 'row accuracy and size');
  // The shade follows the row fraction: a full row's diagonal is the darkest blue.
  assert.ok(svg.includes('fill="#0072b2"'), 'dog row (4/4) is fully shaded');
});

test('confusionMatrixSVG refuses a non-square matrix or a wrong number of names', () => {
  assert.throws(() => confusionMatrixSVG([[1, 2]], ['a']), /row 0 has 2 entries, expected 1/);
  assert.throws(() => confusionMatrixSVG([[1, 0], [0, 1]], ['a']), /1 class names for a 2×2 matrix/);
});

test('namedClassificationReport gives per-class accuracy by name (the recall of each class)', () => {
  const r = namedClassificationReport([0, 1, 1, 2, 2, 0], [0, 1, 0, 2, 2, 2], ['x', 'y', 'z']);
  assert.deepEqual(r.perClassAccuracy, { x: 0.5, y: 1, z: 2 / 3 });
  assert.equal(r.accuracy, 4 / 6);
  assert.deepEqual(r.confusion, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
});

test('writeClassificationReport writes a JSON report and the heat map that agree', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-report-'));
  try {
    const { report, files } = await writeClassificationReport(dir, [0, 1, 1], [0, 1, 0], ['no', 'yes'], { prefix: 'test-', extra: { data: 'toy' } });
    assert.equal(files.json, join(dir, 'test-report.json'));
    const json = JSON.parse(await readFile(files.json, 'utf8'));
    assert.equal(json.data, 'toy');
    assert.deepEqual(json.confusion, [[1, 1], [0, 1]]);
    assert.equal(json.accuracy, report.accuracy);
    const svg = await readFile(files.confusionSvg, 'utf8');
    assert.deepEqual(cellCounts(svg), [1, 1, 0, 1]);
    assert.match(svg, /accuracy 66\.67% of 3/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('fit computes train metrics when trainStep returns predictions, and draws metrics.svg beside loss.svg', async () => {
  torch.manualSeed(3);
  const x = torch.randn([64, 2]);
  const y = x.sum(1).gt(0).long();
  const model = new nn.Linear(2, 2);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true });
  const step = ([a, b]: Tensor[]): { loss: Tensor; predictions: number[]; targets: number[] } => {
    const logits = model.forward(a!);
    return { loss: nn.functional.crossEntropy(logits, b!), predictions: argmaxList(logits), targets: Array.from(b!.dataSync(), Number) };
  };
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-fit-metrics-'));
  try {
    const r = await fit({
      model, optimizer: new optim.SGD(model.parameters(), { lr: 0.5 }), epochs: 3, trainData: loader, valData: loader,
      trainStep: step, evalStep: step, metrics: { accuracy }, monitor: 'train_accuracy', outDir: dir, progress: 'none',
    });
    for (const h of r.history) {
      assert.ok(h.train_accuracy! >= 0 && h.train_accuracy! <= 1 && h.val_accuracy! >= 0);
    }
    assert.ok(r.history[2]!.train_accuracy! > 0.8, `a separable problem is learnt: ${r.history.map((h) => h.train_accuracy)}`);
    assert.equal(r.metricsPlotPath, join(dir, 'metrics.svg'));
    const svg = await readFile(r.metricsPlotPath!, 'utf8');
    assert.ok(svg.includes('>train_accuracy</text>') && svg.includes('>val_accuracy</text>'));
    assert.equal(svg, metricCurvesSVG(r.history));
    const metrics = JSON.parse(await readFile(r.metricsPath!, 'utf8'));
    assert.equal(metrics.files.metricsPlot, r.metricsPlotPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
