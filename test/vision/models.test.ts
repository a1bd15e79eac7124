import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { manualSeed, nn, ShapeError, ValueError } from '../../src/index.js';
import { BasicBlock, LeNet5, ResNet, VGG } from '../../src/vision/index.js';

const names = (m: nn.Module): string[] => [...m.stateDict().keys()];

test('LeNet5 maps (N, 1, 28, 28) to (N, 10) with conv1, conv2, fc1, fc2, fc3 and 61,706 parameters', () => {
  manualSeed(0);
  const net = new LeNet5();
  assert.deepEqual(net.forward(torch.randn([2, 1, 28, 28])).shape, [2, 10]);
  assert.deepEqual(names(net), ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
  assert.deepEqual(net.conv1.weight.shape, [6, 1, 5, 5]);
  assert.deepEqual(net.fc1.weight.shape, [120, 400]);
  assert.equal(net.numParameters(), 61706);
  const rgb = new LeNet5({ inChannels: 3, inputSize: 32, numClasses: 100 });
  assert.deepEqual(rgb.fc1.weight.shape, [120, 16 * 6 * 6]);
  assert.deepEqual(rgb.forward(torch.randn([1, 3, 32, 32])).shape, [1, 100]);
  assert.throws(() => new LeNet5({ inputSize: 10 }), /inputSize 10 is too small/);
});

test('VGG has torchvision names: features.i for conv/bn, classifier.0/.3/.6 for the linear layers', () => {
  manualSeed(0);
  const net = new VGG({ config: [8, 'M', 16, 'M'], hidden: 32 });
  assert.deepEqual(net.forward(torch.randn([2, 1, 28, 28])).shape, [2, 10]);
  const bn = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];
  assert.deepEqual(names(net), [
    'features.0.weight', 'features.0.bias', ...bn.map((k) => `features.1.${k}`),
    'features.4.weight', 'features.4.bias', ...bn.map((k) => `features.5.${k}`),
    'classifier.0.weight', 'classifier.0.bias', 'classifier.3.weight', 'classifier.3.bias', 'classifier.6.weight', 'classifier.6.bias',
  ]);
  assert.deepEqual(net.classifier.at(0).stateDict().get('weight')!.shape, [32, 16 * 7 * 7]);
  const bias = net.stateDict().get('classifier.0.bias')!;
  assert.ok(bias.dataSync().every((v) => v === 0), 'torchvision init: linear biases 0');
  const plain = new VGG({ batchNorm: false, config: [4, 'M'] });
  assert.deepEqual(names(plain).slice(0, 3), ['features.0.weight', 'features.0.bias', 'classifier.0.weight']);
  assert.deepEqual(new VGG().forward(torch.randn([1, 1, 28, 28])).shape, [1, 10], 'the default config');
  assert.throws(() => new VGG({ config: ['M', 'M', 'M', 'M', 'M'] }), /pools a 28×28 image below 1×1/);
});

test('ResNet has torchvision names: conv1, bn1, layerK.B.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}, fc', () => {
  manualSeed(0);
  const net = new ResNet();
  assert.deepEqual(net.forward(torch.randn([2, 1, 28, 28])).shape, [2, 10]);
  const params = [...net.namedParameters()].map(([k]) => k);
  const block = (p: string, down: boolean): string[] => [
    `${p}.conv1.weight`, `${p}.bn1.weight`, `${p}.bn1.bias`, `${p}.conv2.weight`, `${p}.bn2.weight`, `${p}.bn2.bias`,
    ...(down ? [`${p}.downsample.0.weight`, `${p}.downsample.1.weight`, `${p}.downsample.1.bias`] : []),
  ];
  assert.deepEqual(params, [
    'conv1.weight', 'bn1.weight', 'bn1.bias',
    ...block('layer1.0', false), ...block('layer1.1', false),
    ...block('layer2.0', true), ...block('layer2.1', false),
    ...block('layer3.0', true), ...block('layer3.1', false),
    'fc.weight', 'fc.bias',
  ]);
  assert.ok(!params.some((k) => /conv\d?\.bias|downsample\.0\.bias/.test(k)), 'convs before batch norm have no bias');
  assert.deepEqual(net.layer3.at(0).stateDict().get('downsample.0.weight')!.shape, [64, 32, 1, 1]);
  assert.ok(names(net).includes('layer2.0.downsample.1.running_var'));
  assert.equal(net.numParameters(), 174970);
});

test('BasicBlock halves the resolution with stride 2 and adds the downsampled input', () => {
  manualSeed(0);
  const b = new BasicBlock(4, 8, 2);
  assert.deepEqual(b.forward(torch.randn([1, 4, 7, 7])).shape, [1, 8, 4, 4]);
  assert.equal(new BasicBlock(8, 8).downsample, null);
  const x = torch.randn([2, 8, 5, 5]);
  const id = new BasicBlock(8, 8);
  nn.init.zeros_(id.bn2.weight!);
  assert.deepEqual(id.forward(x).toArray(), x.relu().toArray(), 'with bn2 zeroed the block is relu(x)');
});

test('a wrong image size or channel count fails with the model name and the shape', () => {
  manualSeed(0);
  const cases: [string, { forward(x: torch.Tensor): torch.Tensor }][] = [['ResNet', new ResNet()], ['LeNet5', new LeNet5()], ['VGG', new VGG({ config: [4, 'M'] })]];
  for (const [name, model] of cases) {
    assert.throws(() => model.forward(torch.randn([2, 3, 32, 32])), (e: unknown) => {
      assert.ok(e instanceof ShapeError);
      assert.ok(e.message.startsWith(`${name}: expected input of shape (N, 1, 28, 28), a batch of 1×28×28 images`), e.message);
      assert.ok(e.message.endsWith('got: [2,3,32,32]'), e.message);
      assert.match(e.message, /inChannels: 3, inputSize: 32/);
      return true;
    });
  }
  assert.throws(() => new ResNet().forward(torch.randn([1, 28, 28])), /a single image: add the batch dimension with x\.unsqueeze\(0\)\); got: \[1,28,28\]/);
  assert.throws(() => new ResNet({ widths: [16, 0, 64] }), ValueError);
});

test('one SGD step on a batch lowers each model\'s loss on that batch', () => {
  const cases: [string, () => nn.Module & { forward(x: torch.Tensor): torch.Tensor }][] = [
    ['LeNet5', () => new LeNet5()],
    ['VGG', () => new VGG({ config: [4, 'M', 8, 'M'], hidden: 16, dropout: 0 })],
    ['ResNet', () => new ResNet({ blocks: [1, 1, 1], widths: [4, 8, 16] })],
  ];
  for (const [name, build] of cases) {
    manualSeed(0);
    const model = build();
    const x = torch.randn([8, 1, 28, 28]);
    const y = torch.randint(0, 10, [8]);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const lossOf = (): torch.Tensor => nn.functional.crossEntropy(model.forward(x), y);
    const before = lossOf();
    opt.zeroGrad();
    before.backward();
    opt.step();
    const after = lossOf().item();
    assert.ok(after < before.item(), `${name}: loss ${before.item().toFixed(4)} → ${after.toFixed(4)}`);
  }
});
