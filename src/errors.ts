/**
 * Errors that say what failed, where, and with which shapes or values.
 * Every message starts with the op name: `matmul: inner dimensions differ: [32,64] @ [128,10]`.
 */

/** Formats a shape the way error messages print it: `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Base class of every error tsorch throws on purpose. */
export class TsorchError extends Error {
  constructor(readonly op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together; the message lists every shape involved. */
export class ShapeError extends TsorchError {
  constructor(op: string, message: string, readonly shapes: readonly (readonly number[])[] = []) {
    super(op, shapes.length === 0 ? message : `${message}: ${shapes.map(fmtShape).join(shapes.length === 2 && op === 'matmul' ? ' @ ' : ' vs ')}`);
  }
}

/** A tensor of the wrong dtype for the op. */
export class DTypeError extends TsorchError {}

/** An index or dimension outside its valid range. */
export class IndexError extends TsorchError {}

/** Misuse of autograd: backward through a freed graph, non-scalar backward without a gradient, … */
export class AutogradError extends TsorchError {}

/** An argument with an invalid value (negative size, probability outside [0, 1], …). */
export class ValueError extends TsorchError {}
