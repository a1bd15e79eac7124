import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn, optim, Tensor } from '../../src/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { CheckpointError, loadCheckpoint, loadSafetensors, saveCheckpoint, saveSafetensors, SafetensorsError, type Stateful } from '../../src/io/index.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'tsorch-ckpt-'));
const values = (m: nn.Module): number[][] => [...m.stateDict().values()].map((t) => Array.from(t.dataSync()));

function makeModel(seed: number): nn.Sequential {
  torch.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(3, 8), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(8, 1));
}

/** Everything a training run needs, so a resumed run can be compared with an uninterrupted one. */
function setup(seed: number) {
  const model = makeModel(seed);
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const sched = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
  const plateau = new optim.ReduceLROnPlateau(opt, { patience: 0 });
  return { model, opt, sched, plateau };
}

torch.manualSeed(100);
const data = new TensorDataset(torch.randn([20, 3]), torch.randn([20, 1]));

/** One epoch: shuffled batches (global RNG), dropout (global RNG), SGD steps; returns the losses. */
function epoch(s: ReturnType<typeof setup>): number[] {
  const losses: number[] = [];
  for (const [x, y] of new DataLoader(data, { batchSize: 6, shuffle: true })) {
    s.opt.zeroGrad();
    const loss = nn.functional.mseLoss(s.model.forward(x), y);
    loss.backward();
    s.opt.step();
    losses.push(loss.item());
  }
  s.sched.step();
  s.plateau.step(losses[0]!);
  return losses;
}

test('resume is exact: a run interrupted by save/load continues exactly like an uninterrupted one', async () => {
  const path = join(tmp(), 'ckpt.safetensors');
  const a = setup(1);
  torch.manualSeed(7);
  for (let e = 0; e < 2; e++) epoch(a);
  await saveCheckpoint(path, { model: a.model, optimizer: a.opt, scheduler: a.sched, epoch: 1, step: 8, extra: { plateau: a.plateau.stateDict() } });
  const reference = [epoch(a), epoch(a)];

  const b = setup(2); // different initial weights, fresh optimizer state
  torch.manualSeed(999); // and a different RNG state: all of it must come from the checkpoint
  const { epoch: savedEpoch, step, extra } = await loadCheckpoint<{ plateau: unknown }>(path, { model: b.model, optimizer: b.opt, scheduler: b.sched });
  b.plateau.loadStateDict(extra!.plateau as optim.SchedulerStateDict);
  assert.equal(savedEpoch, 1);
  assert.equal(step, 8);
  assert.deepEqual([epoch(b), epoch(b)], reference, 'losses of the resumed epochs');
  assert.deepEqual(values(b.model), values(a.model), 'weights after the resumed epochs');
  assert.deepEqual(b.opt.stateDict().paramGroups, a.opt.stateDict().paramGroups);
});

test('restores weights, momentum buffers, the RNG stream, and returns epoch, step and extras', async () => {
  const path = join(tmp(), 'c.safetensors');
  const src = setup(3);
  const x = torch.randn([4, 3]);
  nn.functional.mseLoss(src.model.forward(x), torch.zeros([4, 1])).backward();
  src.opt.step();
  const extra = {
    best: Infinity, worst: -Infinity, missing: NaN, negZero: -0, none: null, skipped: undefined,
    ema: { 'fc.weight': torch.ones([2, 2]) }, list: [1, 'two', true, [torch.arange(3)]],
    tricky: { __tensor__: 'not a reference' }, 'dotted.key': torch.zeros([1]), dotted: { key: torch.ones([1]) },
  };
  torch.manualSeed(42);
  torch.randn([3]);
  await saveCheckpoint(path, { model: src.model, optimizer: src.opt, epoch: 4, extra });
  const expectedNext = Array.from(torch.rand([5]).dataSync());

  const dst = setup(4);
  torch.manualSeed(0);
  const got = await loadCheckpoint(path, { model: dst.model, optimizer: dst.opt });
  assert.deepEqual(Array.from(torch.rand([5]).dataSync()), expectedNext, 'next rand() after loading equals the one after saving');
  assert.deepEqual(values(dst.model), values(src.model));
  const buffers = (o: optim.SGD): number[][] => Object.values(o.stateDict().state).map((s) => Array.from((s['momentum_buffer'] as Tensor).dataSync()));
  assert.deepEqual(buffers(dst.opt), buffers(src.opt));
  assert.equal(got.epoch, 4);
  assert.equal(got.step, undefined);
  const e = got.extra as typeof extra;
  assert.deepEqual([e.best, e.worst, e.missing, Object.is(e.negZero, -0), e.none], [Infinity, -Infinity, NaN, true, null]);
  assert.ok('skipped' in e && e.skipped === undefined);
  assert.ok(e.ema['fc.weight'] instanceof Tensor);
  assert.deepEqual(e.ema['fc.weight'].toArray(), [[1, 1], [1, 1]]);
  assert.deepEqual([e.list[0], e.list[1], e.list[2]], [1, 'two', true]);
  assert.deepEqual(((e.list[3] as Tensor[])[0]!).toArray(), [0, 1, 2]);
  assert.deepEqual(e.tricky, { __tensor__: 'not a reference' }, 'user objects that look like tags survive');
  assert.deepEqual([e['dotted.key'].toArray(), e.dotted.key.toArray()], [[0], [1]], 'paths that spell the same name stay distinct');

  const { tensors } = await loadSafetensors(path);
  assert.ok(tensors.has('model.0.weight'), 'the weights are readable by any safetensors reader');
});

