/**
 * The fast paths of issue 4's dropout and attention work:
 * - dropout with a bit mask (Backend.fused.dropoutBits / dropoutApply, wasm): forward draws the
 *   composite's words (same output and generator state, bit for bit, from any state index, across
 *   624-word blocks and SIMD/bit-word tails), backward multiplies by the saved bits and gives the
 *   regenerating backward's gradient bit for bit; double backward (createGraph) still works;
 * - threaded attention dropout (kernels/dropout.ts mtFlat: the call's raw words produced as one
 *   flat recurrence, tempered per chunk): the same weights dropped and the same final generator
 *   state as the composite on the reference backend, from state indices that end a call exactly
 *   on a block boundary, mid-block, at 0 and at 624; two threads equal one thread bit for bit.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { Generator, grad, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { getNumThreads, setNumThreads } from '../../src/backend/wasm/index.js';
import { selfAttention } from '../../src/ops/attention.js';
import { dropout } from '../../src/ops/dropout.js';
import { assertClose } from '../helpers/assert.js';
import { participantsOf, startWorkers } from '../helpers/threads.js';
import { gradcheck } from '../helpers/gradcheck.js';

const vals = (t: Tensor | null | undefined): number[] => {
  assert.ok(t, 'expected a tensor');
  return Array.from(t.dataSync());
};

/** A generator seeded with `seed`, then set to state index `mti` (0 ≤ mti ≤ 624) of the same block. */
function genAt(seed: number, mti: number): Generator {
  const g = new Generator(seed);
  g.nextUint32(); // twist once, so the block is a real output block
  const st = g.getState();
  g.setState({ ...st, mti });
  return g;
}

const stateOf = (g: Generator): { mt: number[]; mti: number } => {
  const s = g.getState();
  return { mt: s.mt, mti: s.mti };
};

/** Counts calls of the wasm backend's fused `names` while fn runs. */
function spy<T>(names: (keyof FusedKernels)[], fn: () => T): { result: T; calls: Record<string, number> } {
  const table = torch.getBackend('wasm').fused as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  const calls: Record<string, number> = {};
  const saved = names.map((n) => table[n]);
  names.forEach((n, i) => {
    const f = saved[i];
    assert.ok(f, `the wasm backend has fused.${n}`);
    calls[n] = 0;
    table[n] = (...a: unknown[]) => {
      calls[n]!++;
      return f(...a);
    };
  });
  try {
    return { result: fn(), calls };
  } finally {
    names.forEach((n, i) => { table[n] = saved[i]; });
  }
}

/** fn with the bit-mask dropout hidden from the wasm backend (its backward then regenerates the mask). */
function withoutBits<T>(fn: () => T): T {
  const table = torch.getBackend('wasm').fused as Record<string, unknown>;
  const saved = [table.dropoutBits, table.dropoutApply];
  delete table.dropoutBits;
  delete table.dropoutApply;
  try {
    return fn();
  } finally {
    [table.dropoutBits, table.dropoutApply] = saved;
  }
}

