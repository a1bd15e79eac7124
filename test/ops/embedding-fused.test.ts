/**
 * The wasm backend's row kernels for embedding lookups (Backend.fused.indexSelectRows and
 * indexAddRows: indexSelect along dim 0 of a 2-D tensor) against the reference backend's
 * gather / scatterAdd composite. The lookup copies values and the gradient adds each index's
 * row in index order, the order scatterAdd sums them in, so both must be bit-identical.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, nn, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);
const table = torch.getBackend('wasm').fused as FusedKernels;
const original = { select: table.indexSelectRows, add: table.indexAddRows };
const calls = { select: 0, add: 0 };
function spy(): void {
  calls.select = 0;
  calls.add = 0;
  table.indexSelectRows = (...a) => { calls.select++; return original.select!(...a); };
  table.indexAddRows = (...a) => { calls.add++; return original.add!(...a); };
}
afterEach(() => {
  table.indexSelectRows = original.select;
  table.indexAddRows = original.add;
});

describe('fused embedding rows (wasm) against gather/scatterAdd (reference)', () => {
  test('the wasm backend advertises both kernels; the reference has neither', () => {
    assert.equal(typeof original.select, 'function');
    assert.equal(typeof original.add, 'function');
    assert.equal(torch.getBackend('cpu').fused?.indexSelectRows, undefined);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    for (const idtype of ['int64', 'int32'] as const) {
      test(`${dtype} weights, ${idtype} indices: lookup and gradient bit-identical, repeated indices summed in order`, () => {
        for (const [rows, D, n] of [[10, 1, 7], [10, 3, 25], [50, 128, 200], [7, 130, 40]] as const) {
          spy();
          const r = onBoth(() => {
            const w = torch.randn([rows, D], { dtype }).requiresGrad_();
            const idx = torch.randint(0, rows, [n], { dtype: idtype });
            const y = torch.indexSelect(w, 0, idx);
            y.mul(torch.randn([n, D], { dtype })).sum().backward();
            return { y: vals(y), g: vals(w.grad) };
          }, rows + D);
          assert.equal(calls.select, 1, 'fused lookup ran');
          assert.equal(calls.add, 1, 'fused gradient ran');
          assert.deepEqual(r.wasm.y, r.cpu.y, `[${rows},${D}] lookup`);
          assert.deepEqual(r.wasm.g, r.cpu.g, `[${rows},${D}] gradient`);
        }
      });
    }
  }

  test('nn.Embedding (with and without paddingIdx) runs through it and matches the reference', () => {
    for (const paddingIdx of [undefined, 2]) {
      spy();
      const r = onBoth(() => {
        const emb = new nn.Embedding(12, 6, paddingIdx === undefined ? {} : { paddingIdx });
        const ids = torch.tensor([[1, 2, 2], [11, 0, 2]], { dtype: 'int64' });
        emb.forward(ids).pow(2).sum().backward();
        return { g: vals(emb.weight.grad) };
      }, 4);
      assert.ok(calls.select >= 1 && calls.add >= 1);
      assert.deepEqual(r.wasm.g, r.cpu.g);
    }
  });

  test('float64 gradient check; createGraph falls back to scatterAdd and agrees', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(2);
      const w = torch.randn([6, 4], { dtype: 'float64' }).requiresGrad_();
      const idx = torch.tensor([5, 0, 5, 3], { dtype: 'int64' });
      gradcheck(([a]) => torch.indexSelect(a!, 0, idx), [w], [torch.randn([4, 4], { dtype: 'float64' })]);
      const up = torch.randn([4, 4], { dtype: 'float64' });
      const [plain] = grad([torch.indexSelect(w, 0, idx).mul(up).sum()], [w]);
      spy();
      const [graphed] = grad([torch.indexSelect(w, 0, idx).mul(up).sum()], [w], { createGraph: true });
      assert.equal(calls.add, 0, 'createGraph uses the differentiable scatterAdd');
      assert.deepEqual(vals(graphed), vals(plain));
    });
  });

  test('an index outside the table is an IndexError from the op and from the kernel itself', () => {
    torch.withBackend('wasm', () => {
      const w = torch.randn([4, 3]);
      assert.throws(() => torch.indexSelect(w, 0, torch.tensor([1, 4], { dtype: 'int64' })), torch.IndexError);
      assert.throws(() => original.select!(w, torch.tensor([0, -1], { dtype: 'int64' })), (e: Error) => e instanceof torch.IndexError && /-1/.test(e.message));
      assert.throws(() => original.add!(4, torch.tensor([7], { dtype: 'int32' }), torch.ones([1, 3])), (e: Error) => e instanceof torch.IndexError && /7/.test(e.message));
    });
  });
});
