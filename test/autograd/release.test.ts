/**
 * Early freeing of dead temporaries (tensor/release.ts) on the wasm backend: the autograd
 * engine frees consumed gradients at once, layers free intermediates no backward rule reads,
 * and nothing the caller can still reach is ever freed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, nn, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { releaseWhenUnheld } from '../../src/tensor/release.js';

const vals = (t: Tensor | null): number[] => {
  assert.ok(t, 'expected a tensor');
  return Array.from(t.dataSync());
};

describe('freeing dead temporaries early (wasm)', () => {
  test('backward frees the gradients it consumed: in-use memory grows by little more than the leaf gradient', () => {
    torch.withBackend('wasm', () => {
      const n = 1 << 18; // 1 MiB of float32
      const x = torch.randn([n], { requiresGrad: true });
      let y = x;
      for (let i = 0; i < 12; i++) y = y.mul(1.5).add(0.25);
      const loss = y.sum();
      const before = torch.wasmMemoryStats()!.inUseBytes;
      loss.backward();
      const grown = torch.wasmMemoryStats()!.inUseBytes - before;
      // 24 nodes each make a 1 MiB gradient; only x.grad (1 MiB) must stay, plus small blocks.
      assert.ok(grown <= 1.5 * 4 * n, `in-use memory grew by ${grown} bytes`);
      assertClose(vals(x.grad), new Array<number>(n).fill(1.5 ** 12), { rtol: 1e-6, atol: 0 }, 'x.grad');
    });
  });

  test('a leaf whose .grad is empty takes a gradient it alone holds instead of copying it', () => {
    torch.withBackend('wasm', () => {
      const backend = torch.getBackend('wasm') as unknown as { copy: (...a: unknown[]) => unknown };
      const copy = backend.copy;
      let copies = 0;
      const w = torch.randn([64, 32], { requiresGrad: true });
      const b = torch.randn([64], { requiresGrad: true });
      const x = torch.randn([16, 32]);
      backend.copy = (...a: unknown[]) => { copies++; return copy.apply(backend, a); };
      try {
        nn.functional.linear(x, w, b).pow(2).sum().backward();
      } finally {
        backend.copy = copy;
      }
      assert.equal(copies, 0, 'no gradient was copied into .grad');
      const ref = torch.withBackend('cpu', () => {
        const wc = torch.tensor(w.toArray() as number[][], { requiresGrad: true });
        const bc = torch.tensor(b.toArray() as number[], { requiresGrad: true });
        nn.functional.linear(torch.tensor(x.toArray() as number[][]), wc, bc).pow(2).sum().backward();
        return { w: vals(wc.grad), b: vals(bc.grad) };
      });
      assertClose(vals(w.grad), ref.w, { rtol: 1e-5, atol: 1e-4 }, 'w.grad');
      assertClose(vals(b.grad), ref.b, { rtol: 1e-5, atol: 1e-4 }, 'b.grad');
    });
  });

  test('releaseWhenUnheld frees at once without a graph, else when the last node holding the storage is released', () => {
    torch.withBackend('wasm', () => {
      const storageOf = (t: Tensor): { disposed: boolean } => t.storage as unknown as { disposed: boolean };
      const free = torch.randn([8]).mul(2);
      releaseWhenUnheld(free);
      assert.equal(storageOf(free).disposed, true, 'no graph holds it: freed at once');

      const x = torch.randn([8], { requiresGrad: true });
      const h = x.mul(3); // held by mul (its output) and by exp, whose backward reads its output
      const y = h.exp();
      const z = y.mul(h); // mul's backward reads both inputs
      releaseWhenUnheld(h, z);
      releaseWhenUnheld(y, z);
      assert.equal(storageOf(h).disposed, false, 'held by the graph');
      z.sum().backward(undefined, { retainGraph: true });
      assert.equal(storageOf(h).disposed, false, 'retainGraph keeps every node');
      const g1 = vals(x.grad);
      x.grad = null;
      z.sum().backward();
      assert.equal(storageOf(h).disposed, true, 'freed once backward released its holders');
      assert.equal(storageOf(y).disposed, true);
      assert.deepEqual(vals(x.grad), g1, 'the second backward read the same values');
      const xv = vals(x);
      assertClose(g1, xv.map((v) => Math.exp(3 * v) * (9 * v + 3)), { rtol: 1e-4, atol: 1e-4 }, 'd/dx 3x·e^(3x)');

      const k = torch.randn([4]).mul(1);
      const view = k.reshape([2, 2]);
      releaseWhenUnheld(k, view);
      assert.equal(storageOf(k).disposed, false, 'a kept tensor shares the storage');
    });
  });

  test('a Transformer layer\'s training step leaves almost nothing behind for the garbage collector', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(4);
      const layer = new nn.TransformerEncoderLayer({ dModel: 64, nhead: 4, dimFeedforward: 256, dropout: 0.1, batchFirst: true });
      const x = torch.randn([16, 32, 64]);
      const step = (): void => {
        for (const p of layer.parameters()) p.grad = null;
        layer.forward(x).sum().backward();
      };
      step();
      // Gradients of the last step are dropped (not freed) by the next one: free them here, so
      // only what the step itself leaves behind is counted.
      for (const p of layer.parameters()) { (p.grad!.storage as unknown as { dispose(): void }).dispose(); p.grad = null; }
      const before = torch.wasmMemoryStats()!.inUseBytes;
      step();
      const grown = torch.wasmMemoryStats()!.inUseBytes - before;
      const paramBytes = [...layer.parameters()].reduce((n, p) => n + 4 * p.numel(), 0);
      // Activations of the step: 12 tensors of [512, 64] or [512, 256] float32 (~2.5 MB); what
      // stays is the new gradients (~0.2 MB), the output (128 KB) and small blocks.
      assert.ok(grown < paramBytes + 256 * 1024, `in-use memory grew by ${grown} bytes (parameters: ${paramBytes})`);
    });
  });

  test('gradients shared between inputs, the caller\'s gradient and grad()\'s results stay readable', () => {
    torch.withBackend('wasm', () => {
      const a = torch.randn([5], { requiresGrad: true });
      const b = a.add(a).mul(a); // add returns one gradient to both of its inputs (the same tensor)
      const g = torch.randn([5]);
      b.backward(g);
      const av = vals(a), gv = vals(g);
      assertClose(vals(a.grad), av.map((v, i) => 4 * v * gv[i]!), { rtol: 1e-5, atol: 1e-6 }, 'a.grad');
      const c = torch.randn([4], { requiresGrad: true });
      const d = c.mul(2);
      const [gc, gd] = grad([d.add(d).sum()], [c, d]);
      assert.deepEqual(vals(gc!), [4, 4, 4, 4]);
      assert.deepEqual(vals(gd!), [2, 2, 2, 2]);
    });
  });

  test('a TransformerEncoder in eval mode leaves its input intact and gives the same output twice', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(1);
      const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, batchFirst: true }), 2);
      enc.eval();
      const x = torch.randn([2, 5, 8]);
      const x0 = vals(x);
      const y1 = vals(torch.noGrad(() => enc.forward(x)));
      const y2 = vals(enc.forward(x)); // grad mode on: a graph is recorded, nothing freed that backward needs
      assert.deepEqual(vals(x), x0);
      assertClose(y2, y1, { rtol: 0, atol: 0 }, 'second forward');
    });
  });

  test('Linear on (N, L, in) runs as one 2-D product and matches the reference, gradients included', () => {
    const run = (b: string): { y: number[]; gw: number[]; gb: number[]; gx: number[] } => torch.withBackend(b, () => {
      torch.manualSeed(3);
      const fc = new nn.Linear(6, 4);
      const x = torch.randn([3, 5, 6], { requiresGrad: true });
      const y = fc.forward(x);
      assert.deepEqual(y.shape, [3, 5, 4]);
      y.mul(torch.randn([3, 5, 4])).sum().backward();
      return { y: vals(y), gw: vals(fc.weight.grad), gb: vals(fc.bias!.grad), gx: vals(x.grad) };
    });
    const w = run('wasm');
    const c = run('cpu');
    for (const k of ['y', 'gw', 'gb', 'gx'] as const) assertClose(w[k], c[k], { rtol: 1e-5, atol: 1e-6 }, k);
  });
});