describe('dropout with a bit mask (wasm)', () => {
  const sizes = [1, 3, 31, 32, 33, 100, 624, 1000, 2500];
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: output, gradient and generator state equal the composite on cpu, bit for bit (sizes ${sizes.join(', ')}; state index 0, 5, 623, 624)`, () => {
      for (const n of sizes) {
        for (const mti of [0, 5, 623, 624]) {
          const run = (backend: 'cpu' | 'wasm'): { out: number[]; g: number[]; state: { mt: number[]; mti: number } } =>
            torch.withBackend(backend, () => {
              const gen = genAt(11, mti);
              const x = torch.arange(0, n, 1, { dtype }).mul(0.37).sub(3).requiresGrad_();
              const w = torch.arange(0, n, 1, { dtype }).mul(-0.11).add(1);
              const y = dropout(x, 0.3, true, { generator: gen });
              const [dx] = grad([y.mul(w).sum()], [x]);
              return { out: vals(y), g: vals(dx), state: stateOf(gen) };
            });
          const cpu = run('cpu');
          const { result: wasm, calls } = spy(['dropoutBits', 'dropoutApply'], () => run('wasm'));
          const where = `n ${n}, mti ${mti}`;
          assert.deepEqual(calls, { dropoutBits: 1, dropoutApply: 1 }, `the bit-mask path ran (${where})`);
          assert.deepEqual(wasm.out, cpu.out, `output (${where})`);
          assert.deepEqual(wasm.g, cpu.g, `gradient (${where})`);
          assert.deepEqual(wasm.state, cpu.state, `generator state (${where})`);
        }
      }
    });
  }

  test('float32 [32, 64, 128] in a 2-D view: the bit-mask backward equals the regenerating backward bit for bit', () => {
    const run = (): { out: number[]; g: number[]; next: number[] } => torch.withBackend('wasm', () => {
      torch.manualSeed(3);
      const x = torch.randn([64, 32 * 128]).requiresGrad_();
      const xt = x.t(); // strided: the kernel reads a dense copy
      const y = dropout(xt, 0.1);
      const w = torch.randn(y.shape);
      const [dx] = grad([y.mul(w).sum()], [x]);
      return { out: vals(y), g: vals(dx), next: vals(torch.rand([3])) };
    });
    const bits = spy(['dropoutBits', 'dropoutApply'], run);
    assert.deepEqual(bits.calls, { dropoutBits: 1, dropoutApply: 1 });
    const regen = withoutBits(run);
    for (const k of ['out', 'g', 'next'] as const) assert.deepEqual(bits.result[k], regen[k], k);
  });

  test('float64 gradcheck through the bit-mask path (the same mask at every evaluation)', () => {
    torch.withBackend('wasm', () => {
      const x = torch.randn([5, 7], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([5, 7], { dtype: 'float64' });
      const { calls } = spy(['dropoutBits', 'dropoutApply'], () => {
        gradcheck(([a]) => dropout(a!, 0.4, true, { generator: new Generator(9) }), [x], [w]);
      });
      assert.ok(calls.dropoutBits! > 0 && calls.dropoutApply! > 0, 'gradcheck ran the bit-mask path');
    });
  });

  test('createGraph: double backward through the bit-mask path matches the composite on cpu', () => {
    const run = (backend: 'cpu' | 'wasm'): number[] => torch.withBackend(backend, () => {
      const x = torch.arange(0, 40, 1, { dtype: 'float64' }).mul(0.1).requiresGrad_();
      const y = dropout(x.mul(x), 0.5, true, { generator: new Generator(4) });
      const [dx] = grad([y.sum()], [x], { createGraph: true });
      const [ddx] = grad([dx!.mul(x).sum()], [x]);
      return vals(ddx);
    });
    const cpu = run('cpu');
    assertClose(run('wasm'), cpu, { rtol: 1e-12, atol: 1e-12 }, 'second derivative');
    assert.ok(cpu.some((v) => v !== 0), 'some elements kept');
  });

  test('retainGraph: a second backward gives the same gradient (the bits live until the graph is released)', () => {
    torch.withBackend('wasm', () => {
      const x = torch.randn([3, 100], { requiresGrad: true });
      const y = dropout(x, 0.5).sum();
      const [a] = grad([y], [x], { retainGraph: true });
      const [b] = grad([y], [x]);
      assert.deepEqual(vals(b), vals(a));
      assert.ok(vals(a).some((v) => v === 0) && vals(a).some((v) => v === 2), 'some dropped, some kept');
    });
  });

  test('no bits are kept when nothing needs a gradient (the plain fused kernel runs)', () => {
    torch.withBackend('wasm', () => {
      const { calls } = spy(['dropoutBits', 'dropout'], () => {
        dropout(torch.ones([50]), 0.5);
        torch.noGrad(() => dropout(torch.ones([50], { requiresGrad: true }), 0.5));
      });
      assert.deepEqual(calls, { dropoutBits: 0, dropout: 2 });
    });
  });
});

describe('threaded attention dropout (mtFlat)', () => {
  const prevThreads = getNumThreads();
  after(() => setNumThreads(prevThreads));

  // N·H·L·L·hd = 2.5M multiply-adds per product: just above the size that wakes the workers.
  const N = 11, L = 60, H = 4, hd = 16, E = H * hd;
  const pairs = N * H * L * L; // 158400 words; 158400 % 624 = 528
  test(`float32, p 0.5: two threads drop the composite's weights and leave its generator state (state index 0, 96 → ends on a block boundary, 400, 624)`, async () => {
    await startWorkers();
    torch.manualSeed(8);
    const qkv0 = torch.randn([N, L, 3 * E]);
    const wOut = torch.randn([N, L, E]);
    assert.equal((96 + pairs) % 624, 0);
    for (const mti of [0, 96, 400, 624]) {
      const run = (backend: 'cpu' | 'wasm', threads: number): { out: number[]; g: number[]; state: { mt: number[]; mti: number }; participants: number[] } => {
        setNumThreads(threads);
        const { result, participants } = participantsOf(() => torch.withBackend(backend, () => {
          const gen = genAt(21, mti);
          const qkv = torch.tensor(vals(qkv0)).reshape([N, L, 3 * E]).requiresGrad_();
          const w = torch.tensor(vals(wOut)).reshape([N, L, E]);
          const out = selfAttention(qkv, H, { batchFirst: true, dropout: 0.5, generator: gen });
          const [g] = grad([out.mul(w).sum()], [qkv]);
          return { out: vals(out), g: vals(g), state: stateOf(gen) };
        }));
        return { ...result, participants };
      };
      const two = run('wasm', 2);
      const one = run('wasm', 1);
      assert.deepEqual(two.participants, [2, 2], `forward and backward ran on two threads (mti ${mti})`);
      assert.deepEqual(one.participants, [], 'one thread calls the kernels directly');
      assert.deepEqual(two.out, one.out, `output, 1 vs 2 threads (mti ${mti})`);
      assert.deepEqual(two.g, one.g, `gradient, 1 vs 2 threads (mti ${mti})`);
      assert.deepEqual(two.state, one.state, `generator state, 1 vs 2 threads (mti ${mti})`);
      if (mti === 96 || mti === 400) {
        // The composite at this size takes a while on the reference backend: two of the four.
        const cpu = run('cpu', 1);
        assert.deepEqual(two.state, cpu.state, `generator state vs the composite (mti ${mti})`);
        // p = 0.5 doubles kept weights and zeroes the rest: one differently dropped weight moves
        // its row's output by O(0.1), far outside this tolerance.
        assertClose(two.out, cpu.out, { rtol: 1e-5, atol: 2e-6 }, `output vs the composite (mti ${mti})`);
        assertClose(two.g, cpu.g, { rtol: 1e-5, atol: 2e-6 }, `gradient vs the composite (mti ${mti})`);
      }
    }
  });
});
