/** Spec table for index-based ops; fixture cases in scripts/fixtures/indexing.py. */
import * as torch from '../../../src/index.js';
import { kw, type OpSpec } from '../../helpers/harness.js';

/** A fill value from kwargs: a number, or '-inf'/'inf' (JSON has no infinities). */
function fillValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === '-inf') return -Infinity;
  if (v === 'inf') return Infinity;
  throw new Error(`unexpected fill value ${String(v)}`);
}

export const specs: OpSpec[] = [
  { name: 'gather_dim0', fn: ([x, i], k) => torch.gather(x!, kw<number>(k, 'dim'), i!) },
  { name: 'gather_dim1_repeated', fn: ([x, i], k) => x!.gather(kw<number>(k, 'dim'), i!) },
  { name: 'gather_dim_negative_smaller_index', fn: ([x, i], k) => x!.gather(kw<number>(k, 'dim'), i!) },
  { name: 'scatter_add_dim0_repeated', fn: ([x, i, s], k) => torch.scatterAdd(x!, kw<number>(k, 'dim'), i!, s!) },
  { name: 'scatter_add_dim1_repeated', fn: ([x, i, s], k) => x!.scatterAdd(kw<number>(k, 'dim'), i!, s!) },
  { name: 'index_select_dim0', fn: ([x, i], k) => torch.indexSelect(x!, kw<number>(k, 'dim'), i!) },
  { name: 'index_select_dim1', fn: ([x, i], k) => x!.indexSelect(kw<number>(k, 'dim'), i!) },
  { name: 'embedding', fn: ([i, w]) => torch.embedding(i!, w!) },
  // The padding row is read in the forward pass but gets no gradient by definition, so central
  // differences (which see it) cannot agree; the fixture's gradient (zero row) is compared, and
  // the plain 'embedding' case runs the finite-difference check.
  { name: 'embedding_padding_idx', fn: ([i, w], k) => torch.embedding(i!, w!, kw<number>(k, 'padding_idx')), noGradcheck: true },
  { name: 'embedding_padding_idx_negative', fn: ([i, w], k) => torch.embedding(i!, w!, kw<number>(k, 'padding_idx')), noGradcheck: true },
  { name: 'masked_fill', fn: ([x, m], k) => x!.maskedFill(m!, fillValue(k.value)) },
  { name: 'masked_fill_broadcast_mask', fn: ([x, m], k) => torch.maskedFill(x!, m!, fillValue(k.value)) },
  // The -inf entries make the weighted-sum loss -inf, so central differences are meaningless;
  // the fixture's gradient (zero under the mask) is still compared.
  { name: 'masked_fill_neg_inf', fn: ([x, m], k) => x!.maskedFill(m!, fillValue(k.value)), noGradcheck: true },
];
