/**
 * The matmul thread pool: results identical to one thread (each output element is computed by
 * the same instruction sequence whichever thread runs it), for row-split and batch-split
 * products (row-split ones with B packed whole in advance), and worker threads never keep a
 * process alive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { getNumThreads, readyWorkerThreads, setNumThreads } from '../../src/backend/wasm/index.js';

const index = new URL('../../src/index.js', import.meta.url).href;
const wasmIndex = new URL('../../src/backend/wasm/index.js', import.meta.url).href;

function product(a: torch.Tensor, b: torch.Tensor, threads: number): Float32Array {
  setNumThreads(threads);
  return a.matmul(b).dataSync() as Float32Array;
}

describe('wasm matmul threads', () => {
  test('two threads give bit-identical results to one, split by rows and by batches', async () => {
    torch.withBackend('wasm', () => undefined);
    const prev = getNumThreads();
    try {
      torch.manualSeed(1);
      const cases: [torch.Tensor, torch.Tensor][] = [
        [torch.randn([301, 200]), torch.randn([200, 170])],
        [torch.randn([200, 130]).t(), torch.randn([170, 200]).t()],
        [torch.randn([64, 48, 16]), torch.randn([64, 16, 40])],
        [torch.randn([150, 100], { dtype: 'float64' }), torch.randn([100, 90], { dtype: 'float64' })],
        // Threaded 2-D products pack B whole first (one thread packs per (column, depth) block):
        // several depth blocks (K > 256), two column blocks (N > 2048) with a partial panel,
        // B at an offset, a transposed B, float64 panels.
        [torch.randn([70, 600]), torch.randn([600, 2061])],
        [torch.randn([128, 600]), torch.randn([700, 300]).narrow(0, 5, 600)],
        [torch.randn([2048, 128]), torch.randn([517, 128]).t()],
        [torch.randn([300, 300], { dtype: 'float64' }), torch.randn([300, 37], { dtype: 'float64' })],
      ];
      setNumThreads(2);
      cases[0]![0].matmul(cases[0]![1]); // starts the pool
      for (let i = 0; i < 200 && readyWorkerThreads() < 1; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(readyWorkerThreads(), 1, 'the worker started');
      for (const [a, b] of cases) {
        const one = product(a, b, 1);
        const two = product(a, b, 2);
        assert.deepEqual(two, one, `[${a.shape}] @ [${b.shape}]`);
      }
    } finally {
      setNumThreads(prev);
    }
  });

  test('changing the thread count between products keeps results identical (old workers retire)', async () => {
    const prev = getNumThreads();
    try {
      torch.manualSeed(2);
      const a = torch.randn([256, 96]);
      const b = torch.randn([96, 200]);
      const one = product(a, b, 1);
      for (const n of [2, 3, 1, 2, 4, 2]) {
        setNumThreads(n);
        for (let i = 0; i < 5; i++) {
          assert.deepEqual(a.matmul(b).dataSync(), one, `${n} threads, run ${i}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    } finally {
      setNumThreads(prev);
    }
  });

  test('the thread count defaults to the cores and clamps to at least one', () => {
    const prev = getNumThreads();
    setNumThreads(0);
    assert.equal(getNumThreads(), 1);
    setNumThreads(3);
    assert.equal(getNumThreads(), 3);
    setNumThreads(prev);
  });

  test('a script that used worker threads exits right after its last line', () => {
    const script = `
      import * as torch from ${JSON.stringify(index)};
      import { setNumThreads, readyWorkerThreads } from ${JSON.stringify(wasmIndex)};
      setNumThreads(2);
      const a = torch.randn([256, 256]);
      for (let i = 0; i < 20; i++) a.matmul(a);
      for (let i = 0; i < 1000 && readyWorkerThreads() < 1; i++) await new Promise((r) => setTimeout(r, 10));
      a.matmul(a);
      console.log('last line', readyWorkerThreads());
    `;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /last line 1/);
    assert.ok(Date.now() - t0 < 15000, 'the process exited promptly');
  });
});
