import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn, optim, type Tensor } from '../../src/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { loadCheckpoint } from '../../src/io/index.js';
import {
  accuracy, argmaxList, evaluate, fit, lineChartSVG, niceTicks, Progress, type FitOptions,
} from '../../src/train/index.js';

type Batch = Tensor[];

/** A linearly separable problem: class 1 when x0 + x1 > 0. */
function problem(seed: number): { model: nn.Linear; train: DataLoader<[Tensor, Tensor], Batch>; val: DataLoader<[Tensor, Tensor], Batch> } {
  torch.manualSeed(seed);
  const x = torch.randn([64, 2]);
  const y = x.sum(1).gt(0).long();
  const ds = new TensorDataset(x, y);
  return {
    model: new nn.Linear(2, 2),
    train: new DataLoader(ds, { batchSize: 16, shuffle: true }),
    val: new DataLoader(ds, { batchSize: 32 }),
  };
}

function tasks(model: nn.Linear): Pick<FitOptions<Batch>, 'trainStep' | 'evalStep'> {
  return {
    trainStep: ([x, y]) => nn.functional.crossEntropy(model.forward(x!), y!),
    evalStep: ([x, y]) => {
      const logits = model.forward(x!);
      return { loss: nn.functional.crossEntropy(logits, y!), predictions: argmaxList(logits), targets: Array.from(y!.dataSync()) };
    },
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-fit-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A strict well-formedness check: one root, balanced tags, quoted attributes, escaped text. */
function assertWellFormedXml(xml: string): void {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const tag = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(text), `unescaped & in text: ${text}`);
    if (stack.length === 0) assert.equal(text.trim(), '', 'text outside the root element');
    if (lt < 0) break;
    rest = rest.slice(lt);
    const m = tag.exec(rest);
    assert.ok(m, `malformed tag at: ${rest.slice(0, 60)}`);
    const [all, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> does not match`);
    else if (!selfClose) stack.push(name!);
    if (!close && stack.length <= 1 && (selfClose ? stack.length === 0 : stack.length === 1)) roots++;
    rest = rest.slice(all.length);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
}

test('fit lowers the loss, validates with metrics and writes a checkpoint, metrics.json and loss.svg', async () => {
  await withDir(async (dir) => {
    const { model, train, val } = problem(0);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.5 });
    const result = await fit({ model, optimizer, trainData: train, valData: val, epochs: 6, ...tasks(model), metrics: { accuracy }, outDir: dir, progress: 'none' });
    assert.equal(result.history.length, 6);
    assert.ok(result.history[5]!.loss < 0.6 * result.history[0]!.loss, `loss ${result.history[0]!.loss} → ${result.history[5]!.loss}`);
    assert.ok(result.history[5]!.val_accuracy! >= 0.9, `accuracy ${result.history[5]!.val_accuracy}`);
    assert.equal(result.batchLosses.length, 6 * 4);
    assert.equal(result.monitor, 'val_loss');
    assert.equal(result.mode, 'min');
    assert.equal(result.history.every((h) => h.lr === 0.5 && h.samplesPerSecond > 0), true);
    // The best checkpoint holds the best epoch, and the model was restored to it.
    const fresh = new nn.Linear(2, 2);
    const { epoch } = await loadCheckpoint(result.checkpointPath!, { model: fresh, rng: false });
    assert.equal(epoch, result.bestEpoch);
    assert.deepEqual(fresh.weight.toArray(), model.weight.toArray());
    assert.equal(model.training, false);
    const metrics = JSON.parse(await readFile(result.metricsPath!, 'utf8')) as { bestEpoch: number; history: { val_loss: number }[] };
    assert.equal(metrics.bestEpoch, result.bestEpoch);
    assert.equal(metrics.history.length, 6);
    assert.equal(metrics.history[2]!.val_loss, result.history[2]!.val_loss);
    const svg = await readFile(result.plotPath!, 'utf8');
    assertWellFormedXml(svg);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 3, 'batch, epoch and validation curves');
  });
});

test('early stopping ends training once the monitored value stops improving for `patience` epochs', async () => {
  const { model, train, val } = problem(1);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0 }); // nothing changes: no epoch improves on the first
  const result = await fit({ model, optimizer, trainData: train, valData: val, epochs: 10, ...tasks(model), earlyStopping: { patience: 2 }, progress: 'none' });
  assert.equal(result.history.length, 3);
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.bestEpoch, 1);
});

test('restoreBest loads the weights of the best epoch by the monitored metric (mode max)', async () => {
  await withDir(async (dir) => {
    const { model, train, val } = problem(2);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.3 });
    const scripted = [0.5, 0.9, 0.7];
    let call = 0;
    const snapshots: number[][][] = [];
    const result = await fit({
      model, optimizer, trainData: train, valData: val, epochs: 3, ...tasks(model),
      metrics: { score: () => scripted[call++]! }, monitor: 'val_score', outDir: dir, progress: 'none',
      onEpochEnd: () => { snapshots.push(model.weight.toArray() as number[][]); },
    });
    assert.equal(result.mode, 'max');
    assert.equal(result.bestEpoch, 2);
    assert.equal(result.bestValue, 0.9);
    assert.deepEqual(model.weight.toArray(), snapshots[1]);
    assert.notDeepEqual(snapshots[2], snapshots[1]);
  });
});

test('an epoch scheduler steps after every epoch and the history records each epoch\'s learning rate', async () => {
  const { model, train } = problem(3);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.4 });
  const scheduler = new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const result = await fit({ model, optimizer, scheduler, trainData: train, epochs: 3, trainStep: tasks(model).trainStep, progress: 'none' });
  assert.deepEqual(result.history.map((h) => h.lr), [0.4, 0.2, 0.1]);
  assert.equal(result.monitor, 'loss');
});

test('a non-finite training loss stops fit with the epoch and batch', async () => {
  const { model, train } = problem(4);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  await assert.rejects(
    fit({ model, optimizer, trainData: train, epochs: 1, trainStep: ([x]) => model.forward(x!).sum().mul(NaN), progress: 'none' }),
    /the training loss is NaN at epoch 1, batch 1/,
  );
  await assert.rejects(fit({ model, optimizer, trainData: train, epochs: 1, trainStep: ([x]) => model.forward(x!).sum(), monitor: 'val_f1', progress: 'none' }), /monitor 'val_f1' is not one of the values fit reports \(loss\)/);
});

test('progress: silent off a terminal in auto mode, a redrawn line in bar mode, plain lines in lines mode', async () => {
  const run = async (mode: 'auto' | 'bar' | 'lines', isTTY: boolean): Promise<string> => {
    const { model, train } = problem(5);
    let out = '';
    const stream = { isTTY, columns: 200, write: (s: string) => { out += s; return true; } };
    await fit({ model, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), trainData: train, epochs: 2, trainStep: tasks(model).trainStep, progress: mode, stream });
    return out;
  };
  assert.equal(await run('auto', false), '');
  const bar = await run('auto', true);
  assert.match(bar, /\r\x1b\[2Kepoch 1\/2 \[#####---------------\] 1\/4 loss \d\.\d{4} · [\d.k]+ samples\/s · eta \d+s/);
  assert.match(bar, /epoch 2\/2: loss \d\.\d{4} · [\d.k]+ samples\/s · \d+s \*?\n/);
  const lines = await run('lines', false);
  assert.ok(!lines.includes('\r'));
  assert.equal(lines.split('\n').filter(Boolean).length, 2);
});

test('Progress never writes more than the terminal width', () => {
  let out = '';
  const p = new Progress({ mode: 'bar', stream: { columns: 30, write: (s: string) => { out += s; } } });
  p.update('epoch 1/1', 1, 1, 'x'.repeat(100));
  const drawn = out.split('\r\x1b[2K').pop()!;
  assert.ok(drawn.length <= 29, `${drawn.length} characters`);
});

test('evaluate averages the loss over samples and restores the training mode', () => {
  const { model, val } = problem(6);
  model.train();
  const r = evaluate(model, val, tasks(model).evalStep!, { accuracy });
  const [x, y] = [torch.cat([...val].map((b) => b[0]!)), torch.cat([...val].map((b) => b[1]!))];
  const whole = torch.noGrad(() => nn.functional.crossEntropy(model.forward(x), y).item());
  assert.ok(Math.abs(r.loss! - whole) < 1e-6, `${r.loss} vs ${whole}`);
  assert.equal(model.training, true);
});

test('the SVG chart escapes text, uses round ticks and is well-formed', () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.13, 0.91), [0.2, 0.4, 0.6, 0.8]);
  const svg = lineChartSVG([{ name: 'a <b> & "c"', points: [[1, 2], [2, NaN], [3, 1]] }, { name: 'one', points: [[2, 1.5]] }], { title: 'T & <U>' });
  assertWellFormedXml(svg);
  assert.ok(svg.includes('a &lt;b&gt; &amp; &quot;c&quot;'));
  assert.ok(svg.includes('<circle '), 'a single point is drawn as a dot');
});
