/** Shape bookkeeping: sizes, contiguous strides, broadcasting and dimension normalisation. */
import { IndexError, ShapeError } from '../errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when `strides` are the row-major strides of `shape` (size-1 dimensions may have any stride). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** The broadcast shape of several shapes (NumPy/PyTorch rules), or a ShapeError naming the op. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = s[s.length - 1 - i]!;
      const j = rank - 1 - i;
      if (d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else if (out[j] !== d) throw new ShapeError(op, 'shapes cannot be broadcast together', shapes);
    }
  }
  return out;
}

/** Normalises a possibly negative dimension index against `rank`. */
export function normDim(op: string, dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new IndexError(op, `dimension ${dim} out of range for a tensor of rank ${rank} (expected in [${-r}, ${r - 1}])`);
  }
  return dim < 0 ? dim + r : dim;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Validates a user-supplied shape: non-negative integers. */
export function checkShape(op: string, shape: Shape): number[] {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new ShapeError(op, `invalid size ${s} in shape`, [shape]);
  }
  return [...shape];
}
