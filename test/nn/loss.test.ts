import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn } from '../../src/index.js';

const F = nn.functional;

test('loss modules compute the same values as their functional forms with the same options', () => {
  torch.manualSeed(1);
  const logits = torch.randn([6, 4]);
  const labels = torch.tensor([0, 3, 1, 1, 2, -100], { dtype: 'int64' });
  const weight = torch.tensor([1, 2, 0.5, 1]);
  const opts = { weight, labelSmoothing: 0.1 };
  assert.equal(new nn.CrossEntropyLoss(opts).forward(logits, labels).item(), F.crossEntropy(logits, labels, opts).item());
  const logp = logits.logSoftmax(1);
  assert.equal(new nn.NLLLoss().forward(logp, labels).item(), F.nllLoss(logp, labels).item());
  const a = torch.randn([3, 2]);
  const b = torch.randn([3, 2]);
  assert.equal(new nn.MSELoss({ reduction: 'sum' }).forward(a, b).item(), a.sub(b).pow(2).sum().item());
  assert.equal(new nn.L1Loss().forward(a, b).item(), F.l1Loss(a, b).item());
  assert.equal(new nn.HuberLoss({ delta: 0.5 }).forward(a, b).item(), F.huberLoss(a, b, { delta: 0.5 }).item());
  assert.equal(new nn.SmoothL1Loss({ beta: 0.5 }).forward(a, b).item(), F.smoothL1Loss(a, b, { beta: 0.5 }).item());
  const t = torch.rand([3, 2]);
  assert.equal(new nn.BCEWithLogitsLoss().forward(a, t).item(), F.binaryCrossEntropyWithLogits(a, t).item());
  assert.equal(new nn.BCELoss().forward(a.sigmoid(), t).item(), F.binaryCrossEntropy(a.sigmoid(), t).item());
  assert.equal(new nn.KLDivLoss({ reduction: 'batchmean' }).forward(logp, logits.softmax(1)).item(), F.klDiv(logp, logits.softmax(1), { reduction: 'batchmean' }).item());
});

test('a linear classifier trained with CrossEntropyLoss and SGD separates two blobs', () => {
  torch.manualSeed(0);
  const x = torch.cat([torch.randn([50, 2]).add(2), torch.randn([50, 2]).sub(2)]);
  const y = torch.cat([torch.zeros([50], { dtype: 'int64' }), torch.ones([50], { dtype: 'int64' })]);
  const model = new nn.Linear(2, 2);
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
  let first = 0;
  let last = 0;
  for (let i = 0; i < 30; i++) {
    const loss = lossFn.forward(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (i === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(last < first / 5, `loss ${first} → ${last}`);
  const acc = model.forward(x).argmax(1).eq(y).float().mean().item();
  assert.ok(acc > 0.95, `accuracy ${acc}`);
});

test('pad follows PyTorch order: pairs start from the last dimension', () => {
  const x = torch.ones([1, 2]);
  assert.deepEqual(F.pad(x, [1, 0]).toArray(), [[0, 1, 1]]);
  assert.deepEqual(F.pad(x, [0, 0, 1, 1], 5).toArray(), [[5, 5], [1, 1], [5, 5]]);
  assert.throws(() => F.pad(x, [1]), /pad: padding must hold/);
});
