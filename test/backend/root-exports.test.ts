import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import * as torch from '../../src/index.js';

test('the package root sets the matmul thread count and reports the wasm heap and load status', () => {
  if (!torch.listBackends().includes('wasm')) {
    assert.ok(torch.wasmLoadError() instanceof Error, 'when wasm is missing, the reason is reported');
    return;
  }
  assert.equal(torch.wasmLoadError(), null);
  torch.setNumThreads(1);
  assert.equal(torch.getNumThreads(), 1);
  torch.setNumThreads(availableParallelism());
  assert.equal(torch.getNumThreads(), availableParallelism());
  const stats = torch.wasmMemoryStats();
  assert.ok(stats !== null);
});
