/** Index-based ops: gather, scatterAdd, indexSelect, embedding. Indices are int64 or int32. */
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import { DTypeError, IndexError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, normDim, requireIndex, wrap } from './core.js';

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.ndim !== x.ndim) throw new ShapeError(op, 'index must have the same number of dimensions as input', [x.shape, index.shape]);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i]! > x.shape[i]!) {
      throw new ShapeError(op, `index size ${index.shape[i]} exceeds input size ${x.shape[i]} at dimension ${i}`, [x.shape, index.shape]);
    }
  }
}

/**
 * out[i][j] = x[index[i][j]][j] (dim 0), … as torch.gather. Output has index's shape.
 * Out-of-range indices throw an IndexError.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  requireIndex('gather', index);
  checkSameBackend('gather', x, index);
  const d = normDim('gather', dim, x.ndim);
  checkGatherShapes('gather', x, d, index);
  const out = wrap(x.backend.gather(x, d, index), index.shape);
  return record(out, 'gather', [x], (g) => [x.zerosLike(g.dtype).scatterAdd(d, index, g)]);
}

/** A copy of x with src added at positions given by index along dim (as torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  requireIndex('scatterAdd', index);
  checkSameBackend('scatterAdd', x, index, src);
  const d = normDim('scatterAdd', dim, x.ndim);
  if (src.dtype !== x.dtype) throw new DTypeError('scatterAdd', `src dtype ${src.dtype} differs from input dtype ${x.dtype}`);
  checkGatherShapes('scatterAdd', x, d, index);
  if (src.ndim !== index.ndim || src.shape.some((s, i) => s !== index.shape[i])) {
    throw new ShapeError('scatterAdd', 'src must have the same shape as index', [src.shape, index.shape]);
  }
  const out = wrap(x.backend.scatterAdd(x, d, index, src), x.shape);
  return record(out, 'scatterAdd', [x, src], (g) => [g, src.requiresGrad ? gather(g, d, index) : null]);
}

/** Selects entries along `dim` at the positions of a 1-D index (as torch.index_select). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  requireIndex('indexSelect', index);
  if (index.ndim > 1) throw new ShapeError('indexSelect', 'index must be 0-D or 1-D', [index.shape]);
  const d = normDim('indexSelect', dim, x.ndim);
  const idx = index.reshape([-1]);
  const size = x.shape[d]!;
  for (const v of idx.dataSync()) {
    if (!(v >= 0 && v < size)) throw new IndexError('indexSelect', `index ${v} is out of bounds for dimension ${d} with size ${size}`);
  }
  const outShape = [...x.shape];
  outShape[d] = idx.shape[0]!;
  const viewShape = x.shape.map((_, i) => (i === d ? idx.shape[0]! : 1));
  return indexSelectRows(x, d, idx) ?? gather(x, d, idx.reshape(viewShape).expand(outShape));
}

/**
 * Rows of a 2-D x (dim 0: an embedding lookup) by the backend's fused row copy, with its fused
 * backward (zeros, then each index's gradient row added in order: scatterAdd's sums); null
 * when the backend has none or the case differs. Under createGraph the backward is scatterAdd.
 */
function indexSelectRows(x: Tensor, d: number, idx: Tensor): Tensor | null {
  const kern = x.backend.fused;
  if (d !== 0 || x.ndim !== 2 || kern?.indexSelectRows === undefined) return null;
  checkSameBackend('indexSelect', x, idx);
  const s = kern.indexSelectRows(x, idx);
  if (s === null) return null;
  const n = idx.shape[0]!;
  const D = x.shape[1]!;
  return record(wrap(s, [n, D]), 'indexSelect', [x], (g) => {
    if (!isGradEnabled() && g.dtype === x.dtype) {
      const r = kern.indexAddRows?.(x.shape[0]!, idx, g) ?? null;
      if (r !== null) return [wrap(r, x.shape)];
    }
    return [x.zerosLike(g.dtype).scatterAdd(0, idx.reshape([n, 1]).expand([n, D]), g)];
  });
}

/**
 * Embedding lookup: rows of `weight` (num_embeddings, dim) at `indices` (any shape) →
 * (...indices.shape, dim). Rows at `paddingIdx` get no gradient, as in PyTorch.
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  requireIndex('embedding', indices, 'indices');
  if (weight.ndim !== 2) throw new ShapeError('embedding', 'weight must be 2-D (num_embeddings, embedding_dim)', [weight.shape]);
  const n = weight.shape[0]!;
  const flat = indices.reshape([-1]);
  const values = flat.dataSync();
  for (const v of values) {
    if (v < 0 || v >= n) throw new IndexError('embedding', `index ${v} is out of range for an embedding with ${n} rows`);
  }
  let out = indexSelect(weight, 0, flat);
  if (paddingIdx !== null && paddingIdx !== undefined) {
    const pad = paddingIdx < 0 ? paddingIdx + n : paddingIdx;
    const isPad = flat.eq(pad).unsqueeze(1);
    out = out.detach().mul(isPad.to(out.dtype)).add(out.mul(isPad.logicalNot().to(out.dtype)));
  }
  return out.reshape([...indices.shape, weight.shape[1]!]);
}
