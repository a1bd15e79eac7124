/**
 * The fused kernels the thread pool splits through its generic job kind (threads.ts MODE_FUSED,
 * kernels/chunked.ts): self-attention forward and backward over batch entries, batch norm forward
 * and backward over channels. Two threads must give the one-thread result bit for bit (work units
 * are independent and each is computed by the same instruction sequence whichever thread runs it;
 * attention's dropout words are pre-drawn in the one-thread order), and both must match the
 * composite on the reference backend within the tolerances of test/ops/attention-fused.test.ts
 * (float32 rtol 1e-5 / atol 2e-6) and test/ops/batchnorm-fused.test.ts (forward rtol 2e-6 /
 * atol 1e-6, gradients rtol 1e-5 / atol 1e-6). Shapes are just above the size that wakes the
 * workers (2^22 multiply-adds, matmul.ts), with uneven chunks and SIMD tails.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { batchNorm } from '../../src/ops/index.js';
import { selfAttention } from '../../src/ops/attention.js';
import { getNumThreads, setNumThreads } from '../../src/backend/wasm/index.js';
import { participantsOf, startWorkers } from '../helpers/threads.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';

const ATT: Tolerance = { rtol: 1e-5, atol: 2e-6 };
const BN_FWD: Tolerance = { rtol: 2e-6, atol: 1e-6 };
const BN_GRAD: Tolerance = { rtol: 1e-5, atol: 1e-6 };
const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);

/** fn on the wasm backend with `threads` threads (same seed each time). */
function withThreads<T>(threads: number, seed: number, fn: () => T): { result: T; participants: number[] } {
  setNumThreads(threads);
  return torch.withBackend('wasm', () => {
    torch.manualSeed(seed);
    return participantsOf(fn);
  });
}

const prevThreads = getNumThreads();
after(() => setNumThreads(prevThreads));

describe('fused kernels on the thread pool', () => {
  interface AttCase { N: number; L: number; H: number; hd: number; batchFirst: boolean; p: number; dtype: 'float32' | 'float64' }
  // 11 entries (uneven chunks), L = 60 (three 16-wide blocks plus a 4-wide tail).
  const attCases: AttCase[] = [
    { N: 11, L: 60, H: 4, hd: 16, batchFirst: true, p: 0.1, dtype: 'float32' },
    { N: 11, L: 60, H: 4, hd: 16, batchFirst: false, p: 0, dtype: 'float32' },
    { N: 9, L: 61, H: 4, hd: 16, batchFirst: true, p: 0.3, dtype: 'float64' },
  ];
  for (const c of attCases) {
    test(`self-attention ${c.dtype} ${JSON.stringify({ N: c.N, L: c.L, batchFirst: c.batchFirst, p: c.p })}: two threads give the one-thread output, gradient, dropout and generator state bit for bit`, async () => {
      await startWorkers();
      const E = c.H * c.hd;
      const run = (): Record<string, number[]> => {
        const [A, B] = c.batchFirst ? [c.N, c.L] : [c.L, c.N];
        const qkv = torch.randn([A, B, 3 * E], { dtype: c.dtype, requiresGrad: true });
        const w = torch.randn([A, B, E], { dtype: c.dtype });
        const out = selfAttention(qkv, c.H, { batchFirst: c.batchFirst, dropout: c.p, training: true });
        out.mul(w).sum().backward();
        return { out: vals(out), g: vals(qkv.grad), next: vals(torch.rand([4])) };
      };
      const one = withThreads(1, 5, run);
      const two = withThreads(2, 5, run);
      assert.deepEqual(one.participants, [], 'one thread calls the kernels directly');
      assert.deepEqual(two.participants, [2, 2], 'forward and backward ran on two threads');
      for (const k of ['out', 'g', 'next'] as const) assert.deepEqual(two.result[k], one.result[k], k);
      if (c.dtype === 'float32') {
        const cpu = torch.withBackend('cpu', () => {
          torch.manualSeed(5);
          return run();
        });
        assertClose(two.result.out, cpu.out, ATT, 'output vs the composite');
        assertClose(two.result.g, cpu.g, ATT, 'gradient vs the composite');
        assert.deepEqual(two.result.next, cpu.next, 'generator state vs the composite');
      }
    });
  }

  for (const training of [true, false]) {
    // The composite at this size takes seconds on the reference backend: checked once (training);
    // eval at one thread is checked against it in test/ops/batchnorm-fused.test.ts.
    test(`batch norm float32 ${training ? 'training' : 'eval'}: two threads give the one-thread y, statistics and gradients bit for bit${training ? ', and match the composite' : ''}`, async () => {
      await startWorkers();
      // 13 channels cut into uneven chunks; S = 10100 leaves a 4-element tail after the 8-wide body.
      const shape = [8, 13, 100, 101];
      const run = (): Record<string, number[]> => {
        const x = torch.randn(shape).mul(2).add(0.5).requiresGrad_();
        const w = torch.randn([13]).requiresGrad_();
        const b = torch.randn([13]).requiresGrad_();
        const rm = torch.randn([13]);
        const rv = torch.rand([13]).add(0.5);
        const y = batchNorm(x, rm, rv, w, b, training, 0.3, 1e-5);
        y.mul(torch.randn(shape)).sum().backward();
        return { y: vals(y), gx: vals(x.grad), gw: vals(w.grad), gb: vals(b.grad), rm: vals(rm), rv: vals(rv) };
      };
      const one = withThreads(1, 7, run);
      const two = withThreads(2, 7, run);
      assert.deepEqual(one.participants, []);
      assert.deepEqual(two.participants, [2, 2], 'forward and backward ran on two threads');
      for (const k of Object.keys(one.result)) assert.deepEqual(two.result[k], one.result[k], k);
      if (!training) return;
      const cpu = torch.withBackend('cpu', () => {
        torch.manualSeed(7);
        return run();
      });
      for (const k of ['y', 'rm', 'rv'] as const) assertClose(two.result[k]!, cpu[k]!, BN_FWD, `${k} vs the composite`);
      for (const k of ['gx', 'gw', 'gb'] as const) assertClose(two.result[k]!, cpu[k]!, BN_GRAD, `${k} vs the composite`);
    });
  }

  test('batch norm float64 training: two threads give the one-thread result bit for bit', async () => {
    await startWorkers();
    const shape = [4, 5, 260, 210];
    const run = (): Record<string, number[]> => {
      const x = torch.randn(shape, { dtype: 'float64' }).requiresGrad_();
      const w = torch.randn([5], { dtype: 'float64' }).requiresGrad_();
      const y = batchNorm(x, null, null, w, null, true, 0.1, 1e-5);
      y.mul(torch.randn(shape, { dtype: 'float64' })).sum().backward();
      return { y: vals(y), gx: vals(x.grad), gw: vals(w.grad) };
    };
    const one = withThreads(1, 8, run);
    const two = withThreads(2, 8, run);
    assert.deepEqual(two.participants, [2, 2]);
    assert.deepEqual(two.result.y, one.result.y);
    assert.deepEqual(two.result.gx, one.result.gx);
    assert.deepEqual(two.result.gw, one.result.gw);
  });
});
