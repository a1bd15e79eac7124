/**
 * WebAssembly memory management: a training loop written the PyTorch way (no dispose() calls,
 * one synchronous job) must keep the wasm heap flat, because dead storages are freed by
 * finalization that the allocator drives under pressure. Also: explicit dispose(), use after
 * dispose, and memory growth (views re-created, old tensors still readable).
 *
 * TSORCH_MEMORY_STEPS=10000 node --test build/test/backend/wasm-memory.test.js runs the long
 * version; the numbers are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { optim } from '../../src/index.js';
import { collectWasmGarbage, wasmMemoryStats, WasmStorage } from '../../src/backend/wasm/index.js';

const MiB = 1024 * 1024;
const fmt = (b: number): string => `${(b / MiB).toFixed(2)} MiB`;

describe('wasm memory', () => {
  test('a tiny MLP trained with SGD for thousands of steps keeps the wasm heap flat', (t) => {
    torch.withBackend('wasm', () => {
      const steps = Number(process.env['TSORCH_MEMORY_STEPS'] ?? 3000);
      torch.manualSeed(0);
      const x = torch.randn([64, 8]);
      const y = x.sum(1, true).sin();
      const w1 = torch.randn([8, 32]).mul(0.3).requiresGrad_();
      const b1 = torch.zeros([32], { requiresGrad: true });
      const w2 = torch.randn([32, 1]).mul(0.1).requiresGrad_();
      const b2 = torch.zeros([1], { requiresGrad: true });
      const opt = new optim.SGD([w1, b1, w2, b2], { lr: 0.05, momentum: 0.9 });
      const rss0 = process.memoryUsage().rss;
      let warm: ReturnType<typeof wasmMemoryStats> = null;
      let warmStep = -1;
      let rssWarm = rss0;
      let first = 0;
      let last = 0;
      for (let step = 0; step < steps; step++) {
        const loss = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(y).pow(2).mean();
        opt.zeroGrad();
        loss.backward();
        opt.step();
        if (step === 0) first = loss.item();
        if (step === steps - 1) last = loss.item();
        // Warm-up ends once the allocator has collected twice: the heap has seen its steady peak.
        const s = wasmMemoryStats()!;
        if (warm === null && s.collections >= 2) {
          warm = s;
          warmStep = step;
          rssWarm = process.memoryUsage().rss;
        }
      }
      const end = wasmMemoryStats()!;
      const rssEnd = process.memoryUsage().rss;
      assert.ok(last < first, `the loss falls (${first} → ${last})`);
      assert.ok(warm !== null, `the allocator never collected in ${steps} steps (threshold ${fmt(end.collectThresholdBytes)})`);
      const growth = (end.heapBytes - warm.heapBytes) / warm.heapBytes;
      t.diagnostic(`steps ${steps}; warm-up ended at step ${warmStep}; collections ${end.collections}`);
      t.diagnostic(`wasm heap after warm-up ${fmt(warm.heapBytes)}, at the end ${fmt(end.heapBytes)} (growth ${(100 * growth).toFixed(2)}%)`);
      t.diagnostic(`wasm memory ${fmt(warm.memoryBytes)} → ${fmt(end.memoryBytes)}; peak in use ${fmt(end.peakInUseBytes)}; in use at the end ${fmt(end.inUseBytes)} in ${end.liveBlocks} blocks`);
      t.diagnostic(`process RSS start ${fmt(rss0)}, after warm-up ${fmt(rssWarm)}, end ${fmt(rssEnd)}`);
      assert.ok(growth < 0.05, `wasm heap grew ${(100 * growth).toFixed(2)}% after warm-up`);
      assert.equal(end.memoryBytes, warm.memoryBytes, 'the WebAssembly memory grew after warm-up');
    });
  });

  test('dispose() frees at once, is idempotent, and a disposed tensor refuses to be used', () => {
    torch.withBackend('wasm', () => {
      collectWasmGarbage();
      const before = wasmMemoryStats()!.inUseBytes;
      const t = torch.ones([1000], { dtype: 'float64' });
      const s = t.storage as WasmStorage;
      assert.ok(wasmMemoryStats()!.inUseBytes >= before + 8000);
      s.dispose();
      s.dispose();
      assert.equal(s.disposed, true);
      assert.ok(wasmMemoryStats()!.inUseBytes < before + 8000);
      assert.throws(() => t.sum(), (e: unknown) => e instanceof torch.TsorchError && /disposed/.test(e.message));
    });
  });

  test('growing the memory keeps older tensors readable and kernels working', () => {
    torch.withBackend('wasm', () => {
      const a = torch.arange(10, undefined, 1, { dtype: 'float32' });
      const before = wasmMemoryStats()!.memoryBytes;
      const big = torch.zeros([Math.ceil(before / 4) + 1024 * 1024]); // more than the whole memory
      assert.ok(wasmMemoryStats()!.memoryBytes > before, 'the memory grew');
      assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(a.mul(2).sum().item(), 90);
      assert.equal(big.sum().item(), 0);
    });
  });

  test('garbage is freed when the event loop turns, without any collection by the allocator', async () => {
    await torch.withBackend('wasm', async () => {
      collectWasmGarbage();
      const before = wasmMemoryStats()!.inUseBytes;
      for (let i = 0; i < 100; i++) torch.ones([256]).add(1);
      collectWasmGarbage();
      assert.ok(wasmMemoryStats()!.inUseBytes <= before + 4096, `in use ${wasmMemoryStats()!.inUseBytes} vs ${before} before`);
    });
  });
});
