/**
 * NeuMF parity with PyTorch (fixtures/models/neumf.safetensors, written by
 * scripts/fixtures/neumf.py): PyTorch's weights load by name into tsorch's NeuMF, and the logits,
 * the BCE-with-logits loss, every gradient and every parameter after one Adam step match in
 * float32 to 1e-4 relative (max|ours − torch| / max|torch| per tensor; float32 sums in another
 * order differ by ~1e-6).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deserialize } from '../../src/io/safetensors.js';
import { binaryCrossEntropyWithLogits } from '../../src/ops/index.js';
import { Adam } from '../../src/optim/adam.js';
import { NeuMF } from '../../src/recsys/ncf.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { repoRoot } from '../helpers/fixtures.js';

function relError(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) { diff = Math.max(diff, Math.abs(x[i]! - y[i]!)); scale = Math.max(scale, Math.abs(y[i]!)); }
  return scale === 0 ? diff : diff / scale;
}

test('NeuMF matches PyTorch: logits, BCE loss, gradients and one Adam step', () => {
  const { tensors } = deserialize(readFileSync(join(repoRoot(), 'fixtures', 'models', 'neumf.safetensors')));
  const get = (k: string): Tensor => tensors.get(k) ?? assert.fail(`fixture lacks ${k}`);
  const net = new NeuMF(7, 9, 4, [8, 6, 4]);
  const params = new Map([...tensors].filter(([k]) => k.startsWith('param.')).map(([k, v]) => [k.slice('param.'.length), v]));
  assert.deepEqual([...net.stateDict().keys()].sort(), [...params.keys()].sort());
  net.loadStateDict(params);
  const logits = net.forward(get('input.user'), get('input.item'));
  assert.ok(relError(logits, get('out.logits')) < 1e-4, 'logits');
  const loss = binaryCrossEntropyWithLogits(logits, get('input.y'));
  assert.ok(Math.abs(loss.item() - get('out.loss').item()) < 1e-5);
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  opt.zeroGrad();
  loss.backward();
  for (const [name, p] of net.namedParameters()) assert.ok(relError(p.grad!, get(`grad.${name}`)) < 1e-4, `grad.${name}`);
  opt.step();
  for (const [name, v] of net.stateDict()) assert.ok(relError(v, get(`after.${name}`)) < 1e-4, `after.${name}`);
});
