/**
 * The tape: each differentiable op result carries a GradNode that knows its inputs and how to
 * turn the output's gradient into theirs. The backward closure holds whatever the op saved;
 * releasing the node after backward frees those tensors and makes a second pass fail loudly.
 */
import { AutogradError } from '../errors.js';
import type { Storage } from '../backend/types.js';
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './mode.js';
import { holdStorage, releaseStorage, unholdStorage } from '../tensor/release.js';

export type BackwardFn = (grad: Tensor) => readonly (Tensor | null | undefined)[];

export class GradNode {
  private fn: BackwardFn | null;
  private inputList: readonly (Tensor | null)[];
  /** Storage versions of the inputs when the op ran, to detect later in-place changes. */
  private readonly versions: number[];
  /**
   * Other tensors the backward closure may read (inputs that do not require grad, the output),
   * with their versions: an in-place change to one of them would silently corrupt the gradient.
   */
  private watched: [Tensor, number][];

  /** Tensors only this node's closure references (see `record`), freed at release. */
  private owned: readonly Tensor[];

  /** Storages of the inputs and saved tensors, held until release (tensor/release.ts). */
  private held: Storage[] = [];

  constructor(readonly name: string, inputs: readonly (Tensor | null)[], fn: BackwardFn, saved: readonly Tensor[] = [], owned: readonly Tensor[] = []) {
    this.fn = fn;
    this.owned = owned;
    this.inputList = inputs;
    this.versions = inputs.map((t) => (t ? t._version : 0));
    this.watched = saved.map((t) => [t, t._version]);
    for (const t of inputs) if (t) this.held.push(t.storage);
    for (const t of saved) this.held.push(t.storage);
    for (const s of this.held) holdStorage(s);
  }

  /**
   * The op's inputs that require grad (null for those that do not), one per input. Empty once
   * the node is released: a released node can never run again, and dropping the edges lets every
   * activation of a finished graph be collected even while its output (the loss) stays alive.
   */
  get inputs(): readonly (Tensor | null)[] {
    return this.inputList;
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
    for (const [t, v] of this.watched) {
      if (t._version !== v) {
        throw new AutogradError(
          'backward',
          `a tensor saved by ${this.name} (shape [${t.shape.join(',')}]) was modified by an in-place operation after it was used; its gradient would be wrong. Clone it before modifying it in place.`,
        );
      }
    }
    return this.fn(grad);
  }

  /** Frees what backward needed: the closure (and the tensors it saved), the watched tensors and the edges to the inputs. */
  release(): void {
    this.fn = null;
    this.watched = [];
    this.inputList = [];
    for (const t of this.owned) releaseStorage(t);
    this.owned = [];
    const held = this.held;
    this.held = [];
    for (const s of held) unholdStorage(s);
  }
}

/**
 * Connects `out` to the graph when grad mode is on and some input requires grad.
 * `backward` returns one gradient per input (null/undefined where none flows), each with the
 * shape of its input. `owned`: tensors the op made for its backward alone (no one else can
 * reach them); their storage is freed as soon as the node is released after backward, instead
 * of at the next garbage collection.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: BackwardFn, owned: readonly Tensor[] = []): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  const saved = [...inputs.filter((t) => !t.requiresGrad), out];
  out.gradFn = new GradNode(name, inputs.map((t) => (t.requiresGrad ? t : null)), backward, saved, owned);
  return out;
}
