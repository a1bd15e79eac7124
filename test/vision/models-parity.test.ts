/**
 * The vision models against the same models in PyTorch (fixtures/vision/{lenet,vgg,resnet},
 * written by scripts/fixtures/vision.py with plain torch.nn), in float32:
 * - built after the same seed, the weights equal PyTorch's (torchvision's init for VGG/ResNet);
 * - with PyTorch's weights loaded by name, the train-mode logits and loss, every parameter's
 *   gradient, the batch-norm running statistics after that forward, and the eval-mode logits
 *   match within a relative error of 1e-4 (max|ours − torch| / max|torch|, per tensor).
 * Gradients are compared relative to max(max|torch|, 1e-2 × the model's largest gradient): the
 * VGG's conv biases sit before batch norm, where the exact gradient is 0 and float32 leaves
 * rounding noise (the ResNet's convs have no bias, as torchvision's).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualSeed, nn, type Tensor } from '../../src/index.js';
import { LeNet5, ResNet, VGG } from '../../src/vision/index.js';
import { get, loadVisionFixture } from './fixture.js';

const MAX_REL = 1e-4;

type Model = nn.Module & { forward(x: Tensor): Tensor };

const models: Record<string, { seed: number; build: () => Model }> = {
  lenet: { seed: 1, build: () => new LeNet5() },
  vgg: { seed: 2, build: () => new VGG({ config: [4, 'M', 8, 'M'], hidden: 16, dropout: 0 }) },
  resnet: { seed: 3, build: () => new ResNet({ blocks: [2, 1, 1], widths: [4, 8, 16] }) },
};

function maxAbs(t: Tensor): number {
  return Array.from(t.dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function relError(a: Tensor, b: Tensor, floor = 0): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  for (let i = 0; i < y.length; i++) diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
  const scale = Math.max(maxAbs(b), floor);
  return scale === 0 ? diff : diff / scale;
}

function prefixed(all: Map<string, Tensor>, prefix: string): Map<string, Tensor> {
  return new Map([...all].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** Largest relative error seen per model and check, printed as the suite's summary. */
const measured: Record<string, number> = {};

describe('vision models match PyTorch (float32, relative error ≤ 1e-4)', () => {
  for (const [name, { seed, build }] of Object.entries(models)) {
    const { tensors } = loadVisionFixture(name);
    const check = (what: string, ours: Tensor, theirs: Tensor, floor = 0): void => {
      const e = relError(ours.to('float32'), theirs.to('float32'), floor);
      const key = `${name} ${what.split(' ')[0]}`;
      measured[key] = Math.max(measured[key] ?? 0, e);
      assert.ok(e <= MAX_REL, `${name} ${what}: relative error ${e.toExponential(2)} > ${MAX_REL}`);
    };

    test(`${name}: built after manualSeed(${seed}), the weights are PyTorch's`, () => {
      manualSeed(seed);
      const state = build().stateDict();
      const theirs = prefixed(tensors, 'param.');
      assert.deepEqual([...state.keys()].sort(), [...theirs.keys()].sort());
      for (const [k, v] of theirs) check(`init ${k}`, state.get(k)!, v);
    });

    test(`${name}: logits, loss, gradients, running statistics and eval logits with PyTorch's weights`, () => {
      const model = build();
      model.loadStateDict(prefixed(tensors, 'param.'));
      model.train();
      const x = get(tensors, 'input.x');
      const logits = model.forward(x);
      check('logits', logits, get(tensors, 'out.logits'));
      const loss = nn.functional.crossEntropy(logits, get(tensors, 'input.y'));
      check('loss', loss.reshape([1]), get(tensors, 'out.loss'));
      loss.backward();
      const grads = prefixed(tensors, 'grad.');
      const params = new Map(model.namedParameters());
      assert.deepEqual([...params.keys()].sort(), [...grads.keys()].sort());
      const scale = Math.max(...[...grads.values()].map(maxAbs));
      for (const [k, g] of grads) check(`grad ${k}`, params.get(k)!.grad!, g, 1e-2 * scale);
      const buffers = new Map(model.namedBuffers());
      for (const [k, b] of prefixed(tensors, 'buffer.')) check(`buffer ${k}`, buffers.get(k)!, b);
      model.eval();
      check('eval logits', model.forward(x), get(tensors, 'out.eval_logits'));
    });
  }

  test('summary: the largest relative errors measured', () => {
    const entries = Object.entries(measured);
    assert.ok(entries.length > 0);
    for (const [k, v] of entries) console.log(`${k}: ${v.toExponential(2)}`);
  });
});
