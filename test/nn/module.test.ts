import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn, type Tensor } from '../../src/index.js';

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  act = new nn.ReLU();
  head = new nn.Sequential(new nn.Linear(8, 3), new nn.Tanh());
  forward(x: Tensor): Tensor {
    return this.head.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class WithBuffer extends nn.Module {
  lin = new nn.Linear(2, 2);
  declare running: Tensor;
  declare scratch: Tensor;
  constructor() {
    super();
    this.registerBuffer('running', torch.zeros([2]));
    this.registerBuffer('scratch', torch.ones([2]), false);
  }
  forward(x: Tensor): Tensor { return this.lin.forward(x).add(this.running); }
}

test('stateDict names follow PyTorch: property names joined by dots, containers numbered', () => {
  const net = new Net();
  assert.deepEqual([...net.stateDict().keys()], ['fc1.weight', 'fc1.bias', 'head.0.weight', 'head.0.bias']);
  assert.deepEqual([...net.namedParameters()].map(([k]) => k), ['fc1.weight', 'fc1.bias', 'head.0.weight', 'head.0.bias']);
  assert.equal(net.numParameters(), 4 * 8 + 8 + 8 * 3 + 3);
  assert.deepEqual([...net.namedModules()].map(([k]) => k), ['', 'fc1', 'act', 'head', 'head.0', 'head.1']);
});

test('buffers: persistent ones are in the state dict after parameters, non-persistent ones are not', () => {
  const m = new WithBuffer();
  assert.deepEqual([...m.stateDict().keys()], ['running', 'lin.weight', 'lin.bias']);
  assert.deepEqual([...m.namedBuffers()].map(([k]) => k), ['running', 'scratch']);
});

test('loadStateDict copies values in place and round-trips', () => {
  const a = new Net();
  const b = new Net();
  const weightBefore = b.fc1.weight;
  b.loadStateDict(a.stateDict());
  assert.equal(b.fc1.weight, weightBefore, 'the parameter object is kept (optimizers hold it)');
  for (const [k, v] of a.stateDict()) assert.deepEqual(b.stateDict().get(k)!.toArray(), v.toArray(), k);
});

test('loadStateDict lists every missing key, unexpected key and shape mismatch, and changes nothing', () => {
  const net = new Net();
  const before = net.fc1.bias!.toArray();
  const bad = new Map(net.stateDict());
  bad.delete('head.0.bias');
  bad.set('extra.weight', torch.zeros([1]));
  bad.set('fc1.weight', torch.zeros([8, 5]));
  bad.set('fc1.bias', torch.ones([8]));
  assert.throws(() => net.loadStateDict(bad), (e: Error) => {
    assert.ok(e instanceof nn.StateDictError);
    assert.match(e.message, /missing keys: head\.0\.bias/);
    assert.match(e.message, /unexpected keys: extra\.weight/);
    assert.match(e.message, /fc1\.weight: \[8,4\] vs \[8,5\]/);
    return true;
  });
  assert.deepEqual(net.fc1.bias!.toArray(), before);
});

test('loadStateDict with strict false reports missing and unexpected keys and loads the rest', () => {
  const net = new Net();
  const r = net.loadStateDict({ 'fc1.bias': torch.ones([8]), other: torch.zeros([2]) }, { strict: false });
  assert.deepEqual(r.unexpectedKeys, ['other']);
  assert.deepEqual(r.missingKeys, ['fc1.weight', 'head.0.weight', 'head.0.bias']);
  assert.deepEqual(net.fc1.bias!.toArray(), new Array(8).fill(1));
});

test('train and eval set the mode on every descendant', () => {
  const net = new Net();
  net.eval();
  assert.ok([...net.modules()].every((m) => !m.training));
  net.train();
  assert.ok([...net.modules()].every((m) => m.training));
});

test('zeroGrad clears gradients, requiresGrad_(false) freezes parameters, apply visits every module', () => {
  const net = new Net();
  net.forward(torch.randn([5, 4])).sum().backward();
  assert.ok(net.fc1.weight.grad !== null);
  net.zeroGrad();
  assert.equal(net.fc1.weight.grad, null);
  net.requiresGrad_(false);
  const y = net.forward(torch.randn([5, 4]));
  assert.equal(y.requiresGrad, false);
  const names: string[] = [];
  net.apply((m) => names.push(m.constructor.name));
  assert.deepEqual(names, ['Linear', 'ReLU', 'Linear', 'Tanh', 'Sequential', 'Net']);
});

test('Linear computes x Wᵀ + b and names the op and shape on a wrong input size', () => {
  const lin = new nn.Linear(3, 2);
  torch.noGrad(() => {
    lin.weight.copy_(torch.tensor([[1, 2, 3], [4, 5, 6]]));
    lin.bias!.copy_(torch.tensor([0.5, -1]));
  });
  assert.deepEqual(lin.forward(torch.tensor([[1, 0, -1]])).toArray(), [[-1.5, -3]]);
  assert.throws(() => lin.forward(torch.zeros([2, 4])), /Linear: expected the last dimension of the input to be inFeatures = 3: \[2,4\]/);
});

test('Embedding looks rows up, keeps the padding row out of the gradient, and rejects bad indices', () => {
  const emb = new nn.Embedding(5, 3, { paddingIdx: 0 });
  assert.deepEqual(emb.weight.select(0, 0).toArray(), [0, 0, 0]);
  const idx = torch.tensor([[0, 2, 2]], { dtype: 'int64' });
  const out = emb.forward(idx);
  assert.deepEqual(out.shape, [1, 3, 3]);
  out.sum().backward();
  assert.deepEqual(emb.weight.grad!.toArray(), [[0, 0, 0], [0, 0, 0], [2, 2, 2], [0, 0, 0], [0, 0, 0]]);
  assert.throws(() => emb.forward(torch.tensor([5], { dtype: 'int64' })), /index 5 is out of range/);
});

test('ModuleList and ModuleDict register children under PyTorch names', () => {
  class M extends nn.Module {
    layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    heads = new nn.ModuleDict({ cls: new nn.Linear(2, 3) });
    forward(x: Tensor): Tensor { return x; }
  }
  const m = new M();
  assert.deepEqual([...m.stateDict().keys()], ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'heads.cls.weight', 'heads.cls.bias']);
  assert.equal(m.layers.length, 2);
  assert.throws(() => m.heads.get('nope'), /no module named 'nope'/);
});

test('to(float64) converts every parameter and buffer, and the model still trains', () => {
  const m = new WithBuffer().double();
  assert.ok([...m.parameters()].every((p) => p.dtype === 'float64' && p.requiresGrad));
  assert.equal(m.running.dtype, 'float64');
  const y = m.forward(torch.randn([3, 2], { dtype: 'float64' }));
  assert.equal(y.dtype, 'float64');
  y.sum().backward();
  assert.equal(m.lin.weight.grad!.dtype, 'float64');
});
