/**
 * The tape: each differentiable op result carries a GradNode that knows its inputs and how to
 * turn the output's gradient into theirs. The backward closure holds whatever the op saved;
 * releasing the node after backward frees those tensors and makes a second pass fail loudly.
 */
import { AutogradError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './mode.js';

export type BackwardFn = (grad: Tensor) => readonly (Tensor | null | undefined)[];

export class GradNode {
  private fn: BackwardFn | null;
  /** Storage versions of the inputs when the op ran, to detect later in-place changes. */
  private readonly versions: number[];

  constructor(readonly name: string, readonly inputs: readonly (Tensor | null)[], fn: BackwardFn) {
    this.fn = fn;
    this.versions = inputs.map((t) => (t ? t._version : 0));
  }

  get released(): boolean {
    return this.fn === null;
  }

  apply(grad: Tensor): readonly (Tensor | null | undefined)[] {
    if (this.fn === null) {
      throw new AutogradError(
        'backward',
        `trying to backward through the graph a second time (through ${this.name}); its saved values were freed after the first backward. Pass { retainGraph: true } to the first backward() if you need to backward twice.`,
      );
    }
    this.inputs.forEach((t, i) => {
      if (t && t._version !== this.versions[i]) {
        throw new AutogradError(
          'backward',
          `an input of ${this.name} (shape [${t.shape.join(',')}]) was modified by an in-place operation after it was used; its gradient would be wrong. Clone it before modifying it in place.`,
        );
      }
    });
    return this.fn(grad);
  }

  release(): void {
    this.fn = null;
  }
}

/**
 * Connects `out` to the graph when grad mode is on and some input requires grad.
 * `backward` returns one gradient per input (null/undefined where none flows), each with the
 * shape of its input.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = new GradNode(name, inputs.map((t) => (t.requiresGrad ? t : null)), backward);
  return out;
}