test('a fake stateful object (tensors nested in its state) round trips', async () => {
  class Counter implements Stateful {
    count = 0;
    table = torch.zeros([2]);
    stateDict(): unknown { return { count: this.count, nested: { table: this.table.clone() } }; }
    loadStateDict(s: unknown): void {
      const st = s as { count: number; nested: { table: Tensor } };
      this.count = st.count;
      this.table = st.nested.table;
    }
  }
  const path = join(tmp(), 'f.safetensors');
  const c = new Counter();
  c.count = 5;
  c.table = torch.tensor([3, 4]);
  await saveCheckpoint(path, { model: makeModel(0), optimizer: c });
  const d = new Counter();
  await loadCheckpoint(path, { model: makeModel(1), optimizer: d });
  assert.equal(d.count, 5);
  assert.deepEqual(d.table.toArray(), [3, 4]);
});

test('a save that fails part-way leaves the previous checkpoint intact and loadable', async () => {
  const dir = tmp();
  const path = join(dir, 'last.safetensors');
  const model = makeModel(5);
  await saveCheckpoint(path, { model, epoch: 1 });
  const before = readFileSync(path);
  class Exploding extends Tensor {
    override async data(): Promise<never> { throw new Error('killed mid-write'); }
  }
  const t = torch.zeros([4]);
  const huge = torch.zeros([10000], { dtype: 'float64' }); // written before the failing tensor
  await assert.rejects(saveCheckpoint(path, { model, epoch: 2, extra: { huge, bad: new Exploding(t.storage, t.shape) } }), /killed mid-write/);
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(dir), ['last.safetensors']);
  assert.equal((await loadCheckpoint(path, { model: makeModel(6) })).epoch, 1);
});

test('refusals: foreign files, missing parts, unstorable values, and rollback when a part fails', async () => {
  const dir = tmp();
  const plain = join(dir, 'plain.safetensors');
  await saveSafetensors(plain, makeModel(0).stateDict());
  await assert.rejects(loadCheckpoint(plain, { model: makeModel(0) }), (e: unknown) => e instanceof CheckpointError && /not a tsorch checkpoint/.test(e.message) && e.message.includes(plain));
  await assert.rejects(loadCheckpoint(join(dir, 'none'), { model: makeModel(0) }), SafetensorsError);

  const path = join(dir, 'c.safetensors');
  const s = setup(1);
  await saveCheckpoint(path, { model: s.model, epoch: 3 });
  await assert.rejects(loadCheckpoint(path, { model: makeModel(2), optimizer: setup(2).opt }), /options.optimizer was given but the checkpoint holds no optimizer state/);
  await assert.rejects(saveCheckpoint(path, { model: s.model, extra: { cache: new Map() } }), (e: unknown) => e instanceof CheckpointError && /extra\.cache is a Map, which a checkpoint cannot store/.test(e.message));
  await assert.rejects(saveCheckpoint(path, { model: s.model, epoch: 1.5 }), /epoch must be an integer/);

  // The optimizer part fails (two parameter groups saved, one expected): the model must be rolled back.
  const two = setup(1);
  const opt2 = new optim.SGD([{ params: [...two.model.parameters()].slice(0, 2) }, { params: [...two.model.parameters()].slice(2) }], { lr: 0.1 });
  await saveCheckpoint(path, { model: two.model, optimizer: opt2 });
  const target = setup(9);
  const weightsBefore = values(target.model);
  await assert.rejects(loadCheckpoint(path, { model: target.model, optimizer: target.opt }), (e: unknown) => e instanceof CheckpointError && /restoring the optimizer failed, nothing was changed/.test(e.message));
  assert.deepEqual(values(target.model), weightsBefore);
});
