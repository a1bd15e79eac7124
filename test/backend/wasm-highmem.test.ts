/**
 * Addresses past 2 GiB: byte addresses there do not fit a signed int32, so every host-side
 * address computation must stay unsigned. Fills the heap past 2 GiB with one big tensor, then
 * runs every kind of kernel on tensors placed above it. (Its own test file: the memory, once
 * grown, stays grown for the process.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { wasmMemoryStats, WasmStorage } from '../../src/backend/wasm/index.js';

test('kernels work on storages above 2 GiB', () => {
  torch.withBackend('wasm', () => {
    const fill = torch.zeros([Math.ceil(2.05 * 2 ** 30 / 4)]); // 2.05 GiB of float32
    const a = torch.arange(12, undefined, 1, { dtype: 'float64' }).reshape(3, 4);
    const b = torch.tensor([[1, 0], [0, 1], [1, 1], [2, 0]], { dtype: 'float64' });
    assert.ok((a.storage as WasmStorage).ptr >= 2 ** 31, `placed at ${(a.storage as WasmStorage).ptr}`);
    assert.ok(wasmMemoryStats()!.memoryBytes > 2 ** 31);
    assert.deepEqual(a.t().toArray(), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    assert.deepEqual(a.matmul(b).toArray(), [[8, 3], [24, 11], [40, 19]]);
    assert.deepEqual(a.float().add(1).sum(1).toArray(), [10, 26, 42]);
    assert.deepEqual(a.gather(1, torch.tensor([[3], [0], [1]], { dtype: 'int64' })).toArray(), [[3], [4], [9]]);
    assert.throws(() => a.gather(1, torch.tensor([[4], [0], [1]], { dtype: 'int64' })), /index 4 is out of bounds for dimension 1 with size 4/);
    const c = torch.zeros([3, 4], { dtype: 'float64' });
    c.copy_(a.t().t());
    assert.deepEqual(c.toArray(), a.toArray());
    assert.equal(fill.numel(), Math.ceil(2.05 * 2 ** 30 / 4));
  });
});
